package org.graft.ops;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
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

    /** The names of the ops of {@code families} ({@link Registry#ops}) and of {@code singles} that {@code covered} lacks. */
    static List<String> missing(Set<Class<?>> covered, List<Class<?>> families, List<Class<?>> singles) {
        var missing = new ArrayList<String>();
        for (Class<?> family : families) {
            for (Class<?> op : Registry.ops(family)) if (!covered.contains(op)) missing.add(op.getName());
        }
        for (Class<?> op : singles) if (!covered.contains(op)) missing.add(op.getName());
        return missing;
    }
}
