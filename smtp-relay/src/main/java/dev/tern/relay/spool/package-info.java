/**
 * The durable spool: everything the relay has accepted, in append-only segment files.
 *
 * <p>Accepted messages and their per-recipient delivery state are records in
 * {@code segment-<seq>.log} files, written by one writer thread that forces the file once per
 * batch (group commit), so the {@code 250} reply of RFC 5321 4.1.1.4 ("the receiver has accepted
 * responsibility for the message") is only sent once the bytes are on stable storage (RFC 5321 6.1).
 * At start the segments are replayed; a torn or corrupt record (length or CRC32C mismatch) is
 * skipped and never delivered; replay resynchronises on the next record that checks out, so good
 * records after a damaged one survive.
 *
 * <p>Compaction deletes segments oldest first, once every message stored in them is finished (a
 * state or DONE record always lives at or after its message's segment, so this never drops a record
 * an unfinished message needs). A long-held or long-deferred message would keep every later segment on disk
 * until it finishes, so the unfinished messages of the oldest segments are written again at the end, with their
 * states and hold, once those segments have not been appended to for a minute and when they are few against what
 * that lets go (a quarter of a segment for each segment freed),
 * and the old segments go; replay keeps the first record of an id, so either copy serves until the old one is
 * deleted.
 *
 * <p>Record layout: {@code [magic u32][type u8][length u32][crc32c u32][payload]}; see
 * {@link dev.tern.relay.spool.RecordFormat}. A recipient's state is stored as typed values (status,
 * enhanced code, the remote reply, the remote host, reports sent), so a DSN written after a restart
 * says what it would have said before (RFC 3464 2.3). Segments of format 1, where that state was one
 * string, are still replayed. A HOLD record (format 2) says whether the operator holds a message; the
 * last one replayed wins.
 */
package dev.tern.relay.spool;
