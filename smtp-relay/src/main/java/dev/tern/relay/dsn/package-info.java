/**
 * Delivery status notifications: the report a sender gets when a recipient failed, is delayed, or was
 * delivered and NOTIFY=SUCCESS asked to hear of it (RFC 3464 message/delivery-status inside an RFC 6522
 * multipart/report). A success is "delivered" for a mailbox here (RFC 3461 5.2.3) and "relayed" for a
 * next hop without DSN (RFC 3461 5.2.2); a next hop with DSN was handed NOTIFY and reports it itself
 * (RFC 3461 5.2.1), so no report is written. What a report says of a recipient comes from the spool's
 * typed record of its last attempt: status, remote host, the remote reply as received.
 *
 * <p>A report is never sent to the null reverse-path (RFC 5321 4.5.5, 6.1) and honours each
 * recipient's NOTIFY (RFC 3461 4.1): absent means FAILURE and DELAY. The report comes from
 * {@code <>} and carries {@code Auto-Submitted: auto-replied} (RFC 3834 5) so that it cannot start a
 * mail loop.
 *
 * <p>The third part of a failure report returns what RET asked for (RFC 3461 4.3); other reports return
 * the headers (RFC 3461 6.2). RET=FULL gives the whole message as
 * {@code message/rfc822}; RET=HDRS or no RET gives the header section as {@code text/rfc822-headers},
 * as most MTAs do, so a bounce never doubles a large message back. A full message that cannot be
 * returned unchanged within RFC 5322's 998-octet lines (e.g. BINARYMIME), or that is larger than 50,000
 * octets (as Postfix's {@code bounce_size_limit}), is returned as headers only.
 * An original sent with SMTPUTF8 is returned as {@code message/global-headers} or
 * {@code message/global} (RFC 6532 3.7, RFC 6533 6), any other as above however 8-bit its octets (as
 * Postfix does), and a report that names non-ASCII addresses uses
 * {@code message/global-delivery-status} (RFC 6533); 8-bit parts are sent as-is, labelled {@code 8bit}.
 */
package dev.tern.relay.dsn;
