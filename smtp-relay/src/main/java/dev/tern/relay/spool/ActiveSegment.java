package dev.tern.relay.spool;

/** The segment the writer appends to: its file, its checksum nonce and its forced size. */
final class ActiveSegment {
    final long seq;
    final SpoolStorage.Segment file;
    final long nonce;
    long size;

    ActiveSegment(long seq, SpoolStorage.Segment file, long nonce, long size) {
        this.seq = seq;
        this.file = file;
        this.nonce = nonce;
        this.size = size;
    }
}
