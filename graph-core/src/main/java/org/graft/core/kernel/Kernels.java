package org.graft.core.kernel;

import java.util.Arrays;

import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;

/**
 * Kernels that several op families share: copying, filling, gathering, broadcasting and summing along
 * axes. Each is planned once for its shapes (the access pattern is chosen then, not per element)
 * and computes exactly what the reference {@link org.graft.core.tensor.Tensor} method computes,
 * in the same order, so the bits agree. Each works on the buffers of its site's dtype, so an op
 * can return the same kernel from {@link org.graft.core.Op#kernel} and
 * {@link org.graft.core.Op#kernelF32}; an f32 sum adds in double and rounds once, as the
 * reference does.
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
        if (site.dtype() == DType.F32) {
            float single = (float) value;
            return b -> Arrays.fill((float[]) b[out], 0, n, single);
        }
        return b -> Arrays.fill((double[]) b[out], 0, n, value);
    }

    /**
     * Each output element {@code i} is input 0's element {@code index[i]}, or {@code fill} where
     * the index is -1: the kernel of the ops that only move elements about (tile, flip, pad).
     */
    public static Kernel gather(Site site, int[] index, double fill) {
        int in = site.slot(0), out = site.slot();
        if (site.dtype() == DType.F32) {
            float single = (float) fill;
            return b -> {
                float[] x = (float[]) b[in], y = (float[]) b[out];
                for (int i = 0; i < index.length; i++) y[i] = index[i] < 0 ? single : x[index[i]];
            };
        }
        return b -> {
            double[] x = (double[]) b[in], y = (double[]) b[out];
            for (int i = 0; i < index.length; i++) y[i] = index[i] < 0 ? fill : x[index[i]];
        };
    }

    /** Input {@code operand} broadcast to the output's shape. */
    public static Kernel broadcast(Site site, int operand) {
        var copy = Broadcast.of(site.in(operand), site.out());
        int in = site.slot(operand), out = site.slot();
        if (site.dtype() == DType.F32) return b -> copy.into((float[]) b[in], (float[]) b[out]);
        return b -> copy.into((double[]) b[in], (double[]) b[out]);
    }

    /**
     * The sum of input 0 along {@code axes} (indices in [0, rank), ascending), divided by
     * {@code divisor} unless it is 1, as {@link org.graft.core.tensor.Tensor#sum(int[], boolean)}
     * then a division: the output's layout is the kept axes in order, so with or without
     * {@code keepdims} the elements are the same.
     */
    public static Sum sum(Site site, int[] axes, double divisor) {
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
        Pattern pattern = size == 0 || outSize == 0 ? Pattern.EMPTY
                : lastKept < firstReduced ? Pattern.RUNS
                : lastReduced < firstKept ? Pattern.COLUMNS
                : Pattern.SCATTER;
        int[] target = pattern == Pattern.SCATTER ? reducedIndex(x, reduced) : null;
        return new Sum(pattern, in, out, size, outSize, target, divisor, site.dtype() == DType.F32);
    }

    /**
     * How a sum reads its operand: each output element a contiguous run (a row sum, a total),
     * every run of the operand added onto the output row (a column sum, a bias's gradient), or
     * through an index for any other set of axes.
     */
    private enum Pattern { EMPTY, RUNS, COLUMNS, SCATTER }

    /**
     * The sum kernel; in f32 it adds the widened floats into doubles and rounds each result once.
     * Every output element is the sum of its inputs in ascending order from 0.0, whatever the
     * pattern, so any run of output elements can be computed on its own ({@link #block}) with
     * the bits the whole sum gives them: a loop of the reduced shape computes a sum feeding it
     * block by block instead of reading it from a buffer.
     */
    public static final class Sum implements Kernel {
        private final Pattern pattern;
        private final int in, out, size, outSize;
        private final int[] target;
        private final double divisor;
        private final double[] sums;    // f32: the double sums, before rounding

        Sum(Pattern pattern, int in, int out, int size, int outSize, int[] target, double divisor, boolean f32) {
            this.pattern = pattern;
            this.in = in;
            this.out = out;
            this.size = size;
            this.outSize = outSize;
            this.target = target;
            this.divisor = divisor;
            this.sums = f32 ? new double[outSize] : null;
        }

        @Override
        public void run(Object[] b) { block(b[in], b[out], sums, 0, outSize); }

        /**
         * True when {@link #block} takes any run of output elements; false for a sum through an
         * index (neither a run per element nor a column sum), which computes all of them at once.
         */
        public boolean blockwise() { return pattern != Pattern.SCATTER; }

        /**
         * Output elements {@code [start, start + n)} of the sum of {@code x} (the input's
         * {@code double[]} or {@code float[]}) into {@code y[0, n)}, an array of the same kind;
         * for f32 the double sums go through {@code scratch}, at least {@code n} long. Unless
         * {@link #blockwise}, only the whole output: {@code start = 0, n = } its size.
         */
        public void block(Object x, Object y, double[] scratch, int start, int n) {
            double[] s = y instanceof double[] d ? d : scratch;
            if (x instanceof double[] v) sum(v, s, start, n);
            else sum((float[]) x, s, start, n);
            if (divisor != 1) for (int j = 0; j < n; j++) s[j] /= divisor;
            if (y instanceof float[] f) for (int j = 0; j < n; j++) f[j] = (float) s[j];
        }

        private void sum(double[] v, double[] y, int start, int n) {
            switch (pattern) {
                case EMPTY -> Arrays.fill(y, 0, n, 0.0);
                case RUNS -> {
                    int run = size / outSize;
                    for (int o = 0, i = start * run; o < n; o++) {
                        double s = 0.0;
                        for (int end = i + run; i < end; i++) s += v[i];
                        y[o] = s;
                    }
                }
                case COLUMNS -> {
                    Arrays.fill(y, 0, n, 0.0);
                    for (int i = start; i < size; i += outSize) {
                        for (int j = 0; j < n; j++) y[j] += v[i + j];
                    }
                }
                case SCATTER -> {
                    Arrays.fill(y, 0, outSize, 0.0);
                    for (int i = 0; i < size; i++) y[target[i]] += v[i];
                }
            }
        }

        private void sum(float[] v, double[] y, int start, int n) {
            switch (pattern) {
                case EMPTY -> Arrays.fill(y, 0, n, 0.0);
                case RUNS -> {
                    int run = size / outSize;
                    for (int o = 0, i = start * run; o < n; o++) {
                        double s = 0.0;
                        for (int end = i + run; i < end; i++) s += v[i];
                        y[o] = s;
                    }
                }
                case COLUMNS -> {
                    Arrays.fill(y, 0, n, 0.0);
                    for (int i = start; i < size; i += outSize) {
                        for (int j = 0; j < n; j++) y[j] += v[i + j];
                    }
                }
                case SCATTER -> {
                    Arrays.fill(y, 0, outSize, 0.0);
                    for (int i = 0; i < size; i++) y[target[i]] += v[i];
                }
            }
        }
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
