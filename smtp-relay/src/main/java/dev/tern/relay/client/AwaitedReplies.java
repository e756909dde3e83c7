package dev.tern.relay.client;

import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.SmtpVerb;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The replies a connection waits for, one future each, in the order the commands were written (RFC
 * 5321 4.2, RFC 2920 3.1), and the rule that keeps client and server in step: a reply answers the
 * command at the head only if a command waits, if the reply began after that command was written
 * ({@link ReplyArrivals}), and if it is of a kind the command takes. Anything else is the peer
 * answering something else, a doubled or unsolicited line, which must never be taken for the reply.
 */
final class AwaitedReplies {

    /**
     * @param verb the command's verb, or null for the greeting and the content
     * @param writtenAfter how many reads had arrived when the command was written
     */
    record Awaited(
            String what, SmtpVerb verb, Duration timeout, long writtenAfter, CompletableFuture<SmtpReply> reply) {}

    private final ReplyArrivals arrivals;
    private final ArrayDeque<Awaited> queue = new ArrayDeque<>();

    AwaitedReplies(ReplyArrivals arrivals) {
        this.arrivals = arrivals;
    }

    /** Waits for one more reply, after those awaited already; call it as the command is written. */
    CompletableFuture<SmtpReply> add(String what, SmtpVerb verb, Duration timeout) {
        CompletableFuture<SmtpReply> reply = new CompletableFuture<>();
        queue.add(new Awaited(what, verb, timeout, arrivals.reads(), reply));
        return reply;
    }

    /** The reply awaited first, or null. */
    Awaited head() {
        return queue.peek();
    }

    /**
     * Hands {@code reply}, the next one decoded, to the command at the head; returns why it cannot be
     * that command's reply instead (and leaves the head waiting), or null.
     */
    String answer(SmtpReply reply) {
        long began = arrivals.takeStart();
        Awaited head = queue.peek();
        if (head == null) {
            return "reply to no command: " + reply;
        }
        if (began <= head.writtenAfter()) {
            return "reply read before " + head.what() + " was sent: " + reply;
        }
        if (!answers(head.verb(), reply)) {
            return "reply to " + head.what() + " out of step: " + reply;
        }
        queue.poll();
        head.reply().complete(reply);
        return null;
    }

    /** Fails every reply still awaited. */
    void failAll(ConnectionBroken broken) {
        List<Awaited> failed = List.copyOf(queue);
        queue.clear();
        failed.forEach(a -> a.reply().completeExceptionally(broken));
    }

    /**
     * Whether a reply can answer a command of {@code verb} (RFC 5321 4.3.2): any failure can, but DATA
     * goes on only with 354, an AUTH step with 334 or 235 (RFC 4954 4), everything else with 2xx.
     */
    private static boolean answers(SmtpVerb verb, SmtpReply reply) {
        if (!reply.isPositive()) {
            return true;
        }
        if (verb == SmtpVerb.DATA) {
            return reply.code() == 354;
        }
        boolean authStep = verb == SmtpVerb.AUTH || verb == SmtpVerb.UNKNOWN;
        return reply.code() < 300 || authStep && reply.code() == 334;
    }
}
