package org.graft.core.runtime;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.graft.core.rewrite.Phase;
import org.graft.core.rewrite.Rewriter;

/**
 * How {@link Compiler} prepares a graph: whether it rewrites it, and which phases it leaves
 * out. By default every standard phase runs ({@link Rewriter#standard()}, which graph-ops
 * registers: without it, asking for them is an error); {@link #NONE} is {@code -O0}, the graph
 * exactly as written.
 */
public record Options(boolean rewrite, Set<String> skipped) {
    public static final Options DEFAULT = new Options(true, Set.of());
    public static final Options NONE = new Options(false, Set.of());

    public Options { skipped = Set.copyOf(skipped); }

    /** These options with the phase {@code name} left out; an {@link IllegalArgumentException} for a name no phase has. */
    public Options without(String name) {
        List<String> known = Rewriter.standard().stream().map(Phase::name).toList();
        if (!known.contains(name)) {
            throw new IllegalArgumentException("there is no rewrite phase " + name + "; the phases are " + String.join(", ", known));
        }
        var out = new LinkedHashSet<>(skipped);
        out.add(name);
        return new Options(rewrite, out);
    }

    /** The phases these options run, in order. */
    public List<Phase> phases() {
        if (!rewrite) return List.of();
        return Rewriter.standard().stream().filter(p -> !skipped.contains(p.name())).toList();
    }
}
