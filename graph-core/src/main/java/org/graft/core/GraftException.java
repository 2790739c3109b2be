package org.graft.core;

/**
 * An error in a user's graph or in the values fed to it. It carries the source position of
 * the node at fault (when the graph came from source text) apart from the message, so the
 * language can print {@code file:line:col: error: message}. The position is known when the
 * error is made: given, or where this thread is {@linkplain SourcePos#buildingAt building}.
 */
public class GraftException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private SourcePos pos;
    private String detail;

    public GraftException(SourcePos pos, String detail) {
        this.pos = pos;
        this.detail = detail;
    }

    /** An error where this thread is building nodes now ({@link SourcePos#NONE} outside any building). */
    public GraftException(String detail) { this(SourcePos.building(), detail); }

    /** Where the error is; {@link SourcePos#NONE} for graphs built from Java. */
    public SourcePos pos() { return pos; }

    /** The message without the position. */
    public String detail() { return detail; }

    @Override
    public String getMessage() { return pos.isKnown() ? pos + ": " + detail : detail; }

    /**
     * This error as seen from where it was reached: at {@code outer} when it has no position of
     * its own, with {@code context} after its message (the language adds the fn calls an error
     * happened in). The same exception, so its kind and its cause stay.
     */
    public GraftException within(SourcePos outer, String context) {
        if (!pos.isKnown()) pos = outer;
        detail += context;
        return this;
    }
}
