package org.graft.core;

import java.util.function.Supplier;

/** Where model source wrote a node: file and 1-based line and column. */
public record SourcePos(String file, int line, int column) {
    /** The position of a node built from Java, which has no source text. */
    public static final SourcePos NONE = new SourcePos("", 0, 0);

    /** Where nodes built from Java are placed on this thread: {@link #NONE} unless {@link #buildingAt} says otherwise. */
    private static final ThreadLocal<SourcePos> BUILDING_AT = ThreadLocal.withInitial(() -> NONE);

    public boolean isKnown() { return line > 0; }

    /** Where {@code Apply.of} and {@code Constant.of} place the nodes they make on this thread now. */
    public static SourcePos building() { return BUILDING_AT.get(); }

    /**
     * Runs {@code build} with every node that {@code Apply.of} and {@code Constant.of} make on
     * this thread placed at {@code pos}. The gradient walker builds each op's bprop at the op's
     * own position, so a gradient node says which expression it differentiates: in a shape
     * error, in the rewrite log, and where {@code --nan-guard} stops.
     */
    public static <T> T buildingAt(SourcePos pos, Supplier<T> build) {
        SourcePos outer = BUILDING_AT.get();
        BUILDING_AT.set(pos);
        try {
            return build.get();
        } finally {
            BUILDING_AT.set(outer);
        }
    }

    /** {@code mlp.graft:11:10}, the one position format. */
    @Override
    public String toString() { return isKnown() ? file + ":" + lineColumn() : "<java>"; }

    /** {@code 11:10}: the position within its file, as a message about that file writes another position. */
    public String lineColumn() { return line + ":" + column; }
}
