package org.graft.ops;

import static org.graft.ops.Ops.flip;
import static org.graft.ops.Ops.tril;
import static org.graft.ops.Ops.triu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.graft.core.Apply;
import org.graft.core.Dim;
import org.graft.core.Grad;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.ShapeError;
import org.graft.core.SharedKernel;
import org.graft.core.Type;
import org.graft.core.kernel.Kernel;
import org.graft.core.kernel.Kernels;
import org.graft.core.kernel.Site;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * Ops whose every output element is one element of their input, or a fill value where they read
 * none: tile, repeat, flip, pad (constant and reflect), tril and triu, and the shift that
 * {@code cumprod}'s gradient uses. Each says, for a concrete input shape, which input element
 * each output element reads ({@link #index}), and the rest follows from that: the reference
 * and the kernel gather through the index (the kernel in either dtype, since it only copies),
 * and the gradient is the gather's adjoint, {@link Shaping.Unremap}, which adds each element
 * of gy into the element it was read from. The index is planned from the shapes fed, so a
 * symbolic dim is no obstacle where the output's dims do not depend on it.
 */
public sealed interface Remap extends Op, SharedKernel {

    /** For each output element, row-major, the input element it reads, or -1 where it holds {@link #fill()}. */
    int[] index(Shape in);

    /** What the output holds where it reads nothing. */
    default double fill() { return 0; }

    /**
     * The same reads with zeros where it reads nothing: the linear part of an op that fills with
     * another value, which is what its derivatives and the adjoint's adjoint apply.
     */
    default Remap linear() { return this; }

    @Override
    default Tensor fprop(List<Tensor> in) {
        Tensor x = in.get(0);
        int[] index = index(x.shape());
        double[] out = new double[index.length];
        for (int i = 0; i < out.length; i++) out[i] = index[i] < 0 ? fill() : x.getFlat(index[i]);
        return Tensor.of(x.dtype(), type(List.of(Type.of(x))).shape(), out);
    }

    @Override
    default Kernel kernel(Site site) { return Kernels.gather(site, index(site.in(0)), fill()); }

    // the adjoint of reading elements: each element of gy added into the element it was read from
    @Override
    default List<Grad> bprop(List<Node> in, Node y, Node gy) {
        return List.of(Grad.of(Apply.of(new Shaping.Unremap(this), gy, in.get(0))));
    }

    /**
     * NumPy's {@code tile}: {@code x} repeated {@code reps[i]} times along axis i. With more reps
     * than axes, x gains leading axes of size 1 first; with fewer, the reps apply to the last axes.
     */
    record Tile(List<Integer> reps) implements Remap {
        public static final Builtin BUILTIN = Builtin.of("tile", List.of(Builtin.Param.operand("x"), Builtin.Param.integers("reps")),
                a -> Ops.tile(a.operand("x"), a.integers("reps")), "NumPy's: x repeated `reps[i]` times along axis i (more reps "
                + "than axes give x leading axes of size 1, fewer apply to the last axes); a symbolic dim can be tiled once only. "
                + "The gradient sums the copies (`unremap`)").java("`tile(x, reps...)`");

        public Tile { reps = List.copyOf(reps); }

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 1);
            Type x = in.get(0);
            List<Dim> dims = aligned(x, reps.size());
            int lead = dims.size() - reps.size();
            var out = new ArrayList<Dim>(dims.size());
            for (int a = 0; a < dims.size(); a++) {
                int r = a < lead ? 1 : reps.get(a - lead);
                if (r < 0) throw new ShapeError("reps " + reps + " must be 0 or more");
                out.add(times(dims.get(a), r, a, x, "tiled"));
            }
            return x.withDims(out);
        }

        @Override
        public int[] index(Shape in) {
            Shape out = type(List.of(Type.of(DType.F64, in))).shape();
            int rank = out.rank(), lead = rank - in.rank();
            int[][] from = new int[rank][];
            for (int a = 0; a < rank; a++) {
                int d = a < lead ? 1 : in.dim(a - lead);
                from[a] = new int[out.dim(a)];
                for (int o = 0; o < from[a].length; o++) from[a][o] = o % d;
            }
            return separable(in, out, from);
        }
    }

    /** NumPy's {@code repeat} along an axis: each element of x taken {@code repeats} times in a row. */
    record Repeat(int repeats, int axis) implements Remap {
        public static final Builtin BUILTIN = Builtin.of("repeat", List.of(Builtin.Param.operand("x"), Builtin.Param.integer("repeats"),
                Builtin.Param.optionalAxis("axis")), a -> {
                    Integer axis = a.axis("axis");
                    return axis == null ? Ops.repeat(a.operand("x"), a.integer("repeats"))
                            : Ops.repeat(a.operand("x"), a.integer("repeats"), axis);
                }, "NumPy's: each element `repeats` times in a row along the axis (`repeat([1, 2], 2)` is [1, 1, 2, 2]); "
                + "without an axis x is flattened first, which needs concrete dims. `repeats` is one whole number ≥ 0 (NumPy also "
                + "takes one per element). The gradient sums the copies").java("`repeat(x, repeats)`, `repeat(x, repeats, axis)`");

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 1);
            Type x = in.get(0);
            int a = x.axis(axis);
            if (repeats < 0) throw new ShapeError("repeats must be 0 or more, found " + repeats);
            var out = new ArrayList<>(x.dims());
            out.set(a, times(x.dims().get(a), repeats, a, x, "repeated"));
            return x.withDims(out);
        }

        @Override
        public int[] index(Shape in) {
            int a = in.axis(axis);
            int[][] from = identity(in);
            from[a] = new int[in.dim(a) * repeats];
            for (int o = 0; o < from[a].length; o++) from[a][o] = o / repeats;
            return separable(in, shapeOf(from), from);
        }
    }

    /** The elements of x in reverse order along {@code axes} (NumPy's {@code flip}). */
    record Flip(List<Integer> axes) implements Remap {
        public static final Builtin BUILTIN = Builtin.alongAxis("flip", Ops::flip, Ops::flip, "reverses the order along the axis, or along every axis without one (NumPy's `flip`); a symbolic dim too. "
                + "The gradient flips back").java("`flip(x)`, `flip(x, axes...)`");

        public Flip { axes = List.copyOf(axes); }

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 1);
            Reduce.normalize(in.get(0), axes); // each axis in range, once
            return in.get(0);
        }

        @Override
        public int[] index(Shape in) {
            int[][] from = identity(in);
            for (int a : Reduce.normalize(in, axes)) {
                int d = from[a].length;
                for (int o = 0; o < d; o++) from[a][o] = d - 1 - o;
            }
            return separable(in, in, from);
        }

        // a flip is its own inverse, and a permutation's adjoint is its inverse
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(flip(gy, Shaping.toArray(axes)))); }
    }

    /**
     * x with {@code widths.get(i) = [before, after]} elements of {@code value} added before and
     * after it along axis i (NumPy's {@code pad} in constant mode).
     */
    record Pad(List<List<Integer>> widths, double value) implements Remap {
        public static final Builtin BUILTIN = Builtin.of("pad", List.of(Builtin.Param.operand("x"), Builtin.Param.integerPairs("widths"),
                Builtin.Param.number("value", 0)), a -> Ops.pad(a.operand("x"), a.integerPairs("widths"), a.number("value")),
                "NumPy's `pad` in constant mode: `widths` holds one `[before, after]` per axis, in axis order (`pad(x, [[0, 0], "
                + "[1, 2]])` pads the columns; PyTorch's `F.pad` lists the last axis first), each 0 or more, 0 on a symbolic dim. "
                + "`value` is a number known when the program is compiled, so it gets no gradient; x's gradient is gy's middle")
                .java("`pad(x, int[][] widths)`, `pad(x, int[][] widths, value)`");

        public Pad { widths = pairs(widths); }

        @Override
        public double fill() { return value; }

        @Override
        public Remap linear() { return value == 0 ? this : new Pad(widths, 0); }

        @Override
        public Type type(List<Type> in) { return padded(this, in, widths, false); }

        @Override
        public int[] index(Shape in) {
            int[][] from = new int[in.rank()][];
            for (int a = 0; a < from.length; a++) {
                int before = widths.get(a).get(0), d = in.dim(a);
                from[a] = new int[before + d + widths.get(a).get(1)];
                for (int o = 0; o < from[a].length; o++) from[a][o] = o - before >= 0 && o - before < d ? o - before : -1;
            }
            return separable(in, shapeOf(from), from);
        }
    }

    /**
     * x padded by its own mirror image, the edge not repeated (NumPy's {@code pad} in reflect
     * mode, PyTorch's {@code "reflect"}): {@code [1, 2, 3]} padded by 2 before is
     * {@code [3, 2, 1, 2, 3]}. Each width is less than its axis's size.
     */
    record PadReflect(List<List<Integer>> widths) implements Remap {
        public static final Builtin BUILTIN = Builtin.of("pad_reflect", List.of(Builtin.Param.operand("x"),
                        Builtin.Param.integerPairs("widths")), a -> Ops.padReflect(a.operand("x"), a.integerPairs("widths")),
                "NumPy's `pad` in reflect mode, PyTorch's `\"reflect\"`: the mirror image without the edge (`[1, 2, 3]` padded by "
                + "`[2, 0]` is [3, 2, 1, 2, 3]); `widths` as `pad`'s, each less than its axis's size (as PyTorch; NumPy reflects "
                + "again beyond that). The gradient adds the mirrored elements back onto their originals");

        public PadReflect { widths = pairs(widths); }

        @Override
        public Type type(List<Type> in) { return padded(this, in, widths, true); }

        @Override
        public int[] index(Shape in) {
            int[][] from = new int[in.rank()][];
            for (int a = 0; a < from.length; a++) {
                int before = widths.get(a).get(0), d = in.dim(a);
                from[a] = new int[before + d + widths.get(a).get(1)];
                for (int o = 0; o < from[a].length; o++) {
                    int t = o - before;
                    from[a][o] = t < 0 ? -t : t >= d ? 2 * (d - 1) - t : t;
                }
            }
            return separable(in, shapeOf(from), from);
        }
    }

    /**
     * x moved {@code by} places along {@code axis}, {@code fill} where nothing moves in: with
     * {@code by = 1}, {@code [a, b, c]} becomes {@code [fill, a, b]}. The exclusive products of
     * {@code cumprod}'s and {@code prod}'s gradients are shifted cumulative products.
     */
    record Shift(int axis, int by, double fill) implements Remap {
        public static final Builtin BUILTIN = Builtin.operator("", "`Remap.Shift(axis, by, fill)`", "internal: x moved `by` "
                + "places along an axis, `fill` where nothing moves in: the exclusive products of `cumprod`'s and `prod`'s gradients");

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 1);
            in.get(0).axis(axis);
            return in.get(0);
        }

        @Override
        public int[] index(Shape in) {
            int a = in.axis(axis);
            int[][] from = identity(in);
            int d = from[a].length;
            for (int o = 0; o < d; o++) from[a][o] = o - by >= 0 && o - by < d ? o - by : -1;
            return separable(in, in, from);
        }

        @Override
        public Remap linear() { return fill == 0 ? this : new Shift(axis, by, 0); }
    }

    /** The lower triangle of the last two axes: the elements on and below diagonal {@code k}, 0 elsewhere. */
    record Tril(int k) implements Remap {
        public static final Builtin BUILTIN = Builtin.of("tril", List.of(Builtin.Param.operand("x"), Builtin.Param.integer("k", 0)),
                a -> Ops.tril(a.operand("x"), a.integer("k")), "the elements on and below diagonal k of the last two axes (j - i ≤ "
                + "k; k > 0 is above the main diagonal), 0 elsewhere, even where x is NaN or infinite, as NumPy and PyTorch; "
                + "rank 2 or more. The gradient is `tril(gy, k)`");

        @Override
        public Type type(List<Type> in) { return matrices(this, in); }

        @Override
        public int[] index(Shape in) { return triangle(in, k, true); }

        // a projection is its own adjoint
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(tril(gy, k))); }
    }

    /** The upper triangle of the last two axes: the elements on and above diagonal {@code k}, 0 elsewhere. */
    record Triu(int k) implements Remap {
        public static final Builtin BUILTIN = Builtin.of("triu", List.of(Builtin.Param.operand("x"), Builtin.Param.integer("k", 0)),
                a -> Ops.triu(a.operand("x"), a.integer("k")), "the elements on and above diagonal k of the last two axes (j - i ≥ "
                + "k), 0 elsewhere, as `tril`. The gradient is `triu(gy, k)`");

        @Override
        public Type type(List<Type> in) { return matrices(this, in); }

        @Override
        public int[] index(Shape in) { return triangle(in, k, false); }

        // a projection is its own adjoint
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(triu(gy, k))); }
    }

    // ---- the index, planned once per shape ------------------------------------------------------

    /**
     * The index of a gather whose output reads, along each axis {@code a}, the input position
     * {@code from[a][o]} at its position o, or nothing where that is -1. The input's axes are its
     * last ones (tile gives it leading axes of its own, which read position 0).
     */
    private static int[] separable(Shape in, Shape out, int[][] from) {
        int rank = out.rank(), lead = rank - in.rank();
        int[] own = in.strides(), strides = new int[rank];
        for (int a = lead; a < rank; a++) strides[a] = own[a - lead];
        int[] index = new int[out.size()];
        int[] at = new int[rank];
        for (int i = 0; i < index.length; i++) {
            int offset = 0;
            for (int a = 0; a < rank && offset >= 0; a++) offset = from[a][at[a]] < 0 ? -1 : offset + from[a][at[a]] * strides[a];
            index[i] = offset;
            for (int a = rank - 1; a >= 0 && ++at[a] == out.dim(a); a--) at[a] = 0;
        }
        return index;
    }

    /** Each axis reading its own positions. */
    private static int[][] identity(Shape in) {
        int[][] from = new int[in.rank()][];
        for (int a = 0; a < from.length; a++) {
            from[a] = new int[in.dim(a)];
            for (int o = 0; o < from[a].length; o++) from[a][o] = o;
        }
        return from;
    }

    /** The output's shape: as many positions along each axis as it reads. */
    private static Shape shapeOf(int[][] from) { return Shape.of(Arrays.stream(from).mapToInt(f -> f.length).toArray()); }

    /** The identity on positions (i, j) of the last two axes where j - i is at most k (lower) or at least k (upper); -1 elsewhere. */
    private static int[] triangle(Shape in, int k, boolean lower) {
        int rows = in.dim(-2), cols = in.dim(-1);
        int[] index = new int[in.size()];
        for (int p = 0; p < index.length; p++) {
            int j = p % cols, i = p / cols % rows;
            index[p] = (lower ? j - i <= k : j - i >= k) ? p : -1;
        }
        return index;
    }

    /** The type of tril and triu: x's, which has the two axes of a matrix at least. */
    private static Type matrices(Op op, List<Type> in) {
        Op.requireArity(op, in, 1);
        if (in.get(0).rank() < 2) throw new ShapeError("needs rank 2 or more (matrices in the last two axes), found " + in.get(0));
        return in.get(0);
    }

    /** x's dims with leading 1s up to {@code rank} axes. */
    private static List<Dim> aligned(Type x, int rank) {
        var dims = new ArrayList<Dim>();
        for (int a = x.rank(); a < rank; a++) dims.add(Dim.of(1));
        dims.addAll(x.dims());
        return dims;
    }

    /** {@code d} copied {@code r} times along axis {@code a} of x, which a symbolic dim allows only once. */
    private static Dim times(Dim d, int r, int a, Type x, String how) {
        if (d instanceof Dim.Size s) return Dim.of(Math.toIntExact((long) s.n() * r));
        if (r != 1) throw new ShapeError("axis " + a + " of " + x + " is symbolic, so it can be " + how + " once only, found " + r);
        return d;
    }

    /** The type of x padded by {@code widths}, one pair per axis, each width 0 on a symbolic dim (and below its size, to reflect). */
    private static Type padded(Op op, List<Type> in, List<List<Integer>> widths, boolean reflect) {
        Op.requireArity(op, in, 1);
        Type x = in.get(0);
        if (widths.size() != x.rank()) {
            throw new ShapeError("widths " + widths + " has " + widths.size() + " pair" + (widths.size() == 1 ? "" : "s") + " for "
                    + x + " of rank " + x.rank() + "; give one [before, after] per axis");
        }
        var out = new ArrayList<Dim>(x.rank());
        for (int a = 0; a < x.rank(); a++) {
            int before = widths.get(a).get(0), after = widths.get(a).get(1);
            if (before < 0 || after < 0) throw new ShapeError("widths " + widths + " must be 0 or more");
            Dim d = x.dims().get(a);
            if (!(d instanceof Dim.Size s)) {
                if (before + after != 0) throw new ShapeError("axis " + a + " of " + x + " is symbolic, so its widths must be 0, found " + widths.get(a));
                out.add(d);
                continue;
            }
            if (reflect && Math.max(before, after) >= Math.max(s.n(), 1)) {
                throw new ShapeError("a reflection of " + Math.max(before, after) + " along axis " + a + " of " + x + " needs more than "
                        + Math.max(before, after) + " elements there");
            }
            out.add(Dim.of(Math.toIntExact((long) before + s.n() + after)));
        }
        return x.withDims(out);
    }

    /** Widths as pairs, each [before, after]. */
    private static List<List<Integer>> pairs(List<List<Integer>> widths) {
        var out = new ArrayList<List<Integer>>(widths.size());
        for (List<Integer> pair : widths) {
            if (pair.size() != 2) throw new IllegalArgumentException("a width is a pair [before, after], found " + pair);
            out.add(List.copyOf(pair));
        }
        return List.copyOf(out);
    }
}
