package dev.tern.server.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * A resolver to ask, as {@code address[:port]} ({@code 127.0.0.1:5353}, {@code [::1]:53}, {@code 192.0.2.53}).
 * Only address literals: naming a resolver by name would need a resolver to find it.
 */
public record DnsServer(InetAddress address, int port) {
    static final int DNS_PORT = 53;

    public DnsServer {
        Objects.requireNonNull(address, "address");
    }

    @JsonCreator
    public static DnsServer parse(String text) {
        HostPort hp = HostPort.parse(text, DNS_PORT);
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(hp.host());
        if (bytes == null) {
            throw new IllegalArgumentException("must be an IP address with an optional port, got '" + text + "'");
        }
        try {
            return new DnsServer(InetAddress.getByAddress(bytes), hp.port());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'", e);
        }
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, port);
    }

    @JsonValue
    @Override
    public String toString() {
        return new HostPort(NetUtil.toAddressString(address), port).toString();
    }
}
