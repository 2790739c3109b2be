package org.graft.core.rewrite;

import org.graft.core.SourcePos;

/**
 * One entry of the rewrite log: in {@code phase}, {@code rule} replaced the node written at
 * {@code pos} ({@code before}, as {@code op(operands)}) by {@code after}.
 */
public record Rewrite(String phase, String rule, SourcePos pos, String before, String after) {
    @Override
    public String toString() { return pos + "  " + phase + "  " + rule + "  " + before + " => " + after; }
}
