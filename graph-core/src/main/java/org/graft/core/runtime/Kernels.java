package org.graft.core.runtime;

import java.util.Arrays;

import org.graft.core.tensor.Shape;

/**
 * Kernels that several op families share: copying, filling, broadcasting and summing along
 * axes. Each is planned once for its shapes (the access pattern is chosen then, not per element)
 * and computes exactly what the reference {@link org.graft.core.tensor.Tensor} method computes,
 * in the same order, so the bits agree.
 */
public final class Kernels {
    private Kernels() {}

    /** The output is input 0's elements in the same order: reshapes, and ops that are the identity on values. */
    public static Kernel copy(Site site) {
        int in = site.slot(0), out = site.slot(), n = site.out().size();
        return b -> System.arraycopy(b[in], 0, b[out], 0, n);
    }

    /** Every element of the output is {@code value}. */
    public static Kernel fill(Site site, double value) {
        int out = site.slot(), n = site.out().size();
        return b -> Arrays.fill((double[]) b[out], 0, n, value);
    }

    /** Input {@code operand} broadcast to the output's shape. */
    public static Kernel broadcast(Site site, int operand) {
        var copy = Broadcast.of(site.in(operand), site.out());
        int in = site.slot(operand), out = site.slot();
        return b -> copy.into((double[]) b[in], (double[]) b[out]);
    }

    /**
     * The sum of input 0 along {@code axes} (indices in [0, rank), ascending), divided by
     * {@code divisor} unless it is 1, as {@link org.graft.core.tensor.Tensor#sum(int[], boolean)}
     * then a division: the output's layout is the kept axes in order, so with or without
     * {@code keepdims} the elements are the same.
     */
    public static Kernel sum(Site site, int[] axes, double divisor) {
        Shape x = site.in(0);
        int in = site.slot(0), out = site.slot();
        int size = x.size(), outSize = site.out().size();
        boolean[] reduced = new boolean[x.rank()];
        for (int a : axes) reduced[a] = true;
        // axes of size 1 change no layout: leave them out when telling the pattern
        int lastKept = -1, firstReduced = x.rank(), lastReduced = -1, firstKept = x.rank();
        for (int i = 0; i < x.rank(); i++) {
            if (x.dim(i) == 1) continue;
            if (reduced[i]) {
                firstReduced = Math.min(firstReduced, i);
                lastReduced = i;
            } else {
                firstKept = Math.min(firstKept, i);
                lastKept = i;
            }
        }
        boolean scale = divisor != 1;
        if (size == 0 || outSize == 0) {
            return b -> Arrays.fill((double[]) b[out], 0, outSize, scale ? 0.0 / divisor : 0.0);
        }
        if (lastKept < firstReduced) { // each output element sums one contiguous run
            int run = size / outSize;
            return b -> {
                double[] v = (double[]) b[in], y = (double[]) b[out];
                for (int o = 0, i = 0; o < outSize; o++) {
                    double s = 0.0;
                    for (int end = i + run; i < end; i++) s += v[i];
                    y[o] = scale ? s / divisor : s;
                }
            };
        }
        if (lastReduced < firstKept) { // the output is a row that every run of x adds onto
            return b -> {
                double[] v = (double[]) b[in], y = (double[]) b[out];
                Arrays.fill(y, 0, outSize, 0.0);
                for (int i = 0; i < size; i += outSize) {
                    for (int j = 0; j < outSize; j++) y[j] += v[i + j];
                }
                if (scale) for (int j = 0; j < outSize; j++) y[j] /= divisor;
            };
        }
        int[] target = reducedIndex(x, reduced);
        return b -> {
            double[] v = (double[]) b[in], y = (double[]) b[out];
            Arrays.fill(y, 0, outSize, 0.0);
            for (int i = 0; i < size; i++) y[target[i]] += v[i];
            if (scale) for (int j = 0; j < outSize; j++) y[j] /= divisor;
        };
    }

    /** For each element of x, row-major, the output element it is summed into. */
    private static int[] reducedIndex(Shape x, boolean[] reduced) {
        int[] kept = new int[x.rank()];
        for (int i = 0; i < kept.length; i++) kept[i] = reduced[i] ? 1 : x.dim(i);
        return Shape.of(kept).broadcastIndex(x);
    }

    /**
     * A broadcast from one shape to another, planned once: a straight copy, one value repeated,
     * a value repeated with a period (a bias row over a batch), or a gather for anything else.
     */
    public static final class Broadcast {
        private final int size;
        private final int period;       // 0: gather
        private final int[] gather;

        private Broadcast(int size, int period, int[] gather) {
            this.size = size;
            this.period = period;
            this.gather = gather;
        }

        /** The broadcast of {@code from} to {@code to}, which must be a broadcast of it. */
        public static Broadcast of(Shape from, Shape to) {
            int[] f = from.dims(), t = to.dims();
            int lead = 0;
            while (lead < f.length && f[lead] == 1) lead++;
            int k = f.length - lead;
            boolean trailing = k <= t.length;
            for (int i = 0; trailing && i < k; i++) trailing = f[lead + i] == t[t.length - k + i];
            if (trailing) return new Broadcast(to.size(), Math.max(from.size(), 1), null);
            return new Broadcast(to.size(), 0, from.broadcastIndex(to));
        }

        public void into(double[] from, double[] to) {
            if (size == 0) return;
            if (gather != null) {
                for (int i = 0; i < size; i++) to[i] = from[gather[i]];
            } else if (period == 1) {
                Arrays.fill(to, 0, size, from[0]);
            } else {
                for (int i = 0; i < size; i += period) System.arraycopy(from, 0, to, i, period);
            }
        }

        public void into(float[] from, float[] to) {
            if (size == 0) return;
            if (gather != null) {
                for (int i = 0; i < size; i++) to[i] = from[gather[i]];
            } else if (period == 1) {
                Arrays.fill(to, 0, size, from[0]);
            } else {
                for (int i = 0; i < size; i += period) System.arraycopy(from, 0, to, i, period);
            }
        }
    }
}
