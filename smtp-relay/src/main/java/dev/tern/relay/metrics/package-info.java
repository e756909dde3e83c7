/**
 * What the delivery side reports for metrics: the {@link dev.tern.relay.metrics.DeliveryMetrics}
 * recorder interface, and decorators that record around the queue's {@link
 * dev.tern.relay.queue.Deliverer} and {@link dev.tern.relay.queue.Bouncer}. The Micrometer
 * implementation lives with the daemon; this package has no registry of its own.
 */
package dev.tern.relay.metrics;
