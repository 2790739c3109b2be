package org.graft.core;

/** Where model source wrote a node: file and 1-based line and column. */
public record SourcePos(String file, int line, int column) {
    /** The position of a node built from Java, which has no source text. */
    public static final SourcePos NONE = new SourcePos("", 0, 0);

    public boolean isKnown() { return line > 0; }

    /** {@code mlp.graft:11:10}, the one position format. */
    @Override
    public String toString() { return isKnown() ? file + ":" + line + ":" + column : "<java>"; }
}
