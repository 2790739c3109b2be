package org.graft.core;

/**
 * An error in a user's graph or in the values fed to it. It carries the source position of
 * the node at fault (when the graph came from source text) apart from the message, so the
 * language can print {@code file:line:col: error: message}.
 */
public class GraftException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final SourcePos pos;
    private final String detail;

    public GraftException(SourcePos pos, String detail) {
        super(pos.isKnown() ? pos + ": " + detail : detail);
        this.pos = pos;
        this.detail = detail;
    }

    public GraftException(String detail) { this(SourcePos.NONE, detail); }

    /** Where the error is; {@link SourcePos#NONE} for graphs built from Java. */
    public SourcePos pos() { return pos; }

    /** The message without the position. */
    public String detail() { return detail; }
}
