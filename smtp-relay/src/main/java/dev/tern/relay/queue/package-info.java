/**
 * The scheduling queue: every spooled message whose recipients are not all finished, ordered by next
 * attempt time, rebuilt from the spool at start. Recipients are grouped by destination so one attempt
 * carries all recipients for one domain; outcomes are recorded in the spool so a restart neither loses
 * nor repeats finished recipients (RFC 5321 4.5.4 retry strategy; RFC 3464 bounces).
 */
package dev.tern.relay.queue;
