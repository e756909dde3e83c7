package dev.tern.relay.spool;

/**
 * The segment the writer appends to: its file, its checksum nonce, its forced size and how far its file
 * is written, never less than that size: with zeros ahead of the records (see {@link
 * SpoolStorage.Segment#preallocate}), or to the end of a batch that grew the file itself.
 */
final class ActiveSegment {
    final long seq;
    final SpoolStorage.Segment file;
    final long nonce;
    long size;
    long allocated;

    ActiveSegment(long seq, SpoolStorage.Segment file, long nonce, long size) {
        this.seq = seq;
        this.file = file;
        this.nonce = nonce;
        this.size = size;
        this.allocated = size;
    }
}
