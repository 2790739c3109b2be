package org.graft.spark;

import java.io.Serializable;

/**
 * A sum over the partitions {@code block * 2^level .. (block + 1) * 2^level - 1} (level 0: one
 * partition's own): of the objective and of each array, each partition's already weighted by
 * its share of the batch, with the examples counted and the slowest partition's seconds.
 */
record Partial(int level, int block, double objective, double[][] arrays, int examples, double seconds) implements Serializable {

    /** The partition of {@code first} that this covers first. */
    long firstPartition() { return (long) block << level; }

    /** This and {@code other} added elementwise, as the partial of {@code level} and {@code block}. */
    Partial plus(Partial other, int level, int block) {
        double[][] sum = new double[arrays.length][];
        for (int k = 0; k < arrays.length; k++) {
            double[] a = arrays[k], b = other.arrays[k];
            double[] s = new double[a.length];
            for (int i = 0; i < s.length; i++) s[i] = a[i] + b[i];
            sum[k] = s;
        }
        return new Partial(level, block, objective + other.objective, sum, examples + other.examples,
                Math.max(seconds, other.seconds));
    }
}
