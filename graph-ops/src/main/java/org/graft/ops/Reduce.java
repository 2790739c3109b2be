package org.graft.ops;

import static org.graft.ops.Ops.abs;
import static org.graft.ops.Ops.broadcastTo;
import static org.graft.ops.Ops.cumprod;
import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.equal;
import static org.graft.ops.Ops.exp;
import static org.graft.ops.Ops.expandDims;
import static org.graft.ops.Ops.flip;
import static org.graft.ops.Ops.maximum;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.sign;
import static org.graft.ops.Ops.softmax;
import static org.graft.ops.Ops.sub;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.where;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.graft.core.Apply;
import org.graft.core.Dim;
import org.graft.core.Grad;
import org.graft.core.Linear;
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
 * Reductions along axes (negative axes count from the end). The reduced axes are dropped, or
 * kept with size 1 when {@code keepdims}; the builder passes every axis for a reduction to a
 * scalar, so an empty list reduces nothing.
 *
 * <p>{@link ArgMax} and {@link ArgMin} belong here too: they reduce the same axes to the same
 * shape, only to a position instead of a value. The position is counted row-major over the
 * reduced axes, which along one axis is the index there and over every axis the flat index,
 * NumPy's two cases.
 */
public sealed interface Reduce extends Op {

    List<Integer> axes();

    boolean keepdims();

    @Override
    default Type type(List<Type> in) { return reducedType(in); }

    /** The type of the reduction of its one input: the default type rule, for the ops that check more before it. */
    default Type reducedType(List<Type> in) {
        Op.requireArity(this, in, 1);
        Type x = in.get(0);
        int[] axes = normalize(x, axes());
        var dims = new ArrayList<Dim>();
        for (int i = 0; i < x.rank(); i++) {
            final int axis = i;
            boolean reduced = Arrays.stream(axes).anyMatch(a -> a == axis);
            if (!reduced) dims.add(x.dims().get(i));
            else if (keepdims()) dims.add(Dim.of(1));
        }
        return x.withDims(dims);
    }

    /** A value of the output's shape with the reduced axes put back with size 1, so it broadcasts against x. */
    default Node kept(Node x, Node v) { return keepdims() ? v : expandDims(v, normalize(x.type(), axes())); }

    /** The gradient of the sum: gy copied back along the reduced axes. */
    default Node sumBprop(Node x, Node gy) { return broadcastTo(kept(x, gy), x); }

    /**
     * The gradient of max and min: gy to the elements equal to the result, split evenly among
     * ties (as JAX; Theano gives each tied element all of it, PyTorch's amax splits too).
     */
    default Node extremumBprop(Node x, Node y, Node gy) {
        Node hit = equal(x, kept(x, y));
        int[] axes = normalize(x.type(), axes());
        return div(mul(kept(x, gy), hit), sum(hit, axes, true));
    }

    record Sum(List<Integer> axes, boolean keepdims) implements Reduce, SharedKernel, Linear {
        public static final Builtin BUILTIN = Builtin.reduction("sum", Ops::sum, "0 over an empty axis")
                .java("`sum(x)`, `sum(x, axis)`, `sum(x, axis, keepdims)`, `sum(x, int[] axes, keepdims)`");

        public Sum { axes = List.copyOf(axes); }

        @Override
        public Tensor fprop(List<Tensor> in) { return in.get(0).sum(toArray(axes), keepdims); }

        @Override
        public Kernel kernel(Site site) { return Kernels.sum(site, normalize(site.in(0), axes), 1); }

        // d/dx_i sum(x) = 1 for every i reduced into the output
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(sumBprop(in.get(0), gy))); }
    }

    record Mean(List<Integer> axes, boolean keepdims) implements Reduce, SharedKernel, Linear {
        public static final Builtin BUILTIN = Builtin.reduction("mean", Ops::mean, "divides by the reduced count, read from the shape at run time (so `mean` over a "
                + "batch `n` works for any n)").java("`mean(...)`");

        public Mean { axes = List.copyOf(axes); }

        @Override
        public Tensor fprop(List<Tensor> in) {
            Tensor x = in.get(0);
            double n = Count.count(x, axes);
            return x.sum(toArray(axes), keepdims).map(s -> s / n);
        }

        @Override
        public Kernel kernel(Site site) { return Kernels.sum(site, normalize(site.in(0), axes), Count.count(site.in(0), axes)); }

        // d/dx_i mean(x) = 1/N, with N the number of elements reduced into each output
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node x = in.get(0);
            return List.of(Grad.of(div(sumBprop(x, gy), Apply.of(new Count(axes), x))));
        }
    }

    /** The largest element (-inf over an empty axis: the identity of max); NaN if any is NaN. */
    record Max(List<Integer> axes, boolean keepdims) implements Reduce {
        public static final Builtin BUILTIN = Builtin.reduction("max", Ops::max, "the gradient goes to the elements equal to the result, **split evenly among ties** "
                + "(JAX; Theano gives every tied element all of it). Over an empty axis: -inf, the identity. NaN propagates.")
                .java("`max(...)`");

        public Max { axes = List.copyOf(axes); }

        @Override
        public Tensor fprop(List<Tensor> in) {
            return in.get(0).reduce(toArray(axes), keepdims, Double.NEGATIVE_INFINITY, Math::max);
        }

        @Override
        public Kernel kernel(Site site) { return extremumKernel(site, axes, true); }

        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(extremumBprop(in.get(0), y, gy))); }
    }

    /** The smallest element (+inf over an empty axis); NaN if any is NaN. */
    record Min(List<Integer> axes, boolean keepdims) implements Reduce {
        public static final Builtin BUILTIN = Builtin.reduction("min", Ops::min, "as `max`; +inf over an empty axis").java("`min(...)`");

        public Min { axes = List.copyOf(axes); }

        @Override
        public Tensor fprop(List<Tensor> in) {
            return in.get(0).reduce(toArray(axes), keepdims, Double.POSITIVE_INFINITY, Math::min);
        }

        @Override
        public Kernel kernel(Site site) { return extremumKernel(site, axes, false); }

        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(extremumBprop(in.get(0), y, gy))); }
    }

    /**
     * log Σ e^x along the axes, computed as m + log Σ e^(x - m) with m the maximum, so no
     * exponent is positive: finite for inputs a thousand apart. -inf over an empty axis.
     */
    record LogSumExp(List<Integer> axes, boolean keepdims) implements Reduce {
        public static final Builtin BUILTIN = Builtin.reduction("logsumexp", Ops::logsumexp, "m + log Σ e^(x-m) with m the max, so finite for inputs 1000 apart; "
                + "-inf over an empty axis. Its gradient along one axis is the `softmax` op, exact where e^(x-y) would carry y's "
                + "rounding.").java("`logsumexp(...)`");

        public LogSumExp { axes = List.copyOf(axes); }

        @Override
        public String name() { return "logsumexp"; }

        @Override
        public Tensor fprop(List<Tensor> in) {
            Tensor x = in.get(0);
            int[] axes = normalize(Type.of(x), this.axes);
            Tensor m = shift(x, axes);
            Tensor s = x.sub(m).map(Math::exp).sum(axes, true);
            Tensor y = s.zip(m, (sv, mv) -> Math.log(sv) + mv);
            return keepdims ? y : y.reshape(x.shape().reduce(axes, false));
        }

        // fprop's arithmetic in its order: the shift (the max, 0 where infinite), the sum of e^(x - m), log s + m
        @Override
        public Kernel kernel(Site site) {
            int[] target = targets(site.in(0), normalize(site.in(0), axes));
            int in = site.slot(0), out = site.slot(), n = site.out().size();
            double[] m = new double[n];
            return b -> {
                double[] x = (double[]) b[in], y = (double[]) b[out];
                Arrays.fill(m, Double.NEGATIVE_INFINITY);
                for (int i = 0; i < target.length; i++) m[target[i]] = Math.max(m[target[i]], x[i]);
                for (int o = 0; o < n; o++) if (Double.isInfinite(m[o])) m[o] = 0;
                Arrays.fill(y, 0, n, 0.0);
                for (int i = 0; i < target.length; i++) y[target[i]] += Math.exp(x[i] - m[target[i]]);
                for (int o = 0; o < n; o++) y[o] = Math.log(y[o]) + m[o];
            };
        }

        // d/dx_i log Σ e^x = e^(x_i - y): the softmax along the axes. Along one axis it is the
        // softmax op, which shifts by the max: e^(x - y) carries y's rounding error, |y| ulps.
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node x = in.get(0);
            return List.of(Grad.of(mul(kept(x, gy), weights(x, y))));
        }

        // the tangent is the same weights' sum of the tangents: dy = Σ softmax(x) ⊙ dx over the axes
        @Override
        public Grad jvp(List<Node> in, Node y, List<Node> tangents) {
            Node x = in.get(0);
            return Grad.of(sum(mul(weights(x, y), tangents.get(0)), normalize(x.type(), axes), keepdims));
        }

        /** e^(x - y), the softmax along the axes: along one axis the softmax op, exact where e^(x - y) carries y's rounding. */
        private Node weights(Node x, Node y) { return axes.size() == 1 ? softmax(x, axes.get(0)) : exp(sub(x, kept(x, y))); }
    }

    /** The product of the elements (1 over an empty axis: the identity of the product). */
    record Prod(List<Integer> axes, boolean keepdims) implements Reduce {
        public static final Builtin BUILTIN = Builtin.reduction("prod", Ops::prod, "1 over an empty axis. The gradient is the "
                + "product of the other elements, formed without dividing by the element: exclusive cumulative products from both "
                + "ends, axis by axis, as PyTorch does where an element is 0; so it is exact with one zero (the zero's gradient "
                + "is the product of the rest) or several (all 0). Where no element is 0 PyTorch divides the product by the "
                + "element instead, which agrees to rounding, but gives NaN at an infinite element where this gives the product "
                + "of the others").java("`prod(...)`");

        public Prod { axes = List.copyOf(axes); }

        @Override
        public Tensor fprop(List<Tensor> in) { return in.get(0).reduce(toArray(axes), keepdims, 1.0, (p, x) -> p * x); }

        @Override
        public Kernel kernel(Site site) {
            int[] target = targets(site.in(0), normalize(site.in(0), axes));
            int in = site.slot(0), out = site.slot(), n = site.out().size();
            return b -> {
                double[] x = (double[]) b[in], y = (double[]) b[out];
                Arrays.fill(y, 0, n, 1.0);
                for (int i = 0; i < target.length; i++) y[target[i]] *= x[i];
            };
        }

        // d/dx_i Π x = Π_(j≠i) x_j. Along one axis that is the product of the elements before i times that of those after
        // it: the cumulative products from both ends, shifted by one (PyTorch's prod_safe_zeros_backward). Over several
        // axes, the product over the first axis a of x's others along a, times that over the rest of the others of
        // r = prod(x, a): axis by axis, each factor broadcasting along the axes already taken.
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node x = in.get(0), g = kept(x, gy), r = x;
            for (int a : normalize(x.type(), axes)) {
                g = mul(g, others(r, a));
                r = Ops.prod(r, a, true);
            }
            return List.of(Grad.of(g));
        }

        /** For each element of r, the product of the others along {@code axis}. */
        private static Node others(Node r, int axis) {
            Node before = exclusive(cumprod(r, axis), axis);
            Node after = flip(exclusive(cumprod(flip(r, axis), axis), axis), axis);
            return mul(before, after);
        }

        /** Cumulative products shifted by one along the axis, 1 first: the products of the elements before each. */
        private static Node exclusive(Node cumulative, int axis) { return Apply.of(new Remap.Shift(axis, 1, 1.0), cumulative); }
    }

    /**
     * The variance, Σ(x - mean)² / max(N - ddof, 0) over the N elements reduced: NumPy's
     * {@code var} with {@code ddof} ({@code ddof = 1} is the unbiased estimate, PyTorch's default).
     */
    record Var(List<Integer> axes, boolean keepdims, int ddof) implements Reduce {
        public static final Builtin BUILTIN = Builtin.of("var", moments(), a -> Ops.var(a.operand("x"), Builtin.axes(a),
                a.bool("keepdims"), a.integer("ddof")), "Σ(x - mean)² / (N - ddof) over the N elements reduced, two passes (the "
                + "mean, then the squares); `ddof = 0` as NumPy and JAX (PyTorch's `var` defaults to 1). When ddof ≥ N the "
                + "divisor is 0, as in PyTorch and NumPy: inf, or NaN where every deviation is 0 (one element, or an empty axis, "
                + "whose mean is NaN). d/dx = 2 (x - mean) / (N - ddof), ±inf or NaN likewise when ddof ≥ N (PyTorch divides "
                + "its gradient by N - ddof even when that is negative)").java("`var(x)`, `var(x, axis)`, `var(x, int[] axes, "
                + "keepdims, ddof)`");

        public Var { axes = List.copyOf(axes); }

        @Override
        public Type type(List<Type> in) { return momentType(this, in, ddof); }

        @Override
        public Tensor fprop(List<Tensor> in) { return moment(in.get(0), axes, keepdims, ddof, false); }

        @Override
        public Kernel kernel(Site site) { return momentKernel(site, axes, ddof, false); }

        // d/dx_i Σ(x - m)² / d = 2 (x_i - m) / d: the terms through the mean sum to 0
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node x = in.get(0);
            return List.of(Grad.of(div(mul(mul(2.0, kept(x, gy)), deviation(x, axes)), divisor(x, axes, ddof))));
        }
    }

    /** The standard deviation, the square root of {@link Var}. */
    record Std(List<Integer> axes, boolean keepdims, int ddof) implements Reduce {
        public static final Builtin BUILTIN = Builtin.of("std", moments(), a -> Ops.std(a.operand("x"), Builtin.axes(a),
                a.bool("keepdims"), a.integer("ddof")), "√`var`, with its `ddof` and its choices when ddof ≥ N. d/dx = (x - mean) / "
                + "((N - ddof) std), taken as **0 where std is 0** (every element equal: PyTorch's choice; the derivative does "
                + "not exist there)").java("`std(x)`, `std(x, axis)`, `std(x, int[] axes, keepdims, ddof)`");

        public Std { axes = List.copyOf(axes); }

        @Override
        public Type type(List<Type> in) { return momentType(this, in, ddof); }

        @Override
        public Tensor fprop(List<Tensor> in) { return moment(in.get(0), axes, keepdims, ddof, true); }

        @Override
        public Kernel kernel(Site site) { return momentKernel(site, axes, ddof, true); }

        // d/dx_i √v = (dv/dx_i) / (2 √v) = (x_i - m) / (d std); where std is 0 (every element equal) the derivative does
        // not exist and PyTorch's 0 is taken, which where() gives without computing gy / 0 into the other branch's gradient
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node x = in.get(0), s = kept(x, y);
            Node perStd = where(equal(s, 0.0), 0.0, div(kept(x, gy), s));
            return List.of(Grad.of(div(mul(perStd, deviation(x, axes)), divisor(x, axes, ddof))));
        }
    }

    /**
     * The vector p-norm of the elements reduced, for p = 1, 2 or inf (torch.linalg.vector_norm):
     * over every axis, a matrix's 2-norm is its Frobenius norm.
     */
    record Norm(double p, List<Integer> axes, boolean keepdims) implements Reduce {
        public static final Builtin BUILTIN = Builtin.of("norm", List.of(Builtin.Param.operand("x"), Builtin.Param.number("p", 2),
                        Builtin.Param.optionalAxis("axis"), Builtin.Param.bool("keepdims", false)),
                a -> Ops.norm(a.operand("x"), a.number("p"), Builtin.axes(a), a.bool("keepdims")), "the vector p-norm of the elements "
                + "along the axis, of every element without one (a matrix's 2-norm is then its Frobenius norm), as PyTorch's "
                + "`linalg.vector_norm` (NumPy's `norm(m, 1)` of a matrix is the induced norm instead); p is 1, 2 or inf. p = 2 is "
                + "√Σx², rescaled by the largest |x| where Σx² over- or underflows, so `norm([3e200, 4e200])` is 5e200 (PyTorch and "
                + "NumPy give inf). 0 over an empty axis (PyTorch refuses p = inf there). At a kink, **PyTorch's subgradient**: "
                + "sign x for p = 1 (0 at x = 0), x / norm for p = 2 (0 where the norm is 0), and for inf sign x split evenly "
                + "among the elements of largest |x| (0 where they are 0)").java("`norm(x)`, `norm(x, p)`, `norm(x, p, axis)`, "
                + "`norm(x, p, int[] axes, keepdims)`");

        public Norm { axes = List.copyOf(axes); }

        @Override
        public Type type(List<Type> in) {
            if (p != 1 && p != 2 && p != Double.POSITIVE_INFINITY) throw new ShapeError("p must be 1, 2 or inf, found " + Builtin.show(p));
            return reducedType(in);
        }

        @Override
        public Tensor fprop(List<Tensor> in) {
            Tensor x = in.get(0).astype(DType.F64);
            int[] a = toArray(axes);
            Tensor magnitudes = x.map(Math::abs);
            if (p == 1) return magnitudes.sum(a, keepdims).astype(in.get(0).dtype());
            Tensor largest = magnitudes.reduce(a, keepdims, 0.0, Math::max);
            if (p != 2) return largest.astype(in.get(0).dtype());
            Tensor squares = x.mul(x).sum(a, keepdims);
            Tensor relative = x.div(magnitudes.reduce(a, true, 0.0, Math::max));
            double[] s = squares.storage(), m = largest.storage(), t = relative.mul(relative).sum(a, keepdims).storage();
            double[] out = new double[s.length];
            for (int o = 0; o < out.length; o++) out[o] = euclidean(s[o], m[o], t[o]);
            return Tensor.of(in.get(0).dtype(), squares.shape(), out);
        }

        @Override
        public Kernel kernel(Site site) {
            int[] target = targets(site.in(0), normalize(site.in(0), axes));
            int in = site.slot(0), out = site.slot(), n = site.out().size();
            double[] largest = new double[n], relative = new double[n];
            return b -> {
                double[] x = (double[]) b[in], y = (double[]) b[out];
                Arrays.fill(y, 0, n, 0.0);
                if (p == 1) {
                    for (int i = 0; i < target.length; i++) y[target[i]] += Math.abs(x[i]);
                    return;
                }
                if (p != 2) {
                    for (int i = 0; i < target.length; i++) y[target[i]] = Math.max(y[target[i]], Math.abs(x[i]));
                    return;
                }
                for (int i = 0; i < target.length; i++) y[target[i]] += x[i] * x[i];
                boolean rescale = false;
                for (int o = 0; o < n; o++) rescale |= !fits(y[o]);
                if (rescale) { // the largest |x| of each group, and the sum of the squares relative to it
                    Arrays.fill(largest, 0.0);
                    Arrays.fill(relative, 0.0);
                    for (int i = 0; i < target.length; i++) largest[target[i]] = Math.max(largest[target[i]], Math.abs(x[i]));
                    for (int i = 0; i < target.length; i++) {
                        double e = x[i] / largest[target[i]];
                        relative[target[i]] += e * e;
                    }
                }
                for (int o = 0; o < n; o++) y[o] = rescale ? euclidean(y[o], largest[o], relative[o]) : Math.sqrt(y[o]);
            };
        }

        /** Whether a sum of squares holds its group's norm to full precision: neither overflowed nor below the normal range (or NaN). */
        private static boolean fits(double squares) {
            return squares >= Double.MIN_NORMAL && squares < Double.POSITIVE_INFINITY || Double.isNaN(squares);
        }

        /**
         * √Σx² from the sum of the squares, or, where that over- or underflowed, from the largest |x|
         * and the sum of the squares of x relative to it, which neither can (0 and inf are their own norms).
         */
        private static double euclidean(double squares, double largest, double relative) {
            if (fits(squares)) return Math.sqrt(squares);
            if (largest == 0 || largest == Double.POSITIVE_INFINITY) return largest;
            return largest * Math.sqrt(relative);
        }

        // d|x|_1 = sign x; d|x|_2 = x / |x|_2; d|x|_inf = sign x at the elements of largest |x|, split among them.
        // PyTorch's subgradients at the kinks: sign 0 = 0, and 0 for x / |x|_2 where the norm is 0.
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node x = in.get(0), g = kept(x, gy), norm = kept(x, y);
            if (p == 2) return List.of(Grad.of(mul(x, where(equal(norm, 0.0), 0.0, div(g, norm)))));
            Node signed = mul(g, sign(x));
            if (p == 1) return List.of(Grad.of(signed));
            Node hit = equal(abs(x), norm);
            return List.of(Grad.of(div(mul(signed, hit), sum(hit, normalize(x.type(), axes), true))));
        }
    }

    /** var's and std's parameters: a reduction's, and ddof. */
    private static List<Builtin.Param> moments() {
        return List.of(Builtin.Param.operand("x"), Builtin.Param.optionalAxis("axis"), Builtin.Param.bool("keepdims", false),
                Builtin.Param.integer("ddof", 0));
    }

    private static Type momentType(Reduce r, List<Type> in, int ddof) {
        if (ddof < 0) throw new ShapeError("ddof must be 0 or more, found " + ddof);
        return r.reducedType(in);
    }

    /** x - mean(x) along the axes, which are kept: the deviations var and std are made of. */
    private static Node deviation(Node x, List<Integer> axes) { return sub(x, Ops.mean(x, toArray(axes), true)); }

    /** max(N - ddof, 0) for the N elements reduced, read from x's shape at run time. */
    private static Node divisor(Node x, List<Integer> axes, int ddof) {
        return maximum(sub(Apply.of(new Count(axes), x), (double) ddof), 0.0);
    }

    /**
     * The variance (or its square root) in double, rounded to x's dtype once: the sums of x, the
     * mean, the sums of the squared deviations, each in Tensor's row-major order.
     */
    private static Tensor moment(Tensor x, List<Integer> axes, boolean keepdims, int ddof, boolean root) {
        Tensor wide = x.astype(DType.F64);
        int[] a = toArray(axes);
        double n = Count.count(x, axes), d = Math.max(n - ddof, 0);
        Tensor deviation = wide.sub(wide.sum(a, true).map(s -> s / n));
        Tensor v = deviation.mul(deviation).sum(a, keepdims).map(s -> s / d);
        return (root ? v.map(Math::sqrt) : v).astype(x.dtype());
    }

    /** Max's ({@code largest}) or min's kernel: each output from the identity, taking each element it folds; NaN propagates, as in fprop. */
    private static Kernel extremumKernel(Site site, List<Integer> axes, boolean largest) {
        int[] target = targets(site.in(0), normalize(site.in(0), axes));
        int in = site.slot(0), out = site.slot(), n = site.out().size();
        return b -> {
            double[] x = (double[]) b[in], y = (double[]) b[out];
            Arrays.fill(y, 0, n, largest ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
            if (largest) {
                for (int i = 0; i < target.length; i++) y[target[i]] = Math.max(y[target[i]], x[i]);
            } else {
                for (int i = 0; i < target.length; i++) y[target[i]] = Math.min(y[target[i]], x[i]);
            }
        };
    }

    /** {@link #moment}'s kernel, in the same order. */
    private static Kernel momentKernel(Site site, List<Integer> axes, int ddof, boolean root) {
        Shape shape = site.in(0);
        int[] target = targets(shape, normalize(shape, axes));
        double n = Count.count(shape, axes), d = Math.max(n - ddof, 0);
        int in = site.slot(0), out = site.slot(), size = site.out().size();
        double[] mean = new double[size];
        return b -> {
            double[] x = (double[]) b[in], y = (double[]) b[out];
            Arrays.fill(mean, 0.0);
            for (int i = 0; i < target.length; i++) mean[target[i]] += x[i];
            for (int o = 0; o < size; o++) mean[o] /= n;
            Arrays.fill(y, 0, size, 0.0);
            for (int i = 0; i < target.length; i++) {
                double e = x[i] - mean[target[i]];
                y[target[i]] += e * e;
            }
            for (int o = 0; o < size; o++) y[o] = root ? Math.sqrt(y[o] / d) : y[o] / d;
        };
    }

    /** For each element of a concrete shape, row-major, the output element that reducing {@code axes} (normalized) folds it into. */
    private static int[] targets(Shape x, int[] axes) { return x.reduce(axes, true).broadcastIndex(x); }

    /**
     * The position of the largest element within the reduced axes (NumPy's argmax): the first
     * of tied elements, and the first NaN over any number, as NumPy. Whole numbers in x's dtype,
     * since Graft has no integer tensors: f32 holds them exactly up to 2^24, and an f32 argmax
     * over more positions is an error. An empty reduced axis is an error:
     * a shape error when its size is a known 0, else when the values are fed.
     */
    record ArgMax(List<Integer> axes, boolean keepdims) implements Reduce {
        public static final Builtin BUILTIN = Builtin.reduction("argmax", Ops::argmax, "NumPy's: without an axis the flat index into the whole tensor (a scalar), "
                + "with one the index along it. With several axes (Java only) the position counted row-major over them, which is "
                + "both of NumPy's cases. **Ties go to the first index; so does NaN: the first NaN wins** (`argmax([1, NaN, 3])` is "
                + "1), as NumPy. The result holds whole numbers in x's dtype (Graft has no integer tensors), so an f32 program "
                + "stays f32 and its positions compare with its labels; f32 holds them exactly up to 2^24, and an f32 argmax over "
                + "more positions is an error. Its **gradient is zero** (`Grad.Zero`, as comparisons), so `grad` through it "
                + "gives zeros, not an error. An empty reduced axis is an error, as NumPy's \"attempt to get argmax of an empty "
                + "sequence\": a shape error when the graph is built if the dim is a known 0, else when the values are fed. "
                + "Constant folding computes them like any op.")
                .java("`argmax(x)`, `argmax(x, axis)`, `argmax(x, axis, keepdims)`, `argmax(x, int[] axes, keepdims)`");

        public ArgMax { axes = List.copyOf(axes); }

        @Override
        public String name() { return "argmax"; }

        @Override
        public Type type(List<Type> in) {
            Type reduced = reducedType(in);
            return positionType(this, in.get(0), reduced);
        }

        @Override
        public Tensor fprop(List<Tensor> in) { return position(this, in.get(0), true); }

        @Override
        public Kernel kernel(Site site) { return positionKernel(this, site, true); }

        // the output is piecewise constant in x (it jumps where two elements swap order), as a comparison's
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.zero()); }
    }

    /** The position of the smallest element within the reduced axes (NumPy's argmin); otherwise as {@link ArgMax}. */
    record ArgMin(List<Integer> axes, boolean keepdims) implements Reduce {
        public static final Builtin BUILTIN = Builtin.reduction("argmin", Ops::argmin, "as `argmax`, for the smallest element").java("`argmin(...)`");

        public ArgMin { axes = List.copyOf(axes); }

        @Override
        public String name() { return "argmin"; }

        @Override
        public Type type(List<Type> in) {
            Type reduced = reducedType(in);
            return positionType(this, in.get(0), reduced);
        }

        @Override
        public Tensor fprop(List<Tensor> in) { return position(this, in.get(0), false); }

        @Override
        public Kernel kernel(Site site) { return positionKernel(this, site, false); }

        // piecewise constant in x, as argmax
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.zero()); }
    }

    /**
     * The type of argmax or argmin: the reduced type, once no reduced axis is known to be empty
     * and, in f32, no more positions are known than f32 holds exactly.
     */
    private static Type positionType(Reduce r, Type x, Type reduced) {
        long positions = 1;
        for (int a : normalize(x, r.axes())) {
            if (x.dims().get(a) instanceof Dim.Size s) {
                if (s.n() == 0) throw new ShapeError(emptyAxis(r, a, x.toString()));
                positions *= s.n();
            }
        }
        if (x.dtype() == DType.F32 && positions > EXACT_F32) throw new ShapeError(tooManyPositions(r, positions));
        return reduced;
    }

    /** The largest whole number below which f32 holds every whole number: 2^24. */
    long EXACT_F32 = 1L << 24;

    private static String tooManyPositions(Reduce r, long positions) {
        return r.name() + " of an f32 value over " + positions + " positions: f32 holds whole numbers exactly only up to 2^24 = "
                + EXACT_F32 + "; take it of the value in f64";
    }

    /**
     * The row-major position within the reduced axes of the largest element (or the smallest),
     * for each element of the output. A NaN wins as soon as it is met, so the first NaN wins.
     */
    private static Tensor position(Reduce r, Tensor x, boolean largest) {
        int[] axes = normalize(Type.of(x), r.axes());
        // the kept axes first, then the reduced ones: each output element reads one contiguous block
        int[] perm = new int[x.rank()];
        int k = 0, block = 1;
        for (int i = 0; i < x.rank(); i++) if (Arrays.binarySearch(axes, i) < 0) perm[k++] = i;
        for (int a : axes) {
            perm[k++] = a;
            if (x.shape().dim(a) == 0) throw new IllegalArgumentException(emptyAxis(r, a, x.shape().toString()));
            block *= x.shape().dim(a);
        }
        // a symbolic dim known only now
        if (x.dtype() == DType.F32 && block > EXACT_F32) throw new IllegalArgumentException(tooManyPositions(r, block));
        double[] v = x.transpose(perm).toArray();
        double[] out = new double[v.length / block];
        for (int o = 0; o < out.length; o++) {
            int best = 0, start = o * block;
            for (int i = 0; i < block && !Double.isNaN(v[start + best]); i++) {
                double candidate = v[start + i];
                if (Double.isNaN(candidate) || (largest ? candidate > v[start + best] : candidate < v[start + best])) best = i;
            }
            out[o] = best;
        }
        return Tensor.of(x.dtype(), x.shape().reduce(axes, r.keepdims()), out);
    }

    /**
     * {@link #position}'s kernel: each element, in x's order, against the best of its output so
     * far, its position within the reduced axes kept where it wins; the first of ties and the
     * first NaN win, as there. An empty reduced axis, or in f32 more positions than f32 holds,
     * is the same error when the values are fed.
     */
    private static Kernel positionKernel(Reduce r, Site site, boolean largest) {
        Shape shape = site.in(0);
        int[] axes = normalize(shape, r.axes());
        int block = 1;
        for (int a : axes) {
            if (shape.dim(a) == 0) return b -> { throw new IllegalArgumentException(emptyAxis(r, a, shape.toString())); };
            block *= shape.dim(a);
        }
        int positions = block;
        if (site.dtype() == DType.F32 && block > EXACT_F32) return b -> { throw new IllegalArgumentException(tooManyPositions(r, positions)); };
        int[] target = targets(shape, axes), within = within(shape, axes);
        int in = site.slot(0), out = site.slot(), n = site.out().size();
        double[] best = new double[n];
        return b -> {
            double[] x = (double[]) b[in], y = (double[]) b[out];
            Arrays.fill(y, 0, n, -1);
            for (int i = 0; i < target.length; i++) {
                int o = target[i];
                double v = x[i];
                if (y[o] < 0 || !Double.isNaN(best[o]) && (Double.isNaN(v) || (largest ? v > best[o] : v < best[o]))) {
                    y[o] = within[i];
                    best[o] = v;
                }
            }
        };
    }

    /** For each element of a concrete shape, row-major, its position counted row-major over the reduced {@code axes} alone. */
    private static int[] within(Shape x, int[] axes) {
        int[] out = new int[x.size()];
        int[] index = new int[x.rank()];
        for (int i = 0; i < out.length; i++) {
            int p = 0;
            for (int a : axes) p = p * x.dim(a) + index[a];
            out[i] = p;
            for (int d = x.rank() - 1; d >= 0 && ++index[d] == x.dim(d); d--) index[d] = 0;
        }
        return out;
    }

    /** NumPy's words for an empty reduced axis, with the axis and the shape. */
    private static String emptyAxis(Reduce r, int axis, String shape) {
        return "attempt to get " + r.name() + " of an empty sequence: axis " + axis + " of " + shape + " has size 0";
    }

    /** The number of elements along {@code axes} of its input (a scalar), read from its shape. */
    record Count(List<Integer> axes) implements SharedKernel {
        public static final Builtin BUILTIN = Builtin.operator("", "—", "internal: the number of elements along the axes, read from its input's shape; `mean` divides by it");

        public Count { axes = List.copyOf(axes); }

        @Override
        public boolean readsValues(int i) { return false; } // only the shape of x is read

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 1);
            normalize(in.get(0), axes);
            return Type.scalar(in.get(0).dtype());
        }

        @Override
        public Tensor fprop(List<Tensor> in) { return Tensor.scalar(in.get(0).dtype(), count(in.get(0), axes)); }

        @Override
        public Kernel kernel(Site site) { return Kernels.fill(site, count(site.in(0), axes)); }

        // only the shape of x is read
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.disconnected()); }

        static double count(Tensor x, List<Integer> axes) { return count(x.shape(), axes); }

        static double count(Shape x, List<Integer> axes) {
            double n = 1;
            for (int a : axes) n *= x.dim(a);
            return n;
        }
    }

    /**
     * The maximum along {@code axes} with the axes kept, for subtracting before {@code exp} so
     * that no exponent is positive. An infinite maximum (a row of -inf, or a +inf) gives a shift
     * of 0 instead, since x - m would be NaN there.
     */
    static Tensor shift(Tensor x, int[] axes) {
        return x.reduce(axes, true, Double.NEGATIVE_INFINITY, Math::max).map(m -> Double.isInfinite(m) ? 0 : m);
    }

    /** The axes of a concrete shape as indices in [0, rank), ascending. */
    static int[] normalize(Shape x, List<Integer> axes) { return normalize(Type.of(DType.F64, x), axes); }

    /** The axes as indices in [0, rank), each once, in ascending order; a shape error otherwise. */
    static int[] normalize(Type x, List<Integer> axes) {
        int[] out = new int[axes.size()];
        for (int i = 0; i < out.length; i++) out[i] = x.axis(axes.get(i));
        Arrays.sort(out);
        for (int i = 1; i < out.length; i++) {
            if (out[i] == out[i - 1]) throw new ShapeError("axis " + out[i] + " is repeated in " + axes);
        }
        return out;
    }

    private static int[] toArray(List<Integer> axes) { return axes.stream().mapToInt(Integer::intValue).toArray(); }
}
