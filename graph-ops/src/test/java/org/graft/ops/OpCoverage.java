package org.graft.ops;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.graft.core.Apply;
import org.graft.core.Graph;
import org.graft.core.Node;

/** What a test's cases leave out: the check F32Test, SecondOrderSizeTest and ForwardModeTest make of their cases. */
final class OpCoverage {
    private OpCoverage() {}

    /** The op of every node of the graphs below {@code roots}. */
    static Set<Class<?>> opsIn(Collection<? extends Node> roots) {
        Set<Class<?>> ops = new HashSet<>();
        for (Node n : Graph.topologicalOrder(roots)) if (n instanceof Apply a) ops.add(a.op().getClass());
        return ops;
    }

    /** Every op: the registry's, and the count that mean's gradient builds, which the language never writes. */
    private static final List<Class<?>> ALL = all();

    /** The names of the ops that {@code covered} lacks, but those that are (or belong to) one of {@code without}. */
    static List<String> missing(Set<Class<?>> covered, List<Class<?>> without) {
        var missing = new ArrayList<String>();
        for (Class<?> op : ALL) {
            if (!covered.contains(op) && without.stream().noneMatch(w -> w.isAssignableFrom(op))) missing.add(op.getName());
        }
        return missing;
    }

    private static List<Class<?>> all() {
        var ops = new LinkedHashSet<Class<?>>();
        for (Registry.Entry e : Registry.all()) ops.add(e.op());
        ops.add(Reduce.Count.class);
        return List.copyOf(ops);
    }
}
