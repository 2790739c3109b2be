package org.graft.ops;

import static org.graft.ops.Ops.neg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.graft.core.Apply;
import org.graft.core.Dim;
import org.graft.core.Grad;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.ShapeError;
import org.graft.core.Type;
import org.graft.core.kernel.Kernel;
import org.graft.core.kernel.Site;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * Ops that read elements at positions held in tensors of indices, and the scatter-add that is
 * their adjoint: NumPy's {@code take}, {@code take_along_axis} and integer-array indexing
 * ({@code x[i, j]}), and {@code nll}, the entry of each row at its class label, negated.
 *
 * <p><b>Indices are whole numbers in an f64 or f32 tensor</b>, whatever the dtype of what they
 * index, as {@code argmax} gives them: Graft has no integer dtype, f64 holds every position
 * exactly and f32 every one up to 2^24. Each index is checked when the values are fed, by the
 * kernel as by the reference: one that is not a whole number (NaN included) or is out of range is
 * an error naming the op, the index, its position among the indices and the size of the axis,
 * never a read of another element. {@code take}, {@code take_along_axis} and indexing follow
 * NumPy, where a negative index counts from the end; {@code nll} follows PyTorch, where a label is
 * a class in {@code [0, k)} or the {@code ignore_index}, whose row reads nothing (0).
 *
 * <p>The gradient of a read is the cotangent added into zeros at the positions read
 * ({@link ScatterAdd}), so an element read twice gets both contributions; the indices get a zero
 * gradient, as {@code one_hot}'s labels: the output is piecewise constant in them.
 */
public sealed interface Gather extends Op {

    // the kernels move and add elements; each handles the buffers of either dtype
    @Override
    default Kernel kernelF32(Site site) { return kernel(site); }

    /**
     * An op that reads its first input, x, at positions given by its other inputs, the index
     * tensors; the output element at each position comes from one element of x, or is 0 where
     * the indices say to read nothing (an ignored label).
     */
    sealed interface Reading extends Op permits Take, TakeAlongAxis, Nll {

        /** Where the output's elements come from, for concrete shapes of x and of the indices. */
        Addressing addressing(Shape x, List<Shape> indices);

        /**
         * The position in x of the output element at {@code out}, from the indices converted to
         * positions (see {@link Addressing#positions}); null where the element reads nothing.
         * The reference semantics, written from the definition.
         */
        int[] source(int[] out, Shape x, List<Tensor> positions);

        /** What the element read is multiplied by: 1, or -1 for {@code nll}. */
        default double sign() { return 1; }

        /** The elements of {@code from} at this op's positions, as graph: the adjoint of the scatter-add into them. */
        default Node read(Node from, List<Node> indices) {
            var in = new ArrayList<Node>(indices.size() + 1);
            in.add(signed(from)); // so the read's sign cancels
            in.addAll(indices);
            return Apply.of(this, in);
        }

        // the adjoint of reading some positions: the cotangent (times the sign) added into zeros there;
        // the sign goes on the cotangent, so the positions not read get +0, not -0
        @Override
        default List<Grad> bprop(List<Node> in, Node y, Node gy) {
            var scatterIn = new ArrayList<Node>(in.size() + 1);
            scatterIn.add(signed(gy));
            scatterIn.addAll(in);
            var grads = new ArrayList<Grad>(in.size());
            grads.add(Grad.of(Apply.of(new ScatterAdd(this), scatterIn)));
            for (int i = 1; i < in.size(); i++) grads.add(Grad.zero()); // piecewise constant in the indices
            return grads;
        }

        /** {@code v} times the sign. */
        private Node signed(Node v) { return sign() == 1 ? v : neg(v); }

        @Override
        default Tensor fprop(List<Tensor> in) {
            Tensor x = in.get(0);
            List<Tensor> indices = in.subList(1, in.size());
            Shape out = type(in.stream().map(Type::of).toList()).shape();
            List<Tensor> positions = addressing(x.shape(), shapes(indices)).positions(indices);
            double[] y = new double[out.size()];
            for (int p = 0; p < y.length; p++) {
                int[] at = source(out.unravel(p), x.shape(), positions);
                y[p] = at == null ? 0 : sign() * x.get(at);
            }
            return Tensor.of(x.dtype(), out, y);
        }

        @Override
        default Kernel kernel(Site site) {
            var at = addressing(site.in(0), sites(site, 1));
            int x = site.slot(0), out = site.slot(), n = site.out().size();
            int[] indices = slots(site, 1);
            int[] from = new int[n];
            double sign = sign();
            return b -> {
                at.offsets(b, indices, from);
                if (b[out] instanceof double[] y) {
                    double[] v = (double[]) b[x];
                    for (int o = 0; o < n; o++) y[o] = from[o] < 0 ? 0.0 : sign * v[from[o]];
                } else {
                    float[] y = (float[]) b[out], v = (float[]) b[x];
                    for (int o = 0; o < n; o++) y[o] = from[o] < 0 ? 0f : (float) (sign * v[from[o]]);
                }
            };
        }
    }

    /**
     * x indexed along the axes {@code axis}, {@code axis + 1}, ... by as many index tensors,
     * broadcast together to dims B: the output's dims are x's before the axes, then B, then x's
     * after them. NumPy's {@code take(x, i, axis)} with one index tensor, and its integer-array
     * indexing {@code x[:, i, j]} with several on adjacent axes.
     */
    record Take(int axis) implements Gather, Reading {
        public static final Builtin BUILTIN = Builtin.of("take", List.of(Builtin.Param.operand("x"), Builtin.Param.operand("indices"),
                Builtin.Param.optionalAxis("axis")), a -> a.axis("axis") == null ? Ops.take(a.operand("x"), a.operand("indices"))
                : Ops.take(a.operand("x"), a.operand("indices"), a.axis("axis")), "NumPy's `take` and integer-array indexing: the "
                + "axis's dims are replaced by the indices' (without an axis x is read flattened, which needs concrete dims). "
                + "`x[i, j]` broadcasts the index arrays together and reads the pairs (`x[arange(n), labels]` picks one element "
                + "per row); index arrays separated by a slice put their dims first, as NumPy. **An index is a whole number in "
                + "f64 or f32**, whatever x's dtype; a negative one counts from the end; one that is not whole or is out of range "
                + "is an error naming it, its position and the axis's size. The gradient adds into zeros at the positions read "
                + "(**repeated indices accumulate**); the indices get zero")
                .written("`take(x, indices, axis = none)`, `x[i]`, `x[i, j]`, `x[:, i]`")
                .java("`take(x, indices)`, `take(x, indices, axis)`, `take(x, axis, List indices)`");

        @Override
        public Type type(List<Type> in) {
            if (in.size() < 2) throw new ShapeError("takes x and at least one tensor of indices, found " + in.size() + " inputs");
            Type x = in.get(0);
            List<Type> indices = in.subList(1, in.size());
            int a = x.axis(axis), k = indices.size();
            if (a + k > x.rank()) {
                throw new ShapeError(k + " index arrays for the axes from " + a + " on of " + x + ", which has " + x.rank());
            }
            var dims = new ArrayList<>(x.dims().subList(0, a));
            dims.addAll(broadcast(x, indices).dims());
            dims.addAll(x.dims().subList(a + k, x.rank()));
            return x.withDims(dims);
        }

        @Override
        public Addressing addressing(Shape x, List<Shape> indices) {
            int a = x.axis(axis), k = indices.size();
            int[] outDims = type(types(x, indices)).shape().dims();
            int rank = outDims.length, b = rank - (x.rank() - k); // the rank of the indices' broadcast dims
            int[] xs = x.strides();
            int[] xStrides = new int[rank];
            for (int i = 0; i < a; i++) xStrides[i] = xs[i];
            for (int i = a + k; i < x.rank(); i++) xStrides[i - k + b] = xs[i];
            var axes = new int[k];
            var indexStrides = new int[k][];
            for (int j = 0; j < k; j++) {
                axes[j] = a + j;
                indexStrides[j] = placed(indices.get(j), rank, a + b);
            }
            return new Addressing(Shape.of(outDims), xStrides, indexStrides, x, axes, indices, Positions.NUMPY);
        }

        // x[..., i_1[b], ..., i_k[b], ...] for the output position (..., b, ...)
        @Override
        public int[] source(int[] out, Shape x, List<Tensor> positions) {
            int a = x.axis(axis), k = positions.size(), b = out.length - (x.rank() - k);
            int[] at = new int[x.rank()];
            System.arraycopy(out, 0, at, 0, a);
            int[] inB = Arrays.copyOfRange(out, a, a + b);
            for (int j = 0; j < k; j++) at[a + j] = (int) broadcastRead(positions.get(j), inB);
            System.arraycopy(out, a + b, at, a + k, x.rank() - a - k);
            return at;
        }

        /** The indices' dims broadcast together, as a type of x's dtype; a shape error naming them when they do not broadcast. */
        private static Type broadcast(Type x, List<Type> indices) {
            Type b = x.withDims(indices.get(0).dims());
            for (Type i : indices.subList(1, indices.size())) {
                try {
                    b = Type.broadcast(b, x.withDims(i.dims()));
                } catch (ShapeError e) {
                    throw new ShapeError("the index arrays' dims do not broadcast together: " + indices.stream()
                            .map(t -> Shape.format(t.dims())).toList());
                }
            }
            return b;
        }
    }

    /**
     * NumPy's {@code take_along_axis}: x and the indices have the same rank, and along
     * {@code axis} each output element is x's element at the index in the same position; the
     * other axes broadcast against each other. Output dims: the broadcast ones, and the indices'
     * along the axis.
     */
    record TakeAlongAxis(int axis) implements Gather, Reading {
        public static final Builtin BUILTIN = Builtin.of("take_along_axis", List.of(Builtin.Param.operand("x"), Builtin.Param.operand("indices"),
                Builtin.Param.axis("axis", -1)), a -> Ops.takeAlongAxis(a.operand("x"), a.operand("indices"), a.axis("axis")),
                "NumPy's: x and the indices of the same rank, the other axes broadcast; `take_along_axis(x, argmax(x, axis = 1, "
                + "keepdims = true), 1)` is the maxima. Indices as for `take` (whole numbers, negative from the end, checked). "
                + "The gradient adds into zeros at the positions read (repeated indices accumulate)")
                .java("`takeAlongAxis(x, indices, axis)`");

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 2);
            Type x = in.get(0), indices = in.get(1);
            int a = x.axis(axis);
            if (indices.rank() != x.rank()) {
                throw new ShapeError("x " + x + " and the indices " + indices + " must have the same rank");
            }
            var dims = new ArrayList<Dim>(x.rank());
            for (int i = 0; i < x.rank(); i++) {
                Dim dx = x.dims().get(i), di = indices.dims().get(i);
                if (i == a || dx.equals(di) || dx.isOne()) dims.add(di);
                else if (di.isOne()) dims.add(dx);
                else throw new ShapeError("x " + x + " and the indices " + indices + " do not broadcast off axis " + a + ": dims "
                        + dx + " and " + di + " differ");
            }
            return x.withDims(dims);
        }

        @Override
        public Addressing addressing(Shape x, List<Shape> indices) {
            int a = x.axis(axis), rank = x.rank();
            int[] xStrides = placed(x, rank, rank);
            xStrides[a] = 0; // the index says where along the axis
            int[][] indexStrides = {placed(indices.get(0), rank, rank)};
            return new Addressing(type(types(x, indices)).shape(), xStrides, indexStrides, x, new int[] {a}, indices, Positions.NUMPY);
        }

        // x[o_0, ..., i[o], ..., o_r] with the index at the axis, x's size-1 axes read at 0
        @Override
        public int[] source(int[] out, Shape x, List<Tensor> positions) {
            int[] at = new int[x.rank()];
            for (int i = 0; i < at.length; i++) at[i] = x.dim(i) == 1 ? 0 : out[i];
            at[x.axis(axis)] = (int) broadcastRead(positions.get(0), out);
            return at;
        }
    }

    /**
     * The negative log-likelihood of each row of log-probabilities x {@code [..., k]} at its
     * label {@code [...]}: {@code -x[..., label]}, and 0 where the label is {@code ignoreIndex}.
     * A label is a class in {@code [0, k)} or the ignore index, as PyTorch's {@code nll_loss}.
     */
    record Nll(int ignoreIndex) implements Gather, Reading {
        public static final Builtin BUILTIN = Builtin.of("nll", List.of(Builtin.Param.operand("log_probs"), Builtin.Param.operand("labels"),
                Builtin.Param.integer("ignore_index", -100), Builtin.Param.bool("reduce", true)), a -> Ops.nll(a.operand("log_probs"),
                a.operand("labels"), a.integer("ignore_index"), a.bool("reduce")), "PyTorch's `nll_loss` with the classes on the "
                + "**last** axis: `[..., k]` and labels `[...]` give -x[..., label] per row, 0 where the label is `ignore_index`; "
                + "`reduce = true` (PyTorch's `reduction = 'mean'`) gives their mean **over the rows not ignored** (NaN when every "
                + "row is), `reduce = false` (`'none'`) the rows, and `sum(nll(..., reduce = false))` is `'sum'`. A label is a "
                + "whole number in f64 or f32, a class in [0, k) or the ignore index: anything else (a negative label, NaN) is an "
                + "error naming it and its position. No class weights. d/dx = -1 at each row's label, accumulated")
                .java("`nll(logProbs, labels)`, `nll(logProbs, labels, ignoreIndex, reduce)`");

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 2);
            return perLabel(in.get(0), in.get(1), "log-probabilities", null);
        }

        @Override
        public double sign() { return -1; }

        @Override
        public Addressing addressing(Shape x, List<Shape> labels) {
            int rank = labels.get(0).rank();
            int[] xStrides = Arrays.copyOf(x.strides(), rank); // the row's start; the label gives the column
            int[][] labelStrides = {placed(labels.get(0), rank, rank)};
            return new Addressing(labels.get(0), xStrides, labelStrides, x, new int[] {rank}, labels, Positions.labels(ignoreIndex));
        }

        // x[o..., label[o]], nothing where the label is ignored
        @Override
        public int[] source(int[] out, Shape x, List<Tensor> positions) {
            int label = (int) positions.get(0).get(out);
            if (label == Positions.IGNORED) return null;
            int[] at = Arrays.copyOf(out, out.length + 1);
            at[out.length] = label;
            return at;
        }
    }

    /**
     * The adjoint of a {@link Reading}: {@code g}, of the read's output type, added into zeros of
     * {@code like}'s type at the positions the read takes from {@code like} with the same
     * indices (without the read's sign). Inputs: g, like (whose values are not read), then the
     * indices.
     */
    record ScatterAdd(Reading of) implements Gather {
        public static final Builtin BUILTIN = Builtin.operator("", "—", "internal: the gradient of `take`, `take_along_axis`, `nll` and "
                + "indexing: g added into zeros of x's type at the positions read, so repeated indices accumulate; its gradient is "
                + "the read");

        @Override
        public String describe() { return name() + "{of=" + of.describe() + "}"; }

        @Override
        public boolean readsValues(int i) { return i != 1; } // like lends only its shape

        @Override
        public Type type(List<Type> in) {
            if (in.size() < 3) throw new ShapeError("takes g, like and the indices, found " + in.size() + " inputs");
            Type g = in.get(0), like = in.get(1);
            Type read = of.type(in.subList(1, in.size()));
            if (!read.equals(g)) {
                throw new ShapeError("cannot add " + g + " into " + like + " where " + of.describe() + " reads, which gives " + read);
            }
            return like;
        }

        @Override
        public Tensor fprop(List<Tensor> in) {
            Tensor g = in.get(0), like = in.get(1);
            List<Tensor> indices = in.subList(2, in.size());
            List<Tensor> positions = of.addressing(like.shape(), shapes(indices)).positions(indices);
            double[] z = new double[like.size()];
            int[] strides = like.shape().strides();
            for (int p = 0; p < g.size(); p++) {
                int[] at = of.source(g.shape().unravel(p), like.shape(), positions);
                if (at == null) continue;
                int offset = 0;
                for (int i = 0; i < at.length; i++) offset += at[i] * strides[i];
                z[offset] += g.getFlat(p);
            }
            return Tensor.of(like.dtype(), like.shape(), z);
        }

        // in f32, the sums are formed in double and rounded once, as the reference
        @Override
        public Kernel kernel(Site site) {
            var at = of.addressing(site.in(1), sites(site, 2));
            int g = site.slot(0), out = site.slot(), n = site.in(0).size(), size = site.out().size();
            int[] indices = slots(site, 2);
            int[] from = new int[n];
            double[] sums = site.dtype() == DType.F32 ? new double[size] : null;
            return b -> {
                at.offsets(b, indices, from);
                if (b[out] instanceof double[] z) {
                    double[] v = (double[]) b[g];
                    Arrays.fill(z, 0, size, 0.0);
                    for (int o = 0; o < n; o++) if (from[o] >= 0) z[from[o]] += v[o];
                } else {
                    float[] v = (float[]) b[g], z = (float[]) b[out];
                    Arrays.fill(sums, 0.0);
                    for (int o = 0; o < n; o++) if (from[o] >= 0) sums[from[o]] += v[o];
                    for (int i = 0; i < size; i++) z[i] = (float) sums[i];
                }
            };
        }

        // the adjoint of adding into the positions is reading them again; like lends only its shape
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            var grads = new ArrayList<Grad>(in.size());
            grads.add(Grad.of(of.read(gy, in.subList(2, in.size()))));
            grads.add(Grad.disconnected());
            for (int i = 2; i < in.size(); i++) grads.add(Grad.zero());
            return grads;
        }
    }

    /**
     * The type of one value per row of x {@code [..., k]} (named {@code what} in errors) for
     * labels {@code [...]}, one per row; in x's dtype, whatever the labels'. Labels of x's own
     * dims are one-hot targets, which {@code oneHot}, where not null, names the op for.
     */
    static Type perLabel(Type x, Type labels, String what, String oneHot) {
        if (x.rank() < 1) throw new ShapeError("needs " + what + " of rank 1 or more (the classes last), found " + x);
        List<Dim> rows = x.dims().subList(0, x.rank() - 1);
        if (!labels.dims().equals(rows)) {
            String hint = oneHot != null && labels.dims().equals(x.dims()) ? "; targets of the " + what + "' shape (one-hot) take "
                    + oneHot : "";
            throw new ShapeError(what + " " + x + " need one label per row, " + Shape.format(rows) + ", found labels " + labels + hint);
        }
        return x.withDims(rows);
    }

    /**
     * How the values of an index tensor become positions on an axis of some size: NumPy's
     * (a whole number in {@code [-size, size)}, a negative one counting from the end) or, for
     * class labels, PyTorch's (a whole number in {@code [0, size)}, or {@code ignore}, which
     * reads nothing and becomes {@link #IGNORED}). Anything else is an error naming the value,
     * its position in its tensor and the size.
     */
    record Positions(boolean labels, int ignore) {
        static final Positions NUMPY = new Positions(false, 0);
        /** The position of an ignored label. */
        static final int IGNORED = -1;

        static Positions labels(int ignore) { return new Positions(true, ignore); }

        /**
         * The position of value {@code v}, element {@code at} of an index tensor of shape
         * {@code shape}, on axis {@code axis} of size {@code size}; {@code which} tells the
         * tensor apart from others (empty when there is one).
         */
        int of(double v, int size, Shape shape, int at, int axis, String which) {
            if (labels) {
                if (v == ignore) return IGNORED;
                if (v == Math.rint(v) && v >= 0 && v < size) return (int) v;
                throw new IllegalArgumentException("label " + Builtin.show(v) + where(shape, at, which) + " is not a class in [0, "
                        + size + ") nor the ignore_index " + ignore);
            }
            if (v != Math.rint(v)) {
                throw new IllegalArgumentException("index " + Builtin.show(v) + where(shape, at, which) + " is not a whole number");
            }
            if (v < -size || v >= size) {
                throw new IllegalArgumentException("index " + Builtin.show(v) + where(shape, at, which) + " is out of range for axis "
                        + axis + " of size " + size);
            }
            return (int) (v < 0 ? v + size : v);
        }

        /** Every value of an index buffer (f64 or f32) of shape {@code shape} as a position, as {@link #of}, into {@code into}. */
        int[] of(Object buffer, int size, Shape shape, int axis, String which, int[] into) {
            if (buffer instanceof double[] v) {
                for (int e = 0; e < into.length; e++) into[e] = of(v[e], size, shape, e, axis, which);
            } else {
                float[] v = (float[]) buffer;
                for (int e = 0; e < into.length; e++) into[e] = of(v[e], size, shape, e, axis, which);
            }
            return into;
        }

        private static String where(Shape shape, int at, String which) { return " at " + Arrays.toString(shape.unravel(at)) + which; }
    }

    /**
     * Where a read's output elements come from, for concrete shapes, planned once per kernel:
     * walking the output in row-major order, x's offset moves by {@code xStrides} and each index
     * tensor's by its {@code indexStrides} (0 along axes it does not span, or spans with size 1),
     * and the element read is at x's offset plus each index's position times x's stride along the
     * axis it indexes. It holds one call's positions, so a kernel has one of its own.
     */
    final class Addressing {
        private final int[] dims;
        private final int[] xStrides;
        private final int[][] indexStrides;
        private final int[] axes;
        private final int[] axisStride;
        private final int[] axisSize;
        private final Shape[] indexShapes;
        private final Positions rule;
        private final String[] which;   // " of index array 2" when there are several, for errors
        private final int[][] positions;
        private final int[] counter;
        private final int[] at;

        /**
         * The addressing of an output of shape {@code out} that reads x of shape {@code x} along
         * {@code axes}, one per index tensor, with the strides given per output axis.
         */
        Addressing(Shape out, int[] xStrides, int[][] indexStrides, Shape x, int[] axes, List<Shape> indices, Positions rule) {
            this.dims = out.dims();
            this.xStrides = xStrides;
            this.indexStrides = indexStrides;
            this.axes = axes;
            this.rule = rule;
            int[] strides = x.strides();
            int k = axes.length;
            axisStride = new int[k];
            axisSize = new int[k];
            indexShapes = indices.toArray(Shape[]::new);
            positions = new int[k][];
            which = new String[k];
            for (int j = 0; j < k; j++) {
                which[j] = k > 1 ? " of index array " + (j + 1) : "";
                axisStride[j] = strides[axes[j]];
                axisSize[j] = x.dim(axes[j]);
                positions[j] = new int[indexShapes[j].size()];
            }
            counter = new int[dims.length];
            at = new int[k];
        }

        /** The indices' values as positions (each checked), in tensors of their shapes: what {@link Reading#source} reads. */
        List<Tensor> positions(List<Tensor> indices) {
            var out = new ArrayList<Tensor>(indices.size());
            for (int j = 0; j < indices.size(); j++) {
                Tensor t = indices.get(j);
                int[] p = rule.of(t.storage(), axisSize[j], t.shape(), axes[j], which[j], new int[t.size()]);
                out.add(Tensor.of(t.shape(), Arrays.stream(p).asDoubleStream().toArray()));
            }
            return out;
        }

        /**
         * For each output element, row-major, the offset in x it reads, or -1 where it reads
         * nothing, into {@code into}: the indices are read from {@code buffers} at
         * {@code slots} (f64 or f32) and checked first, every one of them.
         */
        void offsets(Object[] buffers, int[] slots, int[] into) {
            int k = positions.length;
            for (int j = 0; j < k; j++) rule.of(buffers[slots[j]], axisSize[j], indexShapes[j], axes[j], which[j], positions[j]);
            int rank = dims.length, x = 0;
            Arrays.fill(counter, 0);
            Arrays.fill(at, 0);
            for (int o = 0; o < into.length; o++) {
                int offset = x;
                for (int j = 0; j < k && offset >= 0; j++) {
                    int p = positions[j][at[j]];
                    offset = p == Positions.IGNORED ? -1 : offset + p * axisStride[j];
                }
                into[o] = offset;
                // the next output position: the last axis that has not run out steps on, the ones after it start over
                for (int d = rank - 1; d >= 0; d--) {
                    if (++counter[d] < dims[d]) {
                        x += xStrides[d];
                        for (int j = 0; j < k; j++) at[j] += indexStrides[j][d];
                        break;
                    }
                    counter[d] = 0;
                    x -= xStrides[d] * (dims[d] - 1);
                    for (int j = 0; j < k; j++) at[j] -= indexStrides[j][d] * (dims[d] - 1);
                }
            }
        }
    }

    /**
     * The strides with which a tensor of shape {@code s} is read along the axes of an output of
     * rank {@code rank}, its axes placed so that its last is the output's axis {@code end - 1}:
     * its own strides, 0 along its axes of size 1 (broadcast) and along the output's axes it does
     * not span.
     */
    private static int[] placed(Shape s, int rank, int end) {
        int[] own = s.strides(), out = new int[rank];
        for (int i = 0; i < s.rank(); i++) out[end - s.rank() + i] = s.dim(i) == 1 ? 0 : own[i];
        return out;
    }

    /** The element of {@code t} that broadcasting it to {@code coords}' space reads there (aligned from the right). */
    private static double broadcastRead(Tensor t, int[] coords) {
        int[] at = new int[t.rank()];
        for (int i = 0; i < at.length; i++) at[i] = t.shape().dim(i) == 1 ? 0 : coords[coords.length - t.rank() + i];
        return t.get(at);
    }

    private static List<Shape> shapes(List<Tensor> tensors) { return tensors.stream().map(Tensor::shape).toList(); }

    /** The shapes of the site's inputs from {@code first} on. */
    private static List<Shape> sites(Site site, int first) {
        var out = new ArrayList<Shape>();
        for (int i = first; i < site.arity(); i++) out.add(site.in(i));
        return out;
    }

    /** The slots of the site's inputs from {@code first} on. */
    private static int[] slots(Site site, int first) {
        int[] out = new int[site.arity() - first];
        for (int i = 0; i < out.length; i++) out[i] = site.slot(first + i);
        return out;
    }

    /** The types of x and the indices, all in f64: for a read's type rule on concrete shapes. */
    private static List<Type> types(Shape x, List<Shape> indices) {
        var out = new ArrayList<Type>();
        out.add(Type.of(DType.F64, x));
        for (Shape s : indices) out.add(Type.of(DType.F64, s));
        return out;
    }
}
