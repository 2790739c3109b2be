package org.graft.ops;

/**
 * One axis's part of a NumPy basic index: a range {@code start:stop:step}, which keeps the
 * axis, or an integer index, which picks one position and drops the axis. The language builds
 * {@code x[:, 0:10]} as {@code slice(x, Slice.all(), Slice.range(0, 10))}, {@code x[i]} as
 * {@code slice(x, Slice.index(i))} and {@code x[::2]} as {@code slice(x, Slice.range(null, null, 2))}.
 *
 * <p>Python's semantics throughout: a negative bound or index counts from the end, bounds
 * beyond the axis are clamped to it, and an omitted bound runs to the end of the axis in the
 * direction of the step.
 */
public sealed interface Slice {

    /** {@code start:stop:step}; a null bound is omitted, as Python's {@code None}. */
    record Range(Integer start, Integer stop, int step) implements Slice {

        /** True for {@code :} and {@code ::-1}, which take every position once on an axis of any size. */
        public boolean isWhole() { return start == null && stop == null && Math.abs(step) == 1; }

        /**
         * The first position and the number of positions on an axis of size {@code n}, as
         * Python's {@code slice.indices}; the step must not be 0.
         */
        int[] on(int n) {
            boolean up = step > 0;
            int first = start == null ? (up ? 0 : n - 1) : clamp(start, n, up);
            int end = stop == null ? (up ? n : -1) : clamp(stop, n, up); // -1: before position 0
            int count = up ? (end > first ? (end - first - 1) / step + 1 : 0)
                    : (first > end ? (first - end - 1) / -step + 1 : 0);
            return new int[] {first, count};
        }

        // a bound past either end stops there: at 0 or n going up, at -1 or n - 1 going down
        private static int clamp(int bound, int n, boolean up) {
            if (bound < 0) bound += n;
            if (bound < 0) return up ? 0 : -1;
            return bound >= n ? (up ? n : n - 1) : bound;
        }

        /** As written in Python: {@code 0:10}, {@code :}, {@code ::2}, {@code 1:}, {@code ::-1}. */
        @Override
        public String toString() {
            String bounds = (start == null ? "" : start) + ":" + (stop == null ? "" : stop);
            return step == 1 ? bounds : bounds + ":" + step;
        }
    }

    /** One position, which drops the axis; a negative index counts from the end. */
    record Index(int index) implements Slice {

        /** The position on an axis of size {@code n}, or -1 when the index is outside it. */
        int on(int n) {
            int at = index < 0 ? index + n : index;
            return at >= 0 && at < n ? at : -1;
        }

        @Override
        public String toString() { return Integer.toString(index); }
    }

    /** {@code :}, the whole axis. */
    static Slice all() { return new Range(null, null, 1); }

    /** {@code start:stop}. */
    static Slice range(int start, int stop) { return new Range(start, stop, 1); }

    /** {@code start:stop:step}, with null for an omitted bound: {@code range(null, null, -1)} is {@code ::-1}. */
    static Slice range(Integer start, Integer stop, int step) { return new Range(start, stop, step); }

    /** {@code i}: the position i (from the end when negative); the axis is dropped. */
    static Slice index(int i) { return new Index(i); }
}
