/**
 * The scheduling queue: every spooled message whose recipients are not all finished, rebuilt from the
 * spool at start. Its parts have one job each: {@link dev.tern.relay.queue.Admission} takes messages in
 * and groups due recipients by destination, so one attempt carries all recipients for one domain;
 * {@link dev.tern.relay.queue.DestinationSlots} holds attempts to the {@link
 * dev.tern.relay.queue.DeliveryLimits}; {@link dev.tern.relay.queue.RetryPolicy} decides, with no clock
 * or thread of its own, what follows an outcome and when (RFC 5321 4.5.4.1); {@link
 * dev.tern.relay.queue.Completion} records each recipient's state in the spool, so a restart neither
 * loses nor repeats finished recipients, and sends the reports (RFC 3464, RFC 3461).
 * {@link dev.tern.relay.queue.Shaping} shapes traffic per destination (docs/shaping.md): an adaptive
 * concurrency in {@link dev.tern.relay.queue.DestinationState}, an optional rate, and suspensions, by a
 * reply or by hand ({@link dev.tern.relay.queue.DestinationAdmin}), whose queued mail {@link
 * dev.tern.relay.queue.Parking} defers without counting an attempt; manual ones are kept on disk by
 * {@link dev.tern.relay.queue.SuspensionStore}.
 * {@link dev.tern.relay.queue.DeliveryScheduler} connects them on the {@link
 * dev.tern.relay.queue.QueueExecutor} and {@link java.time.Clock} it is given. {@link
 * dev.tern.relay.queue.QueueAdmin} is the operator's hand on it (list, show, hold, release, delete,
 * return to the sender, flush, requeue), each operation one task on the queue's thread.
 */
package dev.tern.relay.queue;
