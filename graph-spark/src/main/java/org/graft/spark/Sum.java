package org.graft.spark;

import java.io.Serializable;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * The partitions' {@link Partial}s summed in a tree whose shape is fixed by the partitions'
 * indices, whatever order Spark's {@code treeAggregate} merges them in: two partials are added
 * only when they are the two halves of one block of the binary tree over the indices (buddies),
 * and a + b = b + a exactly in IEEE arithmetic, so every merge order gives the same bits. What
 * no buddy completes (when the partitions are not a power of two) is added at the end, in the
 * order of the partitions.
 */
final class Sum implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Map<Long, Partial> open = new HashMap<>();   // by level and block

    /** Adds a partition's partial, or a partial already summed; returns this, as Spark's aggregate lets it. */
    Sum add(Partial p) {
        Partial c = p;
        for (Partial buddy; (buddy = open.remove(key(c.level(), c.block() ^ 1))) != null; ) {
            Partial low = c.block() < buddy.block() ? c : buddy, high = low == c ? buddy : c;
            c = low.plus(high, c.level() + 1, c.block() >> 1);
        }
        open.put(key(c.level(), c.block()), c);
        return this;
    }

    /** Adds every partial of {@code other}. */
    Sum merge(Sum other) {
        other.open.values().forEach(this::add);
        return this;
    }

    /** The whole sum; null when nothing was added. */
    Partial total() {
        return open.values().stream().sorted(Comparator.comparingLong(Partial::firstPartition))
                .reduce((a, b) -> a.plus(b, a.level(), a.block())).orElse(null);
    }

    private static long key(int level, int block) { return (long) level << 32 | block; }
}
