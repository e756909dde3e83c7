package dev.tern.server.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 192.0.2.0/24}, {@code 2001:db8::/32}); a bare address
 * means a single host. Host bits given in the address are cleared, so {@code 10.1.2.3/8} is {@code 10.0.0.0/8}.
 */
public record Cidr(InetAddress network, int prefixLength) {
    public Cidr {
        Objects.requireNonNull(network, "network");
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length must be 0.." + bits + ": " + prefixLength);
        }
        network = masked(network, prefixLength);
    }

    /** An IPv4 part written with a leading zero (read as octal by some parsers). */
    private static final Pattern LEADING_ZERO = Pattern.compile("(?:^|\\.)0\\d");

    /** Parses {@code address[/prefix]}; only literals are accepted, so this never asks DNS. */
    @JsonCreator
    public static Cidr parse(String text) {
        String trimmed = text.strip();
        int slash = trimmed.indexOf('/');
        String addressText = slash < 0 ? trimmed : trimmed.substring(0, slash);
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(addressText);
        if (bytes == null) {
            throw new IllegalArgumentException("not an IP address: '" + addressText + "'");
        }
        if (bytes.length == 4 && LEADING_ZERO.matcher(addressText).find()) {
            // 010.1.2.3 is 10.1.2.3 here but 8.1.2.3 to inet_aton: a network list must not mean two things.
            throw new IllegalArgumentException("an IPv4 address with a leading zero: '" + addressText + "'");
        }
        int prefix = bytes.length * 8;
        if (slash >= 0) {
            String prefixText = trimmed.substring(slash + 1);
            if (prefixText.isEmpty()
                    || prefixText.length() > 3
                    || prefixText.length() > 1 && prefixText.charAt(0) == '0'
                    || !prefixText.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("not a prefix length: '" + prefixText + "'");
            }
            prefix = Integer.parseInt(prefixText);
        }
        try {
            return new Cidr(InetAddress.getByAddress(bytes), prefix);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: '" + addressText + "'", e);
        }
    }

    /** Whether {@code address} is inside this network; an IPv4 address is never inside an IPv6 network. */
    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        byte[] net = network.getAddress();
        if (candidate.length != net.length) {
            return false;
        }
        return masked(candidate, prefixLength).equals(network);
    }

    /** Whether {@code address} is inside one of {@code networks}. */
    public static boolean anyContains(List<Cidr> networks, InetAddress address) {
        for (Cidr network : networks) {
            if (network.contains(address)) {
                return true;
            }
        }
        return false;
    }

    @JsonValue
    @Override
    public String toString() {
        return NetUtil.toAddressString(network) + "/" + prefixLength;
    }

    private static InetAddress masked(InetAddress address, int prefix) {
        return masked(address.getAddress(), prefix);
    }

    private static InetAddress masked(byte[] bytes, int prefix) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xff << (8 - keep)));
        }
        try {
            return InetAddress.getByAddress(out);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 4 or 16 byte address is always valid", e);
        }
    }
}
