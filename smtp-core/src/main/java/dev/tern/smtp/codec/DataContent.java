package dev.tern.smtp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * A run of message octets from a DATA body (already dot-unstuffed, CRLF line ends kept) or from a
 * BDAT chunk (raw). The receiver owns it and releases it.
 */
public final class DataContent extends DefaultByteBufHolder {

    public DataContent(ByteBuf content) {
        super(content);
    }

    @Override
    public DataContent copy() {
        return replace(content().copy());
    }

    @Override
    public DataContent duplicate() {
        return replace(content().duplicate());
    }

    @Override
    public DataContent retainedDuplicate() {
        return replace(content().retainedDuplicate());
    }

    @Override
    public DataContent replace(ByteBuf content) {
        return new DataContent(content);
    }

    @Override
    public DataContent retain() {
        super.retain();
        return this;
    }

    @Override
    public DataContent retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public DataContent touch() {
        super.touch();
        return this;
    }

    @Override
    public DataContent touch(Object hint) {
        super.touch(hint);
        return this;
    }
}
