package dev.tern.smtp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A server's answer to EHLO, parsed once (RFC 5321 4.1.1.1): the domain it greets with and its
 * service extensions, keyword (upper case) to parameters in the order announced.
 */
public record EhloReply(String domain, Map<String, List<String>> extensions) {

    public EhloReply {
        Objects.requireNonNull(domain, "domain");
        Map<String, List<String>> copy = new LinkedHashMap<>();
        extensions.forEach((k, v) -> copy.put(SmtpText.asciiUpperCase(k), List.copyOf(v)));
        extensions = Collections.unmodifiableMap(copy);
    }

    /**
     * Reads a 250 reply to EHLO: the first line is {@code domain [greeting]}, every other line
     * {@code ehlo-keyword *(SP ehlo-param)}. Lines that are not keywords are skipped, since one odd
     * line must not cost the whole session its extensions.
     *
     * @throws IllegalArgumentException when the reply is not a 250
     */
    public static EhloReply parse(SmtpReply reply) {
        if (reply.code() != 250) {
            throw new IllegalArgumentException("not a positive EHLO reply: " + reply);
        }
        List<String> lines = reply.lines();
        String greeting = lines.get(0).strip();
        int space = greeting.indexOf(' ');
        String domain = space < 0 ? greeting : greeting.substring(0, space);
        Map<String, List<String>> extensions = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] words = line.strip().split(" +");
            String keyword = SmtpText.asciiUpperCase(words[0]);
            List<String> params = new ArrayList<>(List.of(words).subList(1, words.length));
            int eq = keyword.indexOf('=');
            if (eq > 0 && keyword.startsWith("AUTH=")) {
                // Some servers still announce the pre-standard "AUTH=LOGIN PLAIN" form.
                params.add(0, words[0].substring(eq + 1));
                keyword = "AUTH";
            }
            if (!isKeyword(keyword)) {
                continue;
            }
            List<String> known = extensions.computeIfAbsent(keyword, k -> new ArrayList<>());
            for (String param : params) {
                if (!param.isEmpty() && !known.contains(param)) {
                    known.add(param);
                }
            }
        }
        return new EhloReply(domain, extensions);
    }

    /** True when the server announced the extension keyword (case-insensitive). */
    public boolean supports(String keyword) {
        return extensions.containsKey(SmtpText.asciiUpperCase(keyword));
    }

    /** The parameters of a keyword, empty when it has none or was not announced. */
    public List<String> parameters(String keyword) {
        return extensions.getOrDefault(SmtpText.asciiUpperCase(keyword), List.of());
    }

    /**
     * The fixed message size limit of SIZE (RFC 1870 4); empty when SIZE was not announced, has
     * no parameter, or announces 0 ("no fixed maximum").
     */
    public OptionalLong sizeLimit() {
        List<String> params = parameters("SIZE");
        if (params.isEmpty()) {
            return OptionalLong.empty();
        }
        String value = params.get(0);
        if (value.isEmpty() || value.length() > 19 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return OptionalLong.empty();
        }
        if (value.length() == 19 && value.compareTo(Long.toString(Long.MAX_VALUE)) > 0) {
            return OptionalLong.empty(); // nineteen digits beyond a long: no limit a message could reach
        }
        long limit = Long.parseLong(value);
        return limit == 0 ? OptionalLong.empty() : OptionalLong.of(limit);
    }

    /** The SASL mechanisms of AUTH (RFC 4954 3), upper case, in the order announced. */
    public Set<String> authMechanisms() {
        Set<String> mechanisms = new LinkedHashSet<>();
        for (String mechanism : parameters("AUTH")) {
            mechanisms.add(SmtpText.asciiUpperCase(mechanism));
        }
        return Collections.unmodifiableSet(mechanisms);
    }

    /** ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"). */
    private static boolean isKeyword(String s) {
        if (s.isEmpty() || s.charAt(0) == '-') {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) {
                return false;
            }
        }
        return true;
    }
}
