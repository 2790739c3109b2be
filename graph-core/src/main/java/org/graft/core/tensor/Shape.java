package org.graft.core.tensor;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** The concrete dimensions of a tensor, outermost first. Immutable; equal when the dims are. */
public final class Shape {
    private static final Shape SCALAR = new Shape(new int[0]);

    private final int[] dims;
    private final int size;

    /**
     * The most elements a tensor holds: its values are one Java array, and the JVM refuses
     * arrays longer than about 2^31 (this is the length the JDK's own collections stop at).
     */
    public static final int MAX_SIZE = Integer.MAX_VALUE - 8;

    private Shape(int[] dims) {
        long n = 1;
        for (int d : dims) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + format(dims));
            n = times(n, d);
        }
        if (n > MAX_SIZE) throw new IllegalArgumentException(tooLarge(format(dims), n));
        this.dims = dims;
        this.size = (int) n;
    }

    /** {@code n * d} for counting elements, {@link Long#MAX_VALUE} where that overflows: any number of dims multiplies safely. */
    public static long times(long n, int d) { return n != 0 && d > Long.MAX_VALUE / n ? Long.MAX_VALUE : n * d; }

    /** What is said of dims that hold more than {@link #MAX_SIZE} elements. */
    public static String tooLarge(String dims, long elements) {
        String count = elements == Long.MAX_VALUE ? "more than 9,223,372,036,854,775,807"
                : String.format(java.util.Locale.ROOT, "%,d", elements);
        return dims + " would hold " + count + " elements; a tensor holds at most " + String.format(java.util.Locale.ROOT, "%,d", MAX_SIZE)
                + ", the most one Java array holds";
    }

    public static Shape of(int... dims) {
        return dims.length == 0 ? SCALAR : new Shape(dims.clone());
    }

    public static Shape scalar() { return SCALAR; }

    public int rank() { return dims.length; }

    /** The size of axis {@code axis}; negative axes count from the end. */
    public int dim(int axis) { return dims[axis(axis)]; }

    public int[] dims() { return dims.clone(); }

    /** The index of the element at a row-major {@code position}, as NumPy's {@code unravel_index}. */
    public int[] unravel(int position) {
        int[] strides = strides();
        int[] index = new int[rank()];
        for (int k = 0; k < index.length; k++) {
            index[k] = position / strides[k];
            position %= strides[k];
        }
        return index;
    }

    /** The number of elements: the product of the dims (1 for a scalar). */
    public int size() { return size; }

    /** An axis in {@code [-rank, rank)} as an index in {@code [0, rank)}. */
    public int axis(int axis) {
        if (axis < -dims.length || axis >= dims.length) {
            throw new IllegalArgumentException("axis " + axis + " is out of range for a shape of rank "
                    + dims.length + " " + this);
        }
        return axis < 0 ? axis + dims.length : axis;
    }

    /** Row-major strides, in elements. */
    public int[] strides() {
        int[] s = new int[dims.length];
        int stride = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = stride;
            stride *= dims[i];
        }
        return s;
    }

    /**
     * The strides with which this shape is read when broadcast to {@code target}: aligned from
     * the right, 0 along every axis where this shape has size 1 (or no axis at all).
     */
    int[] stridesBroadcastTo(Shape target) {
        int[] own = strides();
        int[] s = new int[target.rank()];
        int shift = target.rank() - rank();
        if (shift < 0) throw cannotBroadcast(this, target);
        for (int i = 0; i < rank(); i++) {
            int t = target.dims[i + shift];
            if (dims[i] == t) s[i + shift] = own[i];
            else if (dims[i] != 1) throw cannotBroadcast(this, target);
        }
        return s;
    }

    /**
     * For each element of {@code target}, row-major, the element of this shape that broadcasting
     * reads there: the index a kernel gathers with when no simpler pattern fits.
     */
    public int[] broadcastIndex(Shape target) {
        int[] index = new int[target.size()];
        var walk = new Odometer(target, stridesBroadcastTo(target));
        for (int i = 0; i < index.length; i++, walk.next()) index[i] = walk.offset[0];
        return index;
    }

    /** The NumPy broadcast of two shapes. */
    public static Shape broadcast(Shape a, Shape b) {
        if (a.equals(b)) return a;
        int rank = Math.max(a.rank(), b.rank());
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.rank() ? 1 : a.dims[i - (rank - a.rank())];
            int db = i < rank - b.rank() ? 1 : b.dims[i - (rank - b.rank())];
            if (da != db && da != 1 && db != 1) throw cannotBroadcast(a, b);
            out[i] = da == 1 ? db : da;
        }
        return new Shape(out);
    }

    private static IllegalArgumentException cannotBroadcast(Shape a, Shape b) {
        return new IllegalArgumentException("cannot broadcast " + a + " with " + b);
    }

    /** The shape with {@code axes} (normalized, distinct) removed, or set to 1 when {@code keepdims}. */
    public Shape reduce(int[] axes, boolean keepdims) {
        boolean[] reduced = new boolean[rank()];
        for (int a : axes) reduced[a] = true;
        int[] out = new int[keepdims ? rank() : rank() - axes.length];
        for (int i = 0, j = 0; i < rank(); i++) {
            if (!reduced[i]) out[j++] = dims[i];
            else if (keepdims) out[j++] = 1;
        }
        return of(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(dims); }

    /** {@code [2, 3]}; {@code []} for a scalar. */
    @Override
    public String toString() { return format(dims); }

    private static String format(int[] dims) {
        return format(Arrays.stream(dims).boxed().collect(Collectors.toList()));
    }

    /** The one shape formatter: {@code [n, 784]}, for concrete and symbolic dims alike. */
    public static String format(List<?> dims) {
        return dims.stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
    }
}
