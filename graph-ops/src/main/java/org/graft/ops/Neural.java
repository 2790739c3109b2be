package org.graft.ops;

import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.exp;
import static org.graft.ops.Ops.expandDims;
import static org.graft.ops.Ops.log;
import static org.graft.ops.Ops.log1p;
import static org.graft.ops.Ops.logSoftmax;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.neg;
import static org.graft.ops.Ops.sigmoid;
import static org.graft.ops.Ops.softmax;
import static org.graft.ops.Ops.sub;
import static org.graft.ops.Ops.sum;

import java.util.List;

import org.graft.core.Apply;
import org.graft.core.Elementwise;
import org.graft.core.Grad;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.ShapeError;
import org.graft.core.Type;
import org.graft.core.kernel.Kernel;
import org.graft.core.kernel.Site;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * The functions of neural-network outputs and losses. Each is one op, not a composite, so its
 * kernel can be the stable form of the formula (the naive composition over- or underflows),
 * and the stabilizing rewrites have a single node to produce.
 */
public sealed interface Neural extends Op {

    /** The type of an op that normalizes its one input along {@code axis}: the input's, once the axis is checked. */
    private static Type alongAxis(Op op, List<Type> in, int axis) {
        Op.requireArity(op, in, 1);
        in.get(0).axis(axis);
        return in.get(0);
    }

    /** e^x / Σ e^x along {@code axis}, computed from x - max so no exponent is positive. */
    record Softmax(int axis) implements Neural {
        public static final Builtin BUILTIN = Builtin.of("softmax", List.of(Builtin.Param.operand("x"), Builtin.Param.axis("axis", -1)), a -> Ops.softmax(a.operand("x"), a.axis("axis")),
                "from x - max; a row of -inf gives NaN, as PyTorch").java("`softmax(x)`, `softmax(x, axis)`");

        @Override
        public Type type(List<Type> in) { return alongAxis(this, in, axis); }

        @Override
        public Tensor fprop(List<Tensor> in) {
            Tensor x = in.get(0);
            int[] axes = {x.shape().axis(axis)};
            Tensor e = x.sub(Reduce.shift(x, axes)).map(Math::exp);
            return e.div(e.sum(axes, true));
        }

        @Override
        public Kernel kernel(Site site) {
            var lanes = new Lanes(site.in(0), axis);
            int in = site.slot(0), out = site.slot();
            return b -> {
                double[] x = (double[]) b[in], y = (double[]) b[out];
                for (int lane = 0; lane < lanes.count; lane++) {
                    int start = lanes.start(lane), step = lanes.stride, end = start + lanes.length * step;
                    double shift = lanes.shift(x, start);
                    double sum = 0.0;
                    for (int i = start; i < end; i += step) sum += y[i] = Math.exp(x[i] - shift);
                    for (int i = start; i < end; i += step) y[i] /= sum;
                }
            };
        }

        // dy_i/dx_j = y_i (δ_ij - y_j), so the vector-Jacobian product is y ⊙ (gy - <gy, y>)
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            return List.of(Grad.of(mul(y, sub(gy, sum(mul(gy, y), axis, true)))));
        }
    }

    /** x - log Σ e^x along {@code axis}: finite where softmax underflows to 0 and its log to -inf. */
    record LogSoftmax(int axis) implements Neural {
        public static final Builtin BUILTIN = Builtin.of("log_softmax", List.of(Builtin.Param.operand("x"), Builtin.Param.axis("axis", -1)),
                a -> Ops.logSoftmax(a.operand("x"), a.axis("axis")), "(x - m) - log Σ e^(x-m): finite where softmax underflows")
                .java("`logSoftmax(x)`, `logSoftmax(x, axis)`");

        @Override
        public Type type(List<Type> in) { return alongAxis(this, in, axis); }

        @Override
        public Tensor fprop(List<Tensor> in) { return evaluate(in.get(0), axis); }

        // dy_i/dx_j = δ_ij - softmax_j = δ_ij - e^(y_j), so gx = gy - e^y Σ gy
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            return List.of(Grad.of(sub(gy, mul(exp(y), sum(gy, axis, true)))));
        }

        @Override
        public Kernel kernel(Site site) {
            var lanes = new Lanes(site.in(0), axis);
            int in = site.slot(0), out = site.slot();
            return b -> {
                double[] x = (double[]) b[in], y = (double[]) b[out];
                for (int lane = 0; lane < lanes.count; lane++) {
                    int start = lanes.start(lane), step = lanes.stride, end = start + lanes.length * step;
                    double shift = lanes.shift(x, start);
                    double logSum = lanes.logSumExp(x, start, shift);
                    for (int i = start; i < end; i += step) y[i] = (x[i] - shift) - logSum;
                }
            };
        }

        static Tensor evaluate(Tensor x, int axis) {
            int[] axes = {x.shape().axis(axis)};
            Tensor z = x.sub(Reduce.shift(x, axes));
            Tensor logSum = z.map(Math::exp).sum(axes, true).map(Math::log);
            return z.sub(logSum);
        }
    }

    /**
     * -Σ t log softmax(z) along the last axis: the cross-entropy of each row of logits
     * {@code z} against targets {@code t} (one-hot, or any distribution), shape {@code [..., k] -> [...]}.
     */
    record SoftmaxCrossEntropy() implements Neural {
        public static final Builtin BUILTIN = Builtin.binary("softmax_cross_entropy", "logits", "onehot", Ops::softmaxCrossEntropy, "-Σ t log softmax(logits) over "
                + "the last axis: `[..., k] -> [...]`; logits and targets have the same type. d/dlogits = softmax · Σt - t (= softmax "
                + "- t for one-hot rows), d/dt = -log softmax: **the targets get a gradient** too, as the language contract says");

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 2);
            Type z = in.get(0), t = in.get(1);
            if (z.rank() < 1) throw new ShapeError("needs logits of rank 1 or more, found " + z);
            if (!z.equals(t)) throw new ShapeError("logits " + z + " and targets " + t + " differ");
            return z.withDims(z.dims().subList(0, z.rank() - 1));
        }

        @Override
        public Tensor fprop(List<Tensor> in) {
            Tensor z = in.get(0), t = in.get(1);
            return t.mul(LogSoftmax.evaluate(z, -1)).sum(new int[] {-1}, false).map(v -> -v);
        }

        // one pass per row over the logits for the shift, one for the normalizer, one for the sum
        @Override
        public Kernel kernel(Site site) {
            var lanes = new Lanes(site.in(0), -1);
            int logits = site.slot(0), targets = site.slot(1), out = site.slot();
            return b -> {
                double[] z = (double[]) b[logits], t = (double[]) b[targets], y = (double[]) b[out];
                for (int row = 0; row < lanes.count; row++) {
                    int start = lanes.start(row), end = start + lanes.length;
                    double shift = lanes.shift(z, start);
                    double logSum = lanes.logSumExp(z, start, shift);
                    double s = 0.0;
                    for (int i = start; i < end; i++) s += t[i] * ((z[i] - shift) - logSum);
                    y[row] = -s;
                }
            };
        }

        // d/dz = softmax(z) Σt - t (the notes' y - y* for one-hot t), as one op; d/dt = -log softmax(z)
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node z = in.get(0), t = in.get(1);
            Node gz = Apply.of(new SoftmaxCrossEntropyGrad(), z, t, gy);
            return List.of(Grad.of(gz), Grad.of(neg(mul(expandDims(gy, gy.type().rank()), logSoftmax(z, -1)))));
        }
    }

    /**
     * The gradient of {@link SoftmaxCrossEntropy} with respect to its logits, {@code g (softmax(z) Σt - t)}
     * along the last axis, for logits {@code z}, targets {@code t} and the cost's gradient
     * {@code g} (one value per row): one op, so the runtime computes each row's softmax, the
     * targets' sum and the result in one kernel instead of three passes. Only the bprop of
     * {@code softmax_cross_entropy} builds it.
     */
    record SoftmaxCrossEntropyGrad() implements Neural {
        public static final Builtin BUILTIN = Builtin.operator("", "`Neural.SoftmaxCrossEntropyGrad`", "internal: `softmax_cross_entropy`'s d/dlogits, "
                + "g (softmax(z) Σt - t) per row, as one op so that one kernel computes it; its own gradient is written out, not "
                + "taken of the expression it stands for, so a second-order gradient stays as small as the first");

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 3);
            Type z = in.get(0), t = in.get(1), g = in.get(2);
            if (z.rank() < 1 || !z.equals(t)) throw new ShapeError("logits " + z + " and targets " + t + " differ");
            if (!g.equals(z.withDims(z.dims().subList(0, z.rank() - 1)))) {
                throw new ShapeError("the gradient " + g + " does not have one value per row of " + z);
            }
            return z;
        }

        @Override
        public Tensor fprop(List<Tensor> in) {
            Tensor z = in.get(0), t = in.get(1), g = in.get(2);
            int[] last = {z.rank() - 1};
            Tensor softmax = new Softmax(-1).fprop(List.of(z));
            Tensor perRow = g.reshape(z.shape().reduce(last, true));
            return perRow.mul(softmax.mul(t.sum(last, true)).sub(t));
        }

        // With s = softmax(z), T = Σt and y_i = g (s_i T - t_i), for a cotangent u and d = u - <u, s>:
        // dy_i/dz_k = g T s_i (δ_ik - s_k), so gz = g T s ⊙ d; dy_i/dt_k = g (s_i - δ_ik), so
        // gt = -g d; dy_i/dg = s_i T - t_i, so gg = <u, s T - t>. Written out rather than taken as
        // the gradient of the expression: a walk over that expression would also differentiate u,
        // which in a second-order gradient is built from this very node.
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node z = in.get(0), t = in.get(1), g = in.get(2);
            Node perRow = expandDims(g, g.type().rank());
            Node s = softmax(z, -1), total = sum(t, -1, true);
            Node d = sub(gy, sum(mul(gy, s), -1, true));
            Node gz = mul(mul(perRow, total), mul(s, d));
            Node gt = neg(mul(perRow, d));
            Node gg = sum(mul(gy, sub(mul(s, total), t)), -1);
            return List.of(Grad.of(gz), Grad.of(gt), Grad.of(gg));
        }

        // per row: the shift and the normalizer, then Σt, then each element, in the reference's order
        @Override
        public Kernel kernel(Site site) {
            var lanes = new Lanes(site.in(0), -1);
            int logits = site.slot(0), targets = site.slot(1), grads = site.slot(2), out = site.slot();
            return b -> {
                double[] z = (double[]) b[logits], t = (double[]) b[targets], g = (double[]) b[grads], y = (double[]) b[out];
                for (int row = 0; row < lanes.count; row++) {
                    int start = lanes.start(row), end = start + lanes.length;
                    double shift = lanes.shift(z, start);
                    double sum = 0.0, total = 0.0;
                    for (int i = start; i < end; i++) sum += y[i] = Math.exp(z[i] - shift);
                    for (int i = start; i < end; i++) total += t[i];
                    for (int i = start; i < end; i++) y[i] = g[row] * (y[i] / sum * total - t[i]);
                }
            };
        }
    }

    /**
     * -(t log p + (1 - t) log(1 - p)), elementwise with broadcasting, with 0 log 0 taken as 0 so
     * a confident right answer costs 0, not NaN. It is the naive form in p: for probabilities
     * that come from a sigmoid use {@link BceWithLogits}.
     */
    record BinaryCrossEntropy() implements Neural, Elementwise {
        public static final Builtin BUILTIN = Builtin.binary("binary_cross_entropy", "p", "t", Ops::binaryCrossEntropy, "-(t log p + (1-t) log(1-p)) with 0 log 0 "
                + "= 0, so a confident right answer costs exactly 0. No clamping (PyTorch clamps the logs at -100): it is the naive "
                + "form, and its gradient (p-t)/(p(1-p)) is infinite at p = 0 or 1. Use `bce_with_logits` for a sigmoid output.");

        @Override
        public int arity() { return 2; }

        // written as 0 - (...) so a cost of nothing is 0, not -0
        @Override
        public void apply(double[][] in, double[] out, int n) {
            double[] p = in[0], t = in[1];
            for (int i = 0; i < n; i++) out[i] = 0.0 - (xlogy(t[i], p[i]) + xlogy(1 - t[i], 1 - p[i]));
        }

        // in double from the floats (1 - p is exact there), rounded once
        @Override
        public void applyF32(float[][] in, float[] out, int n) {
            float[] p = in[0], t = in[1];
            for (int i = 0; i < n; i++) out[i] = (float) (0.0 - (xlogy(t[i], p[i]) + xlogy(1.0 - t[i], 1.0 - p[i])));
        }

        // d/dp = (p - t) / (p (1 - p)); d/dt = log(1 - p) - log p
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node p = in.get(0), t = in.get(1);
            Node gp = mul(gy, div(sub(p, t), mul(p, sub(1.0, p))));
            Node gt = mul(gy, sub(log1p(neg(p)), log(p)));
            return List.of(Grad.of(gp), Grad.of(gt));
        }

        private static double xlogy(double x, double y) { return x == 0 ? 0 : x * Math.log(y); }
    }

    /**
     * The binary cross-entropy of sigmoid(z) against t, from the logits z:
     * {@code (1 - t) softplus(z) + t softplus(-z)}, which is {@code softplus(z) - z t} for every
     * t. Finite for every finite z ({@code bce_with_logits(800, 0)} is 800), and for targets in
     * [0, 1] a sum of two terms that are not negative, so no digit cancels: a confident right
     * answer ({@code z = 30, t = 1}) costs {@code softplus(-30) = 9.357622968839299e-14} to the
     * last digit, where {@code softplus(30) - 30} keeps two.
     */
    record BceWithLogits() implements Neural, Elementwise {
        public static final Builtin BUILTIN = Builtin.binary("bce_with_logits", "logits", "t", Ops::bceWithLogits, "(1 - t) softplus(z) + t softplus(-z), which is "
                + "softplus(z) - z t for every t: for t in [0, 1] two terms that are not negative, so no digit cancels "
                + "(`bce_with_logits(30, 1)` is softplus(-30) = 9.357622968839737e-14 to the last digit; softplus(30) - 30 keeps two, "
                + "and PyTorch's (1 - t) z + softplus(-z) loses the same at z = -30, t = 0). `bce_with_logits(800, 0)` is 800. "
                + "Within 2 ulps of mpmath on `BceAccuracyTest`'s grid. d/dz = σ(z) - t, d/dt = -z");

        @Override
        public int arity() { return 2; }

        @Override
        public void apply(double[][] in, double[] out, int n) {
            double[] z = in[0], t = in[1];
            for (int i = 0; i < n; i++) out[i] = cost(z[i], t[i]);
        }

        // in double from the floats, rounded once
        @Override
        public void applyF32(float[][] in, float[] out, int n) {
            float[] z = in[0], t = in[1];
            for (int i = 0; i < n; i++) out[i] = (float) cost(z[i], t[i]);
        }

        private static double cost(double z, double t) {
            return (1 - t) * Special.softplus(z) + t * Special.softplus(-z);
        }

        // d/dz = σ(z) - t; d/dt = -z
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node z = in.get(0), t = in.get(1);
            return List.of(Grad.of(mul(gy, sub(sigmoid(z), t))), Grad.of(neg(mul(gy, z))));
        }
    }

    /**
     * The lanes of a tensor along one axis: {@code count} runs of {@code length} elements,
     * {@code stride} apart, one per position of the other axes, in the order the reference
     * reductions visit them.
     */
    final class Lanes {
        final int count, length, stride;

        Lanes(Shape x, int axis) {
            int a = x.axis(axis);
            length = x.dim(a);
            int inner = 1;
            for (int i = a + 1; i < x.rank(); i++) inner *= x.dim(i);
            stride = inner;
            count = length == 0 ? 0 : x.size() / length;
        }

        /** Where lane {@code lane} starts: lanes are numbered by their outer position, then their inner one. */
        int start(int lane) {
            int outer = lane / stride, inner = lane % stride;
            return outer * length * stride + inner;
        }

        /** The lane's maximum, or 0 when it is infinite, as {@link Reduce#shift}: what is subtracted before exp. */
        double shift(double[] x, int start) {
            double m = Double.NEGATIVE_INFINITY;
            for (int i = start, end = start + length * stride; i < end; i += stride) m = Math.max(m, x[i]);
            return Double.isInfinite(m) ? 0 : m;
        }

        /** log Σ e^(x - shift) along the lane. */
        double logSumExp(double[] x, int start, double shift) {
            double sum = 0.0;
            for (int i = start, end = start + length * stride; i < end; i += stride) sum += Math.exp(x[i] - shift);
            return Math.log(sum);
        }
    }
}
