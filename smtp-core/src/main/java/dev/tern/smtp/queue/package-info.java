/**
 * The seam between the inbound side and everything after "250 OK": the server hands accepted
 * messages to a {@link dev.tern.smtp.queue.MailQueue} and never sees how it stores them.
 */
package dev.tern.smtp.queue;
