package org.graft.models.data;

import java.io.IOException;

import org.graft.core.SourcePos;

/**
 * A data file that is truncated or not in its format. It is thrown before any of the file is
 * handed out, so a caller never sees part of a data set.
 */
public final class CorruptDataException extends IOException {
    private static final long serialVersionUID = 1L;

    private final SourcePos pos;
    private final String detail;

    /** An error at a line and column (1-based) of the file's text. */
    public CorruptDataException(SourcePos pos, String detail) {
        super(pos + ": " + detail);
        this.pos = pos;
        this.detail = detail;
    }

    /** An error in the file as a whole, before any line could be read. */
    public CorruptDataException(String source, String detail) {
        super(source + ": " + detail);
        this.pos = new SourcePos(source, 0, 0);
        this.detail = detail;
    }

    /** Where the error is; its line is 0 when it concerns the whole file. */
    public SourcePos pos() { return pos; }

    /** The message without the position: what was expected and what was found. */
    public String detail() { return detail; }
}
