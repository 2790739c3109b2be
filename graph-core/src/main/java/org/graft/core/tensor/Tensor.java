package org.graft.core.tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.random.RandomGenerator;

import org.graft.core.blas.Blas;

/**
 * A dense n-dimensional array of numbers of one {@link DType}, row-major. A tensor never
 * changes after it is made: every operation returns a new one, so values can be shared between
 * nodes, calls and threads.
 *
 * <p>Elementwise operations broadcast as in NumPy. Every operation that returns a tensor gives
 * it its operands' dtype; operands of two dtypes are an {@link IllegalArgumentException}
 * naming both (convert one with {@link #astype}).
 *
 * <p><b>f32.</b> The elements are stored as doubles in either dtype; an {@link DType#F32}
 * tensor holds only values that a {@code float} represents exactly, because every value is
 * rounded to the nearest float (ties to even, overflow to infinity) when an f32 tensor is
 * made. This is the reference semantics of f32: an operation computes in double and rounds
 * its result once. For {@code + - * /} and {@code sqrt} of floats that is exactly IEEE float
 * arithmetic, since a double has more than twice a float's precision plus two bits; for
 * {@code exp}, {@code log} and the other functions it is the correctly rounded value of the
 * double result; reductions and matrix products accumulate in double and round each result
 * once, so they are at least as accurate as a float accumulator, and may differ from one by
 * the float accumulator's rounding.
 */
public final class Tensor {
    private final DType dtype;
    private final Shape shape;
    private final double[] data;

    /** Wraps {@code data}, whose values must already be representable in {@code dtype}. */
    private Tensor(DType dtype, Shape shape, double[] data) {
        if (data.length != shape.size()) {
            throw new IllegalArgumentException(data.length + " values do not fill a tensor of shape " + shape
                    + " (" + shape.size() + " elements)");
        }
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
    }

    /** Wraps {@code data}, a fresh array that no one else holds, after rounding it in place to {@code dtype}. */
    private static Tensor rounded(DType dtype, Shape shape, double[] data) {
        if (dtype == DType.F32) for (int i = 0; i < data.length; i++) data[i] = (float) data[i];
        return new Tensor(dtype, shape, data);
    }

    // ---- making tensors -------------------------------------------------------------------

    /** An f64 tensor of the given shape holding a copy of {@code data}, row-major. */
    public static Tensor of(Shape shape, double[] data) { return new Tensor(DType.F64, shape, data.clone()); }

    /** A tensor of {@code dtype} and the given shape holding a copy of {@code data}, row-major, each value rounded to the dtype. */
    public static Tensor of(DType dtype, Shape shape, double[] data) { return rounded(dtype, shape, data.clone()); }

    /**
     * A tensor over {@code data} itself, not a copy, whose values must already be representable
     * in {@code dtype}: for a caller that refills one array between the calls of a compiled
     * function (the trainer's batch), so that feeding a call allocates nothing. It is the one
     * tensor that changes: its owner changes it by refilling the array, so it must not be handed
     * to anything that keeps it past a call.
     */
    public static Tensor sharing(DType dtype, Shape shape, double[] data) { return new Tensor(dtype, shape, data); }

    /** An f64 tensor of the given dims holding a copy of {@code data}, row-major. */
    public static Tensor of(double[] data, int... dims) { return of(Shape.of(dims), data); }

    /** An f64 scalar. */
    public static Tensor scalar(double value) { return new Tensor(DType.F64, Shape.scalar(), new double[] {value}); }

    /** A scalar of {@code dtype}: {@code value} rounded to it. */
    public static Tensor scalar(DType dtype, double value) { return rounded(dtype, Shape.scalar(), new double[] {value}); }

    /** An f64 vector. */
    public static Tensor vector(double... values) { return of(values, values.length); }

    /** An f64 rank-2 tensor from rows of equal length. */
    public static Tensor matrix(double[]... rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        double[] data = new double[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, row 0 has " + cols);
            }
            System.arraycopy(rows[i], 0, data, i * cols, cols);
        }
        return new Tensor(DType.F64, Shape.of(rows.length, cols), data);
    }

    /** f64 zeros. */
    public static Tensor zeros(Shape shape) { return zeros(DType.F64, shape); }

    public static Tensor zeros(DType dtype, Shape shape) { return new Tensor(dtype, shape, new double[shape.size()]); }

    /** f64 ones. */
    public static Tensor ones(Shape shape) { return full(shape, 1.0); }

    public static Tensor ones(DType dtype, Shape shape) { return full(dtype, shape, 1.0); }

    /** An f64 tensor with every element {@code value}. */
    public static Tensor full(Shape shape, double value) { return full(DType.F64, shape, value); }

    /** A tensor of {@code dtype} with every element {@code value}, rounded to the dtype. */
    public static Tensor full(DType dtype, Shape shape, double value) {
        double[] data = new double[shape.size()];
        Arrays.fill(data, value);
        return rounded(dtype, shape, data);
    }

    /** Independent f64 draws from the normal distribution with the given mean and standard deviation. */
    public static Tensor normal(Shape shape, double mean, double std, RandomGenerator random) {
        return normal(DType.F64, shape, mean, std, random);
    }

    /**
     * Independent draws from the normal distribution with the given mean and standard
     * deviation, each drawn in double and rounded to {@code dtype}: the same stream gives an f32
     * tensor that is the f64 one rounded.
     */
    public static Tensor normal(DType dtype, Shape shape, double mean, double std, RandomGenerator random) {
        double[] data = new double[shape.size()];
        for (int i = 0; i < data.length; i++) data[i] = mean + std * random.nextGaussian();
        return rounded(dtype, shape, data);
    }

    /** Independent f64 draws from the uniform distribution on {@code [lo, hi)}. */
    public static Tensor uniform(Shape shape, double lo, double hi, RandomGenerator random) {
        return uniform(DType.F64, shape, lo, hi, random);
    }

    /**
     * Independent draws from the uniform distribution on {@code [lo, hi)}, each drawn in double
     * and rounded to {@code dtype}. A draw just below {@code hi} that rounds up to it is taken
     * as the largest value of the dtype below {@code hi} instead, so no draw is ever {@code hi}.
     */
    public static Tensor uniform(DType dtype, Shape shape, double lo, double hi, RandomGenerator random) {
        double[] data = new double[shape.size()];
        for (int i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * random.nextDouble();
        if (dtype == DType.F32) {
            for (int i = 0; i < data.length; i++) {
                float v = (float) data[i];
                while (v >= hi) v = Math.nextDown(v);
                data[i] = v;
            }
        }
        return new Tensor(dtype, shape, data);
    }

    /**
     * This tensor's values in {@code dtype}: itself when it has that dtype already, else a
     * tensor of the values rounded to {@code dtype} (exact from f32 to f64).
     */
    public Tensor astype(DType target) {
        if (target == dtype) return this;
        if (target == DType.F64) return new Tensor(target, shape, data); // every float is a double: share the storage
        return rounded(target, shape, data.clone());
    }

    // ---- reading ----------------------------------------------------------------------------

    public Shape shape() { return shape; }

    public DType dtype() { return dtype; }

    public int rank() { return shape.rank(); }

    public int size() { return shape.size(); }

    /** The element at a full index; negative indices are not accepted. */
    public double get(int... index) {
        if (index.length != shape.rank()) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " has " + index.length
                    + " components; the tensor has shape " + shape);
        }
        int[] strides = shape.strides();
        int flat = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape.dim(i)) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " is outside shape " + shape);
            }
            flat += index[i] * strides[i];
        }
        return data[flat];
    }

    /** The element at a row-major position in {@code [0, size)}. */
    public double getFlat(int position) { return data[position]; }

    /** The value of a tensor with exactly one element. */
    public double item() {
        if (data.length != 1) throw new IllegalStateException("item() of a tensor of shape " + shape);
        return data[0];
    }

    /** A copy of the elements, row-major. */
    public double[] toArray() { return data.clone(); }

    /**
     * The tensor's own array of elements, row-major, not a copy: for the compiled runtime's
     * kernels, which read inputs where they are instead of copying them at every call. Nothing
     * may write to it: a tensor never changes, but one made {@linkplain #sharing sharing} an
     * array whose owner refills it.
     */
    public double[] storage() { return data; }

    // ---- elementwise ----------------------------------------------------------------------

    /** {@code f} of each element, rounded to this tensor's dtype. */
    public Tensor map(DoubleUnaryOperator f) {
        double[] out = new double[data.length];
        for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(data[i]);
        return rounded(dtype, shape, out);
    }

    /**
     * {@code f(this, other)} elementwise, broadcasting both operands as in NumPy, rounded to
     * their dtype; operands of different dtypes are an error.
     */
    public Tensor zip(Tensor other, DoubleBinaryOperator f) {
        DType type = common("zip", this, other);
        double[] a = data, b = other.data;
        if (shape.equals(other.shape)) {
            double[] out = new double[a.length];
            for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(a[i], b[i]);
            return rounded(type, shape, out);
        }
        Shape target = Shape.broadcast(shape, other.shape);
        double[] out = new double[target.size()];
        var walk = new Odometer(target, shape.stridesBroadcastTo(target), other.shape.stridesBroadcastTo(target));
        for (int i = 0; i < out.length; i++, walk.next()) {
            out[i] = f.applyAsDouble(a[walk.offset[0]], b[walk.offset[1]]);
        }
        return rounded(type, target, out);
    }

    /** The dtype the operands share, or an error naming the operation and both dtypes. */
    private static DType common(String what, Tensor a, Tensor b) {
        if (a.dtype != b.dtype) {
            throw new IllegalArgumentException(what + " of tensors of different dtypes: " + a.describe() + " and " + b.describe());
        }
        return a.dtype;
    }

    /** {@code f32[2, 3]} or {@code [2, 3]}: the dtype and shape, as a type prints. */
    private String describe() { return dtype == DType.F64 ? shape.toString() : dtype + shape.toString(); }

    public Tensor add(Tensor other) { return zip(other, Double::sum); }

    public Tensor sub(Tensor other) { return zip(other, (x, y) -> x - y); }

    public Tensor mul(Tensor other) { return zip(other, (x, y) -> x * y); }

    public Tensor div(Tensor other) { return zip(other, (x, y) -> x / y); }

    /** This tensor repeated along its broadcast axes to fill {@code target}. */
    public Tensor broadcastTo(Shape target) {
        if (shape.equals(target)) return this;
        double[] out = new double[target.size()];
        var walk = new Odometer(target, shape.stridesBroadcastTo(target));
        for (int i = 0; i < out.length; i++, walk.next()) out[i] = data[walk.offset[0]];
        return new Tensor(dtype, target, out);
    }

    // ---- reductions -------------------------------------------------------------------------

    /**
     * Folds the elements along {@code axes} (negative axes count from the end) with {@code f},
     * starting each fold at {@code identity}; the reduced axes are dropped, or kept with size 1
     * when {@code keepdims}. The fold runs in double; each result is rounded to the dtype once.
     */
    public Tensor reduce(int[] axes, boolean keepdims, double identity, DoubleBinaryOperator f) {
        int[] normalized = normalizeAxes(axes);
        Shape kept = shape.reduce(normalized, true);
        double[] out = new double[kept.size()];
        Arrays.fill(out, identity);
        var walk = new Odometer(shape, kept.stridesBroadcastTo(shape));
        for (int i = 0; i < data.length; i++, walk.next()) {
            int o = walk.offset[0];
            out[o] = f.applyAsDouble(out[o], data[i]);
        }
        return rounded(dtype, keepdims ? kept : shape.reduce(normalized, false), out);
    }

    /** The sum along {@code axes}. */
    public Tensor sum(int[] axes, boolean keepdims) { return reduce(axes, keepdims, 0.0, Double::sum); }

    /** The sum of every element, in double whatever the dtype. */
    public double sum() {
        double s = 0;
        for (double v : data) s += v;
        return s;
    }

    /**
     * The sum that undoes broadcasting: adds up the elements along every axis where
     * {@code target} was broadcast to this shape, giving a tensor of shape {@code target}.
     */
    public Tensor sumTo(Shape target) {
        if (shape.equals(target)) return this;
        double[] out = new double[target.size()];
        var walk = new Odometer(shape, target.stridesBroadcastTo(shape));
        for (int i = 0; i < data.length; i++, walk.next()) out[walk.offset[0]] += data[i];
        return rounded(dtype, target, out);
    }

    /** The sum of the elementwise products, in double whatever the dtype; the dtypes and shapes must be equal. */
    public double dot(Tensor other) {
        common("dot", this, other);
        if (!shape.equals(other.shape)) {
            throw new IllegalArgumentException("dot of tensors of shapes " + shape + " and " + other.shape);
        }
        double s = 0;
        for (int i = 0; i < data.length; i++) s += data[i] * other.data[i];
        return s;
    }

    private int[] normalizeAxes(int[] axes) {
        int[] out = new int[axes.length];
        boolean[] seen = new boolean[shape.rank()];
        for (int i = 0; i < axes.length; i++) {
            out[i] = shape.axis(axes[i]);
            if (seen[out[i]]) throw new IllegalArgumentException("axis " + axes[i] + " is repeated in " + Arrays.toString(axes));
            seen[out[i]] = true;
        }
        return out;
    }

    // ---- linear algebra and layout ----------------------------------------------------------

    /**
     * The matrix product as in NumPy's {@code matmul} for ranks 1 and 2: a rank-1 left operand
     * is a row, a rank-1 right operand a column, and that axis is dropped from the result.
     * The products are summed in double and each result rounded to the operands' dtype.
     */
    public Tensor matmul(Tensor other) {
        DType type = common("matmul", this, other);
        if (rank() < 1 || rank() > 2 || other.rank() < 1 || other.rank() > 2) {
            throw new IllegalArgumentException("matmul takes ranks 1 and 2, found " + shape + " @ " + other.shape);
        }
        int m = rank() == 2 ? shape.dim(0) : 1;
        int k = shape.dim(-1);
        int k2 = other.shape.dim(0);
        int n = other.rank() == 2 ? other.shape.dim(1) : 1;
        if (k != k2) throw new IllegalArgumentException("matmul: inner dimensions differ: " + shape + " @ " + other.shape);
        double[] out = new double[m * n];
        Blas.reference().dgemm(false, false, m, n, k, 1.0, data, other.data, 0.0, out);
        Shape result = rank() == 2 && other.rank() == 2 ? Shape.of(m, n)
                : rank() == 2 ? Shape.of(m)
                : other.rank() == 2 ? Shape.of(n)
                : Shape.scalar();
        return rounded(type, result, out);
    }

    /**
     * The general matrix product of BLAS, {@code op(a) op(b)}, where {@code op} transposes an
     * operand whose flag is set. The operands have rank 2 and are read as they are stored: the
     * transposed product is not formed.
     */
    public static Tensor gemm(Tensor a, boolean transA, Tensor b, boolean transB) { return gemm(a, transA, b, transB, null); }

    /**
     * {@code op(a) op(b) + c} as {@link #gemm(Tensor, boolean, Tensor, boolean)}, with {@code c}
     * broadcast to the product's shape ({@code [n]} or {@code [1, n]} for a bias per column)
     * and the product added onto it in the same pass. The three share a dtype; each result is
     * summed in double and rounded to it once.
     */
    public static Tensor gemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c) {
        DType type = common("gemm", a, b);
        if (c != null) common("gemm", a, c);
        if (a.rank() != 2 || b.rank() != 2) {
            throw new IllegalArgumentException("gemm takes operands of rank 2, found " + gemmOperands(a, transA, b, transB));
        }
        int m = a.shape.dim(transA ? 1 : 0), k = a.shape.dim(transA ? 0 : 1);
        int k2 = b.shape.dim(transB ? 1 : 0), n = b.shape.dim(transB ? 0 : 1);
        if (k != k2) throw new IllegalArgumentException("gemm: inner dimensions differ: " + gemmOperands(a, transA, b, transB));
        Shape target = Shape.of(m, n);
        double[] out;
        if (c == null) out = new double[m * n];
        else {
            Tensor broadcast = c.broadcastTo(target);
            out = broadcast == c ? c.data.clone() : broadcast.data;
        }
        Blas.reference().dgemm(transA, transB, m, n, k, 1.0, a.data, b.data, 1.0, out); // onto the zeros or the bias
        return rounded(type, target, out);
    }

    private static String gemmOperands(Tensor a, boolean transA, Tensor b, boolean transB) {
        return a.shape + (transA ? ".T" : "") + " @ " + b.shape + (transB ? ".T" : "");
    }

    /** Swaps the last two axes. */
    public Tensor transpose() {
        if (rank() < 2) throw new IllegalArgumentException("transpose needs rank 2 or more, found " + shape);
        int[] perm = new int[rank()];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        perm[rank() - 2] = rank() - 1;
        perm[rank() - 1] = rank() - 2;
        return transpose(perm);
    }

    /** Axis {@code i} of the result is axis {@code perm[i]} of this tensor. */
    public Tensor transpose(int... perm) {
        if (perm.length != rank()) {
            throw new IllegalArgumentException("permutation " + Arrays.toString(perm) + " for a tensor of shape " + shape);
        }
        int[] normalized = normalizeAxes(perm);
        int[] from = shape.strides();
        int[] dims = new int[rank()];
        int[] strides = new int[rank()];
        for (int i = 0; i < perm.length; i++) {
            dims[i] = shape.dim(normalized[i]);
            strides[i] = from[normalized[i]];
        }
        Shape target = Shape.of(dims);
        double[] out = new double[data.length];
        var walk = new Odometer(target, strides);
        for (int i = 0; i < out.length; i++, walk.next()) out[i] = data[walk.offset[0]];
        return new Tensor(dtype, target, out);
    }

    /** The same elements in the same row-major order, under another shape of the same size. */
    public Tensor reshape(Shape target) {
        if (target.size() != size()) {
            throw new IllegalArgumentException("cannot reshape " + shape + " (" + size() + " elements) to " + target
                    + " (" + target.size() + " elements)");
        }
        return new Tensor(dtype, target, data); // immutable, so the storage can be shared
    }

    /**
     * A strided selection: along each axis the elements at {@code start + i * step} for
     * {@code i < count}, so the result has the dims {@code count}. A step may be negative (the
     * axis is read backwards) or 0 (one element repeated). Every position read must lie inside
     * the shape; when a count is 0 nothing is read, and the starts are not checked.
     */
    public Tensor slice(int[] start, int[] step, int[] count) {
        Shape target = Shape.of(count);
        int base = strided(start, step, target, shape, "slice");
        int[] strides = shape.strides();
        for (int i = 0; i < strides.length; i++) strides[i] *= step[i];
        double[] out = new double[target.size()];
        var walk = new Odometer(target, strides);
        for (int i = 0; i < out.length; i++, walk.next()) out[i] = data[base + walk.offset[0]];
        return new Tensor(dtype, target, out);
    }

    /**
     * The adjoint of {@link #slice}: zeros of shape {@code target} with this tensor's elements
     * added at the positions that {@code slice(start, step, this.shape().dims())} reads from
     * a tensor of that shape. Positions that coincide (a step of 0) add up.
     */
    public Tensor unslice(Shape target, int[] start, int[] step) {
        int base = strided(start, step, shape, target, "unslice");
        int[] strides = target.strides();
        for (int i = 0; i < strides.length; i++) strides[i] *= step[i];
        double[] out = new double[target.size()];
        var walk = new Odometer(shape, strides);
        for (int i = 0; i < data.length; i++, walk.next()) out[base + walk.offset[0]] += data[i];
        return rounded(dtype, target, out);
    }

    /**
     * The flat offset of the first position of a strided selection of {@code count} from
     * {@code from}, after checking that every position it reads lies inside {@code from}.
     */
    private static int strided(int[] start, int[] step, Shape count, Shape from, String what) {
        if (start.length != from.rank() || step.length != from.rank() || count.rank() != from.rank()) {
            throw new IllegalArgumentException(what + " of rank " + from.rank() + " with start " + Arrays.toString(start)
                    + ", step " + Arrays.toString(step) + " and count " + count);
        }
        if (count.size() == 0) return 0; // nothing is read
        int[] strides = from.strides();
        int base = 0;
        for (int i = 0; i < start.length; i++) {
            int last = start[i] + (count.dim(i) - 1) * step[i];
            if (start[i] < 0 || start[i] >= from.dim(i) || last < 0 || last >= from.dim(i)) {
                throw new IndexOutOfBoundsException(what + ": axis " + i + " reads " + start[i] + " to " + last
                        + " in steps of " + step[i] + ", outside " + from);
            }
            base += start[i] * strides[i];
        }
        return base;
    }

    /**
     * The tensors joined along {@code axis} (negative counts from the end): their dtypes and
     * ranks must agree, and their dims everywhere but on that axis.
     */
    public static Tensor concat(List<Tensor> parts, int axis) {
        if (parts.isEmpty()) throw new IllegalArgumentException("concat of no tensors");
        for (Tensor p : parts) common("concat", parts.get(0), p);
        Shape first = parts.get(0).shape;
        int a = first.axis(axis);
        int[] dims = first.dims();
        dims[a] = 0;
        for (Tensor p : parts) {
            int[] own = p.shape.dims();
            if (own.length == dims.length) own[a] = 0;
            if (!Arrays.equals(own, dims)) {
                throw new IllegalArgumentException("cannot concatenate " + first + " and " + p.shape + " along axis " + axis);
            }
        }
        for (Tensor p : parts) dims[a] += p.shape.dim(a);
        Shape target = Shape.of(dims);
        double[] out = new double[target.size()];
        int[] strides = target.strides();
        int base = 0; // where the current part starts along the axis, as a flat offset
        for (Tensor p : parts) {
            var walk = new Odometer(p.shape, strides);
            for (int i = 0; i < p.data.length; i++, walk.next()) out[base + walk.offset[0]] = p.data[i];
            base += p.shape.dim(a) * strides[a];
        }
        return new Tensor(parts.get(0).dtype, target, out);
    }

    // ---- comparing and printing -------------------------------------------------------------

    /**
     * True when the shapes are equal and every pair of elements satisfies
     * {@code |a - b| <= atol + rtol * |b|}, as NumPy's {@code allclose}, whatever the two
     * dtypes; NaN matches NaN and an infinity matches only itself.
     */
    public boolean allClose(Tensor other, double rtol, double atol) {
        if (!shape.equals(other.shape)) return false;
        for (int i = 0; i < data.length; i++) {
            double a = data[i], b = other.data[i];
            if (a == b || (Double.isNaN(a) && Double.isNaN(b))) continue;
            // with b infinite, atol + rtol * |b| is infinite and would accept anything
            if (Double.isInfinite(a) || Double.isInfinite(b)) return false;
            if (!(Math.abs(a - b) <= atol + rtol * Math.abs(b))) return false;
        }
        return true;
    }

    /**
     * Exact equality: same dtype, same shape and the same bits in every element (NaN equals NaN;
     * 0 and -0 differ). An f32 tensor never equals an f64 one, even with the same values.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && dtype == t.dtype && shape.equals(t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() { return 31 * (31 * dtype.hashCode() + shape.hashCode()) + Arrays.hashCode(data); }

    private static final int EDGE = 3; // elements shown at each end of a long axis

    /**
     * NumPy-like: {@code [[1, 2.5], [3, 4]]}; long axes are elided in the middle. An f32 tensor
     * says its dtype after the values, {@code [[1, 2.5], [3, 4]] (f32)}, as NumPy's repr says
     * {@code dtype=float32}: equality tells the dtypes apart, so a failed comparison of an f32
     * and an f64 tensor must not print two equal strings.
     */
    @Override
    public String toString() {
        var sb = new StringBuilder();
        appendAxis(sb, 0, 0);
        if (dtype != DType.F64) sb.append(" (").append(dtype).append(')');
        return sb.toString();
    }

    private void appendAxis(StringBuilder sb, int axis, int offset) {
        if (axis == rank()) {
            sb.append(format(data[offset]));
            return;
        }
        int n = shape.dim(axis);
        int stride = shape.strides()[axis];
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (n > 2 * EDGE + 1 && i == EDGE) {
                sb.append("..., ");
                i = n - EDGE - 1;
                continue;
            }
            appendAxis(sb, axis + 1, offset + i * stride);
            if (i < n - 1) sb.append(", ");
        }
        sb.append(']');
    }

    /** Integers without a fraction, everything else with up to 6 significant digits. */
    static String format(double v) {
        if (v == 0) return 1 / v < 0 ? "-0" : "0";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        if (Double.isNaN(v) || Double.isInfinite(v)) return Double.toString(v);
        String s = String.format(Locale.ROOT, "%.6g", v);
        if (s.contains("e")) {
            String[] parts = s.split("e");
            return stripZeros(parts[0]) + "e" + Integer.parseInt(parts[1]);
        }
        return stripZeros(s);
    }

    private static String stripZeros(String s) {
        if (!s.contains(".")) return s;
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
