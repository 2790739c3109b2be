package org.graft.ops;

import static org.graft.ops.Ops.expandDims;
import static org.graft.ops.Ops.reshape;
import static org.graft.ops.Ops.slice;
import static org.graft.ops.Ops.squeeze;
import static org.graft.ops.Ops.sumTo;
import static org.graft.ops.Ops.unslice;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.graft.core.Apply;
import org.graft.core.Dim;
import org.graft.core.Grad;
import org.graft.core.Linear;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.ShapeError;
import org.graft.core.SharedKernel.KeepsOrder;
import org.graft.core.SharedKernel;
import org.graft.core.Type;
import org.graft.core.kernel.Kernel;
import org.graft.core.kernel.Kernels;
import org.graft.core.kernel.Site;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * Ops that move, select, copy or join elements without computing new ones; each one's
 * gradient is its inverse or adjoint (a reshape is undone by a reshape, a slice's adjoint
 * writes back into zeros, a broadcast's sums, a remap's adds back), and each is {@link Linear}, so
 * its tangent is itself applied to the tangents. {@link OneHot} lives here too: it only places
 * ones, and its derivative is zero.
 */
public sealed interface Shaping extends Op {

    // the elements keep their row-major order, so the kernel is a reshape to the shape that the
    // type rule gives for the concrete input
    @Override
    default Tensor fprop(List<Tensor> in) {
        Tensor x = in.get(0);
        return x.reshape(type(List.of(Type.of(x))).shape());
    }

    /** Inserts axes of size 1; {@code axes} are positions in the result, ascending. */
    record ExpandDims(List<Integer> axes) implements Shaping, KeepsOrder, Linear {
        public static final Builtin BUILTIN = Builtin.of("expand_dims", List.of(Builtin.Param.operand("x"), Builtin.Param.integer("axis")),
                a -> Ops.expandDims(a.operand("x"), a.integer("axis")), "inserts an axis of size 1 at this position of the result; "
                + "a negative one counts from the result's end, as NumPy (`expand_dims(v, -1)` of `[3]` is `[3, 1]`)")
                .java("`expandDims(x, axes...)`");

        public ExpandDims { axes = List.copyOf(axes); }

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 1);
            Type x = in.get(0);
            int rank = x.rank() + axes.size();
            for (int i = 0; i < axes.size(); i++) {
                int a = axes.get(i);
                if (a < 0 || a >= rank) throw new ShapeError("axis " + a + " is out of range for a result of rank " + rank);
                if (i > 0 && a <= axes.get(i - 1)) throw new ShapeError("axes " + axes + " are not ascending positions in the result");
            }
            var dims = new ArrayList<Dim>(rank);
            for (int i = 0, next = 0; i < rank; i++) dims.add(axes.contains(i) ? Dim.of(1) : x.dims().get(next++));
            return x.withDims(dims);
        }

        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(squeeze(gy, toArray(axes)))); }
    }

    /** Removes axes of size 1; {@code axes} are positions in the input, ascending. */
    record Squeeze(List<Integer> axes) implements Shaping, KeepsOrder, Linear {
        public static final Builtin BUILTIN = Builtin.alongAxis("squeeze", Ops::squeeze, Ops::squeeze, "removes the axis, which must have size 1; without one, every axis whose size is 1 (a symbolic dim is not "
                + "known to be 1, so it stays)").java("`squeeze(x)`, `squeeze(x, axes...)`");

        public Squeeze { axes = List.copyOf(axes); }

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 1);
            Type x = in.get(0);
            var dims = new ArrayList<Dim>();
            for (int a : axes) {
                if (!x.dims().get(x.axis(a)).isOne()) throw new ShapeError("axis " + a + " of " + x + " is not of size 1");
            }
            for (int i = 0; i < x.rank(); i++) if (!axes.contains(i)) dims.add(x.dims().get(i));
            return x.withDims(dims);
        }

        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(expandDims(gy, toArray(axes)))); }
    }

    /**
     * The same elements in row-major order under other dims, as NumPy's {@code reshape}: at
     * most one dim is -1 and stands for the size that makes the element counts agree. For an
     * input with symbolic dims the -1 is needed and stands for its one symbolic dim
     * ({@code [n, 28, 28]} to {@code [-1, 784]} gives {@code [n, 784]}).
     */
    record Reshape(List<Integer> dims) implements Shaping, KeepsOrder, Linear {
        public static final Builtin BUILTIN = Builtin.of("reshape", List.of(Builtin.Param.operand("x"), Builtin.Param.integers("shape")),
                a -> Ops.reshape(a.operand("x"), a.integers("shape")), "row-major, as NumPy; at most one `-1`. For an input with a "
                + "symbolic dim the `-1` is required and stands for it, when the concrete dims hold the same number of elements on "
                + "both sides: `[n, 28, 28]` to `[-1, 784]` is `[n, 784]`. The gradient reshapes back through `reshape(gy, x)`, which "
                + "reads x's concrete dims at run time").java("`reshape(x, dims...)`");

        public Reshape { dims = List.copyOf(dims); }

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 1);
            Type x = in.get(0);
            String target = Shape.format(dims);
            String cannot = "cannot reshape " + x + " to " + target + ": ";
            int free = dims.indexOf(-1);
            if (free != dims.lastIndexOf(-1)) throw new ShapeError(cannot + "only one dim can be -1");
            long known = 1; // the product of the dims other than the -1
            for (int d : dims) {
                if (d < -1) throw new ShapeError(cannot + "a dim is a size or -1, not " + d);
                if (d != -1) known *= d;
            }
            if (free >= 0 && known == 0) throw new ShapeError(cannot + "the -1 is ambiguous when the other dims hold no elements");
            var out = new ArrayList<Dim>(dims.size());
            for (int d : dims) out.add(Dim.of(Math.max(d, 0))); // the -1 is set below
            if (x.isConcrete()) {
                long size = x.shape().size();
                if (free < 0 && known != size) {
                    throw new ShapeError("cannot reshape " + x + " (" + size + " elements) to " + target + " (" + known + " elements)");
                }
                if (free >= 0 && size % known != 0) {
                    throw new ShapeError("cannot reshape " + x + " (" + size + " elements) to " + target + ": "
                            + size + " is not a multiple of " + known);
                }
                if (free >= 0) out.set(free, Dim.of((int) (size / known)));
                return x.withDims(out);
            }
            // [n, 28, 28] to [-1, 784]: the -1 is n exactly when the concrete dims hold as many elements on both sides
            if (free < 0) throw new ShapeError(cannot + "the size of a symbolic input can only be matched by a -1");
            var symbols = x.dims().stream().filter(d -> d instanceof Dim.Var).toList();
            if (symbols.size() != 1) {
                throw new ShapeError(cannot + "the -1 can stand for one symbolic dim, and " + x + " has " + symbols.size());
            }
            long concrete = concreteSize(x);
            if (concrete != known) {
                throw new ShapeError(cannot + "the -1 would stand for " + symbols.get(0) + ", which needs the other dims to hold "
                        + concrete + " elements, not " + known);
            }
            out.set(free, symbols.get(0));
            return x.withDims(out);
        }

        // a reshape is undone by reshaping back, to dims that may be symbolic
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(reshape(gy, in.get(0)))); }
    }

    /**
     * {@code x}'s elements in the dims of {@code like}, whose values are not read: the gradient
     * of {@link Reshape}, to dims that may be symbolic. The sizes must agree: equal when both
     * types are concrete, else the same symbols and the same product of the concrete dims.
     */
    record ReshapeLike() implements Shaping, KeepsOrder, Linear {
        public static final Builtin BUILTIN = Builtin.operator("", "`reshape(x, like)`", "x's elements in the dims of `like`, whose values are not read: "
                + "`reshape`'s gradient, to dims that may be symbolic");

        @Override
        public String name() { return "reshape"; }

        @Override
        public boolean readsValues(int i) { return i == 0; } // like lends only its shape

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 2);
            Type x = in.get(0), like = in.get(1);
            if (x.isConcrete() && like.isConcrete()) {
                int from = x.shape().size(), to = like.shape().size();
                if (from != to) {
                    throw new ShapeError("cannot reshape " + x + " (" + from + " elements) to " + like + " (" + to + " elements)");
                }
            } else if (!symbols(x).equals(symbols(like)) || concreteSize(x) != concreteSize(like)) {
                throw new ShapeError("cannot reshape " + x + " to " + like + ": their sizes cannot be shown equal");
            }
            return x.withDims(like.dims());
        }

        @Override
        public Tensor fprop(List<Tensor> in) { return in.get(0).reshape(in.get(1).shape()); }

        // reshaping back to x's dims
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            return List.of(Grad.of(reshape(gy, in.get(0))), Grad.disconnected());
        }
    }

    /** {@code x} broadcast to concrete dims, as NumPy's {@code broadcast_to}. */
    record BroadcastTo(List<Integer> dims) implements Shaping, SharedKernel, Linear {
        public static final Builtin BUILTIN = Builtin.of("broadcast_to", List.of(Builtin.Param.operand("x"), Builtin.Param.integers("shape")),
                a -> Ops.broadcastTo(a.operand("x"), a.integers("shape")), "NumPy's broadcasting to concrete dims; the gradient sums back")
                .java("`broadcastTo(x, dims...)`");

        public BroadcastTo { dims = List.copyOf(dims); }

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 1);
            Type x = in.get(0);
            String cannot = "cannot broadcast " + x + " to " + Shape.format(dims);
            if (dims.stream().anyMatch(d -> d < 0)) throw new ShapeError(cannot + ": a dim cannot be negative");
            Type target = x.withDims(dims.stream().map(Dim::of).toList());
            try {
                if (Type.broadcast(x, target).equals(target)) return target;
            } catch (ShapeError e) {
                // reported below, in terms of this op
            }
            throw new ShapeError(cannot);
        }

        @Override
        public Tensor fprop(List<Tensor> in) {
            return in.get(0).broadcastTo(Shape.of(dims.stream().mapToInt(Integer::intValue).toArray()));
        }

        @Override
        public Kernel kernel(Site site) { return Kernels.broadcast(site, 0); }

        // the adjoint of copying is summing the copies
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(sumTo(gy, in.get(0).type()))); }
    }

    /**
     * The operands joined along {@code axis} (negative counts from the end). Their dtypes and
     * ranks agree, their dims agree off the axis, and on the axis they are concrete.
     */
    record Concat(int axis) implements Shaping, Linear {
        public static final Builtin BUILTIN = Builtin.of("concat", List.of(Builtin.Param.operands("xs"), Builtin.Param.axis("axis", 0)),
                a -> Ops.concat(a.operands("xs"), a.axis("axis")), "same rank and dtype, equal dims except along the axis, which "
                + "must be concrete; the gradient is a slice per operand").written("`concat([a, b], axis = 0)`").java("`concat(List, axis)`");

        @Override
        public Type type(List<Type> in) {
            if (in.isEmpty()) throw new ShapeError("needs at least one operand");
            String types = in.stream().map(Type::toString).collect(Collectors.joining(", "));
            Type first = in.get(0);
            if (in.stream().anyMatch(t -> t.dtype() != first.dtype())) throw new ShapeError("dtypes differ: " + types);
            if (in.stream().anyMatch(t -> t.rank() != first.rank())) throw new ShapeError("ranks differ: " + types);
            if (first.isScalar()) throw new ShapeError("cannot concatenate scalars: " + types);
            int a = first.axis(axis);
            int total = 0;
            for (Type t : in) { // the dims that must agree first: a mismatch there is the real error
                for (int i = 0; i < t.rank(); i++) {
                    if (i != a && !t.dims().get(i).equals(first.dims().get(i))) {
                        throw new ShapeError("dims differ off axis " + axis + ": " + types);
                    }
                }
            }
            for (Type t : in) {
                if (!(t.dims().get(a) instanceof Dim.Size s)) {
                    throw new ShapeError("the dims along axis " + axis + " must be concrete: " + types);
                }
                total += s.n();
            }
            var dims = new ArrayList<>(first.dims());
            dims.set(a, Dim.of(total));
            return first.withDims(dims);
        }

        @Override
        public Tensor fprop(List<Tensor> in) { return Tensor.concat(in, axis); }

        // each block of the output, before the axis, is each operand's block in turn
        @Override
        public Kernel kernel(Site site) {
            Shape out = site.out();
            int a = Math.floorMod(axis, out.rank()), outer = 1, after = 1;
            for (int d = 0; d < a; d++) outer *= out.dim(d);
            for (int d = a + 1; d < out.rank(); d++) after *= out.dim(d);
            int[] slots = new int[site.arity()], blocks = new int[site.arity()];
            for (int i = 0; i < slots.length; i++) {
                slots[i] = site.slot(i);
                blocks[i] = site.in(i).dim(a) * after;
            }
            int rows = outer, y = site.slot(), width = out.dim(a) * after;
            return b -> {
                double[] o = (double[]) b[y];
                for (int r = 0, at = 0; r < rows; r++, at += width) {
                    for (int i = 0, to = at; i < slots.length; to += blocks[i], i++) {
                        System.arraycopy((double[]) b[slots[i]], r * blocks[i], o, to, blocks[i]);
                    }
                }
            };
        }

        // each operand's gradient is its own part of gy
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            int a = y.type().axis(axis);
            var grads = new ArrayList<Grad>(in.size());
            int start = 0;
            for (Node x : in) {
                int stop = start + ((Dim.Size) x.type().dims().get(a)).n();
                grads.add(Grad.of(slice(gy, along(a, start, stop))));
                start = stop;
            }
            return grads;
        }
    }

    /**
     * NumPy's basic indexing, {@code x[:, 0:10]} or {@code x[i]}: one {@link Slice} per leading
     * axis, the axes after them taken whole. A range keeps its axis, an index drops it. A
     * symbolic dim can only be taken whole ({@code :} or {@code ::-1}), and keeps its symbol.
     */
    record StridedSlice(List<Slice> index) implements Shaping, Linear {
        public static final Builtin BUILTIN = Builtin.operator("`x[:, 0:10]`, `x[i]`, `x[::-1]`", "`slice(x, Slice.all(), Slice.range(0, 10))`, "
                + "`slice(x, Slice.index(i))`, `slice(x, Slice.range(null, null, -1))`", "NumPy basic indexing with Python's rules: "
                + "negative bounds count from the end, bounds past the end are clamped, steps of either sign (0 is an error), an "
                + "integer index drops its axis, missing trailing axes are whole. On a symbolic dim only `:` and `::-1` are allowed. "
                + "The gradient is `unslice`: the slice's adjoint, writing into zeros");

        public StridedSlice { index = List.copyOf(index); }

        @Override
        public String name() { return "slice"; }

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 1);
            Type x = in.get(0);
            if (index.size() > x.rank()) {
                throw new ShapeError("the index " + format(index) + " has " + index.size() + " components for "
                        + x + " of rank " + x.rank());
            }
            var dims = new ArrayList<Dim>();
            for (int i = 0; i < x.rank(); i++) {
                Dim d = x.dims().get(i);
                if (i >= index.size()) {
                    dims.add(d);
                    continue;
                }
                Slice s = index.get(i);
                if (s instanceof Slice.Range r && r.step() == 0) {
                    throw new ShapeError("the step of " + r + " (axis " + i + ") is zero");
                }
                if (!(d instanceof Dim.Size size)) {
                    if (!(s instanceof Slice.Range r && r.isWhole())) {
                        throw new ShapeError("cannot index axis " + i + " of " + x + " with " + s + ": its size " + d
                                + " is symbolic, and only : and ::-1 apply to a symbolic dim");
                    }
                    dims.add(d);
                } else if (s instanceof Slice.Range r) {
                    dims.add(Dim.of(r.on(size.n())[1]));
                } else if (((Slice.Index) s).on(size.n()) < 0) {
                    throw new ShapeError("index " + s + " is out of range for axis " + i + " of size " + size.n());
                }
            }
            return x.withDims(dims);
        }

        @Override
        public Tensor fprop(List<Tensor> in) {
            Tensor x = in.get(0);
            Shape out = type(List.of(Type.of(x))).shape();
            int[][] read = positions(index, x.shape());
            return x.slice(read[0], read[1], read[2]).reshape(out);
        }

        @Override
        public Kernel kernel(Site site) { return Kernels.gather(site, read(index, site.in(0)), 0); }

        // the adjoint of reading some positions: gy written back to them, zeros elsewhere
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            return List.of(Grad.of(unslice(gy, in.get(0), index.toArray(Slice[]::new))));
        }
    }

    /**
     * The adjoint of {@link StridedSlice}: {@code g} written into zeros of {@code like}'s type
     * at the positions that slicing {@code like} with {@code index} reads; {@code like}'s
     * values are not read.
     */
    record Unslice(List<Slice> index) implements Shaping, Linear {
        public static final Builtin BUILTIN = Builtin.operator("", "`unslice(g, like, index...)`", "internal: `g` written into zeros of `like`'s type where "
                + "slicing `like` reads: the slice's gradient");

        public Unslice { index = List.copyOf(index); }

        @Override
        public boolean readsValues(int i) { return i == 0; } // like lends only its shape

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 2);
            Type g = in.get(0), like = in.get(1);
            Type taken = new StridedSlice(index).type(List.of(like));
            if (!taken.equals(g)) {
                throw new ShapeError("cannot write " + g + " into the slice " + format(index) + " of " + like + ", which is " + taken);
            }
            return like;
        }

        @Override
        public Tensor fprop(List<Tensor> in) {
            Shape like = in.get(1).shape();
            int[][] read = positions(index, like);
            return in.get(0).reshape(Shape.of(read[2])).unslice(like, read[0], read[1]);
        }

        @Override
        public Kernel kernel(Site site) { return scatterAdd(site, read(index, site.in(1))); }

        // the adjoint of writing into zeros is reading those positions again
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            return List.of(Grad.of(slice(gy, index.toArray(Slice[]::new))), Grad.disconnected());
        }
    }

    /**
     * The adjoint of a {@link Remap} op {@code of}: {@code g}, of the type {@code of} gives for
     * {@code like}, added element by element into zeros of {@code like}'s type at the elements
     * that {@code of} reads there (those read several times, as by a tile, add up); {@code like}'s
     * values are not read. The gradient of every gather but flip, tril and triu, which are their
     * own adjoints.
     */
    record Unremap(Remap of) implements Shaping {
        public static final Builtin BUILTIN = Builtin.operator("", "`Shaping.Unremap(op)`", "internal: the adjoint of `tile`, `repeat`, `pad`, "
                + "`pad_reflect` and the shift: g added into zeros of `like`'s type at the elements the op reads there, so copies "
                + "add up");

        @Override
        public String describe() { return name() + "{of=" + of.describe() + "}"; }

        @Override
        public boolean readsValues(int i) { return i == 0; } // like lends only its shape

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 2);
            Type g = in.get(0), like = in.get(1);
            Type read = of.type(List.of(like));
            if (!read.equals(g)) {
                throw new ShapeError("cannot add " + g + " into " + like + " through " + of.describe() + ", which reads " + read);
            }
            return like;
        }

        @Override
        public Tensor fprop(List<Tensor> in) {
            Tensor g = in.get(0), like = in.get(1);
            double[] out = new double[like.size()];
            add(g.storage(), of.index(like.shape()), out);
            return Tensor.of(g.dtype(), like.shape(), out);
        }

        @Override
        public Kernel kernel(Site site) { return scatterAdd(site, of.index(site.in(1))); }

        // reading back the elements written: the gather itself
        @Override
        // scatter-adding is linear in g: its adjoint reads the same elements, with zeros where the op fills with a value
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(Apply.of(of.linear(), gy)), Grad.disconnected()); }
    }

    /**
     * Labels of any shape as 0/1 vectors of length {@code k} along a new last axis, with the 1
     * at the label. A label that is not an integer in {@code [0, k)} is an error when the
     * values are fed, naming the label and where it is.
     */
    record OneHot(int k) implements Shaping {
        public static final Builtin BUILTIN = Builtin.of("one_hot", List.of(Builtin.Param.operand("labels"), Builtin.Param.integer("k")), a -> Ops.oneHot(a.operand("labels"), a.integer("k")),
                "labels of any shape, integer values in [0, k), give shape + `[k]`; a label that is not such an integer is an "
                + "error naming it and its index; zero gradient");

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 1);
            if (k < 1) throw new ShapeError("the number of classes must be positive, found " + k);
            Type labels = in.get(0);
            var dims = new ArrayList<>(labels.dims());
            dims.add(Dim.of(k));
            return labels.withDims(dims);
        }

        @Override
        public Tensor fprop(List<Tensor> in) {
            Tensor labels = in.get(0);
            double[] out = new double[labels.size() * k];
            write(labels.storage(), labels.shape(), out);
            return Tensor.of(labels.dtype(), type(List.of(Type.of(labels))).shape(), out);
        }

        @Override
        public Kernel kernel(Site site) {
            Shape shape = site.in(0);
            int in = site.slot(0), out = site.slot(), n = site.out().size();
            return b -> {
                double[] y = (double[]) b[out];
                Arrays.fill(y, 0, n, 0.0);
                write((double[]) b[in], shape, y);
            };
        }

        /** A 1 in each label's row of zeros {@code out}; a label that is no integer in [0, k) is an error naming it and where it is. */
        private void write(double[] labels, Shape shape, double[] out) {
            for (int p = 0; p < shape.size(); p++) {
                double v = labels[p];
                if (!(v == Math.rint(v) && v >= 0 && v < k)) {
                    throw new IllegalArgumentException("label " + Tensor.scalar(v) + " at "
                            + Arrays.toString(shape.unravel(p)) + " is not an integer in [0, " + k + ")");
                }
                out[p * k + (int) v] = 1;
            }
        }

        // the output is piecewise constant in the labels, and labels are integers: zero gradient
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.zero()); }
    }

    /**
     * The {@code parts} equal slices of {@code x} along {@code axis} (negative counts from the
     * end), in order; a shape error when the axis is symbolic or its size is not a multiple of
     * {@code parts}.
     */
    static List<Apply> split(Node x, int parts, int axis) {
        Type t = x.type();
        String call = "split(" + x.label() + "): ";
        int a;
        try {
            a = t.axis(axis);
        } catch (ShapeError e) {
            throw new ShapeError(call + e.detail());
        }
        if (parts < 1) throw new ShapeError(call + "the number of parts must be positive, found " + parts);
        if (!(t.dims().get(a) instanceof Dim.Size size)) {
            throw new ShapeError(call + "cannot split axis " + axis + " of " + t + ": its size " + t.dims().get(a) + " is symbolic");
        }
        if (size.n() % parts != 0) {
            throw new ShapeError(call + "cannot split axis " + axis + " of " + t + " (size " + size.n() + ") into "
                    + parts + " equal parts");
        }
        int each = size.n() / parts;
        var out = new ArrayList<Apply>(parts);
        for (int i = 0; i < parts; i++) out.add(slice(x, along(a, i * each, (i + 1) * each)));
        return out;
    }

    /** The index taking {@code start:stop} along {@code axis} and every other axis whole. */
    private static Slice[] along(int axis, int start, int stop) {
        var index = new Slice[axis + 1];
        Arrays.fill(index, Slice.all());
        index[axis] = Slice.range(start, stop);
        return index;
    }

    /**
     * The positions an index reads from a concrete shape it fits, as {start, step, count} per
     * axis: an index reads one position, a range its positions, an axis after the index all.
     */
    /** For each element a slice of {@code shape} reads, row-major, its offset in the sliced tensor. */
    private static int[] read(List<Slice> index, Shape shape) {
        int[][] positions = positions(index, shape);
        int[] start = positions[0], step = positions[1], count = positions[2];
        int rank = shape.rank(), size = 1;
        for (int c : count) size *= c;
        int[] strides = new int[rank];
        for (int d = rank - 1, stride = 1; d >= 0; stride *= shape.dim(d), d--) strides[d] = stride;
        int[] out = new int[size], at = new int[rank];
        for (int i = 0; i < size; i++) {
            int offset = 0;
            for (int d = 0; d < rank; d++) offset += (start[d] + at[d] * step[d]) * strides[d];
            out[i] = offset;
            for (int d = rank - 1; d >= 0 && ++at[d] == count[d]; d--) at[d] = 0;
        }
        return out;
    }

    /** The kernel of writing g into zeros: each g[i] added into out[index[i]], in order, where the index is not -1. */
    private static Kernel scatterAdd(Site site, int[] index) {
        int g = site.slot(0), out = site.slot(), n = site.out().size();
        return b -> {
            double[] y = (double[]) b[out];
            Arrays.fill(y, 0, n, 0.0);
            add((double[]) b[g], index, y);
        };
    }

    /** Each g[i] added into out[index[i]], in order, where the index is not -1. */
    private static void add(double[] g, int[] index, double[] out) {
        for (int i = 0; i < index.length; i++) if (index[i] >= 0) out[index[i]] += g[i];
    }

    private static int[][] positions(List<Slice> index, Shape shape) {
        int rank = shape.rank();
        int[] start = new int[rank], step = new int[rank], count = new int[rank];
        for (int i = 0; i < rank; i++) {
            int n = shape.dim(i);
            Slice s = i < index.size() ? index.get(i) : Slice.all();
            step[i] = s instanceof Slice.Range r ? r.step() : 1;
            if (s instanceof Slice.Range r) {
                int[] on = r.on(n);
                start[i] = on[0];
                count[i] = on[1];
            } else {
                start[i] = ((Slice.Index) s).on(n);
                count[i] = 1;
            }
        }
        return new int[][] {start, step, count};
    }

    /** {@code [0:10, 3]}: an index as written in Python. */
    private static String format(List<Slice> index) {
        return index.stream().map(Slice::toString).collect(Collectors.joining(", ", "[", "]"));
    }

    /** The product of the concrete dims of a type (1 when there are none). */
    private static long concreteSize(Type t) {
        long size = 1;
        for (Dim d : t.dims()) if (d instanceof Dim.Size s) size *= s.n();
        return size;
    }

    /** The symbolic dims of a type, sorted by name, repeats kept. */
    private static List<String> symbols(Type t) {
        return t.dims().stream().filter(d -> d instanceof Dim.Var).map(Dim::toString).sorted().toList();
    }

    static int[] toArray(List<Integer> axes) { return axes.stream().mapToInt(Integer::intValue).toArray(); }

    static List<Integer> sorted(int... axes) { return Arrays.stream(axes).sorted().boxed().toList(); }
}
