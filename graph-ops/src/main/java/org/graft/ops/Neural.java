package org.graft.ops;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.exp;
import static org.graft.ops.Ops.expandDims;
import static org.graft.ops.Ops.log;
import static org.graft.ops.Ops.log1p;
import static org.graft.ops.Ops.logSoftmax;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.onesLike;
import static org.graft.ops.Ops.neg;
import static org.graft.ops.Ops.reluGrad;
import static org.graft.ops.Ops.sigmoid;
import static org.graft.ops.Ops.softmax;
import static org.graft.ops.Ops.sub;
import static org.graft.ops.Ops.sum;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import org.graft.core.Apply;
import org.graft.core.Elementwise;
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
 * The functions of neural-network outputs and losses. Each is one op, not a composite, so its
 * kernel can be the stable form of the formula (the naive composition over- or underflows),
 * and the stabilizing rewrites have a single node to produce.
 */
public sealed interface Neural extends Op {

    /** The type of an op that normalizes its one input along {@code axis} (null: every axis): the input's, once the axis is checked. */
    private static Type alongAxis(Op op, List<Type> in, Integer axis) {
        Op.requireArity(op, in, 1);
        if (axis != null) in.get(0).axis(axis);
        return in.get(0);
    }

    /** The axes a normalization along {@code axis} runs over: that one, or every axis of x for null. */
    private static int[] along(Shape x, Integer axis) {
        return axis == null ? IntStream.range(0, x.rank()).toArray() : new int[] {x.axis(axis)};
    }

    /** The sum of v along {@code axis} (null: every axis), kept with size 1, to broadcast against v. */
    private static Node sumAlong(Node v, Integer axis) {
        return axis == null ? sum(v, IntStream.range(0, v.type().rank()).toArray(), true) : sum(v, axis, true);
    }

    /** e^x / Σ e^x along {@code axis}, or over every element for a null axis, computed from x - max so no exponent is positive. */
    record Softmax(Integer axis) implements Neural {
        public static final Builtin BUILTIN = Builtin.of("softmax", List.of(Builtin.Param.operand("x"), Builtin.Param.axisOrNone("axis", -1)),
                a -> Ops.softmax(a.operand("x"), a.axis("axis")), "from x - max; a row of -inf gives NaN, as PyTorch. `axis = "
                + "none` normalizes over every element (JAX's `axis=None`)").java("`softmax(x)`, `softmax(x, axis)` (null: every axis)");

        @Override
        public Type type(List<Type> in) { return alongAxis(this, in, axis); }

        @Override
        public Tensor fprop(List<Tensor> in) {
            Tensor x = in.get(0);
            int[] axes = along(x.shape(), axis);
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
            return List.of(Grad.of(mul(y, sub(gy, sumAlong(mul(gy, y), axis)))));
        }

        // the Jacobian is symmetric, so the tangent is the same product: y ⊙ (dx - <dx, y>)
        @Override
        public Grad jvp(List<Node> in, Node y, List<Node> tangents) { return bprop(in, y, tangents.get(0)).get(0); }
    }

    /** x - log Σ e^x along {@code axis} (null: every axis): finite where softmax underflows to 0 and its log to -inf. */
    record LogSoftmax(Integer axis) implements Neural {
        public static final Builtin BUILTIN = Builtin.of("log_softmax", List.of(Builtin.Param.operand("x"), Builtin.Param.axisOrNone("axis", -1)),
                a -> Ops.logSoftmax(a.operand("x"), a.axis("axis")), "(x - m) - log Σ e^(x-m): finite where softmax underflows; "
                + "`axis = none` as `softmax`'s").java("`logSoftmax(x)`, `logSoftmax(x, axis)` (null: every axis)");

        @Override
        public Type type(List<Type> in) { return alongAxis(this, in, axis); }

        @Override
        public Tensor fprop(List<Tensor> in) { return evaluate(in.get(0), axis); }

        // dy_i/dx_j = δ_ij - softmax_j = δ_ij - e^(y_j), so gx = gy - e^y Σ gy
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            return List.of(Grad.of(sub(gy, mul(exp(y), sumAlong(gy, axis)))));
        }

        // dy = dx - Σ_j e^(y_j) dx_j
        @Override
        public Grad jvp(List<Node> in, Node y, List<Node> tangents) {
            Node dx = tangents.get(0);
            return Grad.of(sub(dx, sumAlong(mul(exp(y), dx), axis)));
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

        static Tensor evaluate(Tensor x, Integer axis) {
            int[] axes = along(x.shape(), axis);
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
                    int start = lanes.start(row);
                    double shift = lanes.shift(z, start);
                    y[row] = loss(z, t, start, start + lanes.length, shift, lanes.logSumExp(z, start, shift));
                }
            };
        }

        /**
         * The loss and its gradient {@link SoftmaxCrossEntropyGrad} of the same logits and targets
         * in one pass per row, each exp taken once: the loss of each row is the one this op's
         * kernel computes and the gradient the one its own kernel computes, to the bit, since the
         * shift, the exps, their sum and Σt are the same numbers added in the same order. For f32
         * each row is widened into double and each result rounded once, as the f64 kernels run
         * between widened copies would give.
         */
        @Override
        public Kernel kernelWith(Op other, Site site, Site otherSite) {
            if (!(other instanceof SoftmaxCrossEntropyGrad) || otherSite.slot(0) != site.slot(0) || otherSite.slot(1) != site.slot(1)) {
                return null;
            }
            var lanes = new Lanes(site.in(0), -1);
            int logits = site.slot(0), targets = site.slot(1), out = site.slot(), grads = otherSite.slot(2), gradient = otherSite.slot();
            int k = lanes.length;
            if (site.dtype() == DType.F64) {
                return b -> {
                    double[] z = (double[]) b[logits], t = (double[]) b[targets], y = (double[]) b[out], g = (double[]) b[grads];
                    double[] dz = (double[]) b[gradient];
                    for (int row = 0; row < lanes.count; row++) y[row] = lossAndGradient(lanes, z, t, lanes.start(row), g[row], dz);
                };
            }
            double[] zr = new double[k], tr = new double[k], dzr = new double[k];
            return b -> {
                float[] z = (float[]) b[logits], t = (float[]) b[targets], y = (float[]) b[out], g = (float[]) b[grads];
                float[] dz = (float[]) b[gradient];
                for (int row = 0; row < lanes.count; row++) {
                    int start = lanes.start(row);
                    for (int i = 0; i < k; i++) {
                        zr[i] = z[start + i];
                        tr[i] = t[start + i];
                    }
                    y[row] = (float) lossAndGradient(lanes, zr, tr, 0, g[row], dzr);
                    for (int i = 0; i < k; i++) dz[start + i] = (float) dzr[i];
                }
            };
        }

        /**
         * The loss of the lane of logits from {@code start} (along the last axis, so contiguous), and its gradient {@code g
         * (softmax(z) Σt - t)} into {@code dz} from {@code start}: this op's kernel's {@link #loss} and
         * {@link SoftmaxCrossEntropyGrad}'s steps, in their order, sharing the exps.
         */
        private static double lossAndGradient(Lanes lanes, double[] z, double[] t, int start, double g, double[] dz) {
            int end = start + lanes.length;
            double shift = lanes.shift(z, start);
            double sum = exps(z, start, end, shift, dz);
            double loss = loss(z, t, start, end, shift, Math.log(sum));
            gradient(t, start, end, g, sum, dz);
            return loss;
        }

        /** -Σ t (z - shift - log Σ e^(z - shift)) over the lane [start, end). */
        private static double loss(double[] z, double[] t, int start, int end, double shift, double logSum) {
            double s = 0.0;
            for (int i = start; i < end; i++) s += t[i] * ((z[i] - shift) - logSum);
            return -s;
        }

        /** e^(z - shift) into {@code e} over the lane [start, end), and their sum, in {@link Lanes#logSumExp}'s order. */
        private static double exps(double[] z, int start, int end, double shift, double[] e) {
            double sum = 0.0;
            for (int i = start; i < end; i++) sum += e[i] = Math.exp(z[i] - shift);
            return sum;
        }

        /** {@code g (e / sum Σt - t)} in place of the exps {@code e} over the lane [start, end). */
        private static void gradient(double[] t, int start, int end, double g, double sum, double[] e) {
            double total = 0.0;
            for (int i = start; i < end; i++) total += t[i];
            for (int i = start; i < end; i++) e[i] = g * (e[i] / sum * total - t[i]);
        }

        // d/dz = softmax(z) Σt - t (the notes' y - y* for one-hot t), as one op; d/dt = -log softmax(z)
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node z = in.get(0), t = in.get(1);
            Node gz = Apply.of(new SoftmaxCrossEntropyGrad(), z, t, gy);
            return List.of(Grad.of(gz), Grad.of(neg(mul(expandDims(gy, gy.type().rank()), logSoftmax(z, -1)))));
        }

        // dy = Σ_k (softmax(z)_k Σt - t_k) dz_k - Σ_k log softmax(z)_k dt_k, per row
        @Override
        public Grad jvp(List<Node> in, Node y, List<Node> tangents) {
            Node z = in.get(0), t = in.get(1), dz = tangents.get(0), dt = tangents.get(1);
            Node fromLogits = dz == null ? null : sum(mul(sub(mul(softmax(z, -1), sum(t, -1, true)), t), dz), -1);
            Node fromTargets = dt == null ? null : neg(sum(mul(logSoftmax(z, -1), dt), -1));
            return Grad.of(fromLogits == null ? fromTargets : fromTargets == null ? fromLogits : add(fromLogits, fromTargets));
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
                    double sum = SoftmaxCrossEntropy.exps(z, start, end, lanes.shift(z, start), y);
                    SoftmaxCrossEntropy.gradient(t, start, end, g[row], sum, y);
                }
            };
        }
    }

    /**
     * PyTorch's cross-entropy with class labels, per row: for logits {@code z [..., k]} and a
     * label per row {@code [...]}, {@code (1 - ε)(-log softmax(z)[label]) + (ε/k) Σ -log softmax(z)},
     * with ε the label smoothing, and 0 where the label is {@code ignoreIndex}. A label is a class
     * in {@code [0, k)} or the ignore index, checked when the values are fed. {@link Ops#crossEntropy}
     * takes the mean over the rows not ignored.
     */
    record CrossEntropy(int ignoreIndex, double labelSmoothing) implements Neural {
        public static final Builtin BUILTIN = Builtin.of("cross_entropy", List.of(Builtin.Param.operand("logits"), Builtin.Param.operand("labels"),
                Builtin.Param.number("label_smoothing", 0.0), Builtin.Param.integer("ignore_index", -100), Builtin.Param.bool("reduce", true)),
                a -> Ops.crossEntropy(a.operand("logits"), a.operand("labels"), a.number("label_smoothing"), a.integer("ignore_index"),
                        a.bool("reduce")), "PyTorch's `F.cross_entropy` with class labels, the classes on the **last** axis (PyTorch's "
                + "are on axis 1; the same for `[n, k]`): `[..., k]` and labels `[...]`; per row (1-ε)(-log softmax(z)[label]) + "
                + "(ε/k) Σ -log softmax(z) for `label_smoothing` ε in [0, 1], stable as `log_softmax`. `reduce = true` (PyTorch's "
                + "default `reduction = 'mean'`) gives the mean **over the rows whose label is not `ignore_index`** (NaN when every "
                + "row is ignored, as PyTorch), `reduce = false` (`'none'`) the rows, 0 where ignored; `'sum'` is "
                + "`sum(cross_entropy(..., reduce = false))`. Labels: whole numbers in f64 or f32 (whatever the logits' dtype), a class "
                + "in [0, k) or the ignore index, anything else an error naming it and its position. No class weights. d/dz = "
                + "softmax - (1-ε) one_hot - ε/k per row, as one op; the labels get zero")
                .java("`crossEntropy(logits, labels)`, `crossEntropy(logits, labels, labelSmoothing, ignoreIndex, reduce)`");

        public CrossEntropy {
            if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
                throw new IllegalArgumentException("label_smoothing must be in [0, 1], found " + Builtin.show(labelSmoothing));
            }
        }

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 2);
            return Gather.perLabel(in.get(0), in.get(1), "logits", "softmax_cross_entropy");
        }

        @Override
        public Tensor fprop(List<Tensor> in) {
            Tensor z = in.get(0), labels = in.get(1);
            int k = z.shape().dim(-1);
            Tensor logProbs = LogSoftmax.evaluate(z, -1);
            int[] c = classes(ignoreIndex, labels.storage(), labels.shape(), k, new int[labels.size()]);
            double[] y = new double[labels.size()];
            for (int row = 0; row < y.length; row++) {
                if (c[row] == Gather.Positions.IGNORED) continue;
                double nll = -logProbs.getFlat(row * k + c[row]);
                double smooth = 0.0;
                for (int i = 0; i < k && labelSmoothing != 0; i++) smooth -= logProbs.getFlat(row * k + i);
                y[row] = labelSmoothing == 0 ? nll : (1 - labelSmoothing) * nll + labelSmoothing / k * smooth;
            }
            return Tensor.of(z.dtype(), labels.shape(), y);
        }

        // per row: the shift and the normalizer, then the label's term and, with smoothing, the sum over the row
        @Override
        public Kernel kernel(Site site) {
            var lanes = new Lanes(site.in(0), -1);
            Shape labelShape = site.in(1);
            int logits = site.slot(0), labels = site.slot(1), out = site.slot(), rows = site.out().size();
            int[] c = new int[rows];
            double keep = 1 - labelSmoothing, spread = labelSmoothing / lanes.length;
            return b -> {
                double[] z = (double[]) b[logits], y = (double[]) b[out];
                classes(ignoreIndex, b[labels], labelShape, lanes.length, c);
                for (int row = 0; row < rows; row++) {
                    if (c[row] == Gather.Positions.IGNORED) {
                        y[row] = 0;
                        continue;
                    }
                    int start = lanes.start(row), end = start + lanes.length;
                    double shift = lanes.shift(z, start);
                    double logSum = lanes.logSumExp(z, start, shift);
                    double nll = -((z[start + c[row]] - shift) - logSum);
                    if (labelSmoothing == 0) {
                        y[row] = nll;
                        continue;
                    }
                    double smooth = 0.0;
                    for (int i = start; i < end; i++) smooth -= (z[i] - shift) - logSum;
                    y[row] = keep * nll + spread * smooth;
                }
            };
        }

        // d/dz = softmax(z) - (1-ε) one_hot(label) - ε/k per row, as one op; the labels are integers: zero
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            return List.of(Grad.of(Apply.of(new CrossEntropyGrad(ignoreIndex, labelSmoothing), in.get(0), in.get(1), gy)), Grad.zero());
        }
    }

    /**
     * The gradient of {@link CrossEntropy} with respect to its logits, {@code g (softmax(z) - c)}
     * per row with {@code c = (1-ε) one_hot(label) + ε/k}, and 0 on the rows whose label is
     * ignored, for logits {@code z}, labels and the cost's gradient {@code g} (one value per row):
     * one op, so one kernel computes it. Only the bprop of {@code cross_entropy} builds it.
     */
    record CrossEntropyGrad(int ignoreIndex, double labelSmoothing) implements Neural {
        public static final Builtin BUILTIN = Builtin.operator("", "`Neural.CrossEntropyGrad`", "internal: `cross_entropy`'s d/dlogits, "
                + "g (softmax(z) - (1-ε) one_hot - ε/k) per row and 0 on ignored rows, as one op; its own gradient is written out, "
                + "so a second-order gradient stays as small as the first");

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 3);
            Type z = in.get(0), g = in.get(2);
            Type rows = Gather.perLabel(z, in.get(1), "logits", null);
            if (!g.equals(rows)) throw new ShapeError("the gradient " + g + " does not have one value per row of " + z);
            return z;
        }

        @Override
        public Tensor fprop(List<Tensor> in) {
            Tensor z = in.get(0), labels = in.get(1), g = in.get(2);
            int k = z.shape().dim(-1);
            Tensor softmax = new Softmax(-1).fprop(List.of(z));
            int[] c = classes(ignoreIndex, labels.storage(), labels.shape(), k, new int[labels.size()]);
            double[] y = new double[z.size()];
            for (int row = 0; row < c.length; row++) {
                if (c[row] == Gather.Positions.IGNORED) continue;
                for (int i = 0; i < k; i++) {
                    double target = (i == c[row] ? 1 - labelSmoothing : 0) + labelSmoothing / k;
                    y[row * k + i] = g.getFlat(row) * (softmax.getFlat(row * k + i) - target);
                }
            }
            return Tensor.of(z.dtype(), z.shape(), y);
        }

        // With s = softmax(z) and y_i = g (s_i - c_i) on a row that counts: dy_i/dz_j = g s_i (δ_ij - s_j),
        // so gz = g s ⊙ (u - <u, s>) for a cotangent u; dy_i/dg = s_i - c_i, so gg = <u, s - c>, which is
        // this op with g = 1. A row whose label is ignored is 0 whatever z and g are: the mask of the
        // rows that count (1 or 0) keeps it out of gz, and this op already gives it 0 for gg.
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node z = in.get(0), labels = in.get(1), g = in.get(2);
            Node s = softmax(z, -1);
            Node perRow = expandDims(mul(g, Apply.of(new Labelled(ignoreIndex), z, labels)), g.type().rank());
            Node gz = mul(perRow, mul(s, sub(gy, sum(mul(gy, s), -1, true))));
            Node gg = sum(mul(gy, Apply.of(this, z, labels, onesLike(g))), -1);
            return List.of(Grad.of(gz), Grad.zero(), Grad.of(gg));
        }

        // per row: the shift and the normalizer, then each element, in the reference's order
        @Override
        public Kernel kernel(Site site) {
            var lanes = new Lanes(site.in(0), -1);
            Shape labelShape = site.in(1);
            int logits = site.slot(0), labels = site.slot(1), grads = site.slot(2), out = site.slot(), rows = site.in(2).size();
            int[] c = new int[rows];
            int k = lanes.length;
            double keep = 1 - labelSmoothing, spread = labelSmoothing / k;
            return b -> {
                double[] z = (double[]) b[logits], g = (double[]) b[grads], y = (double[]) b[out];
                classes(ignoreIndex, b[labels], labelShape, k, c);
                for (int row = 0; row < rows; row++) {
                    int start = lanes.start(row), end = start + k;
                    if (c[row] == Gather.Positions.IGNORED) {
                        Arrays.fill(y, start, end, 0.0);
                        continue;
                    }
                    double shift = lanes.shift(z, start);
                    double sum = 0.0;
                    for (int i = start; i < end; i++) sum += y[i] = Math.exp(z[i] - shift);
                    for (int i = start; i < end; i++) y[i] = g[row] * (y[i] / sum - (i - start == c[row] ? keep + spread : spread));
                }
            };
        }
    }

    /**
     * 1 for each row of x {@code [..., k]} whose label is not {@code ignoreIndex}, 0 where it is:
     * the rows that the mean of {@link CrossEntropy} or {@link Gather.Nll} counts, and the mask of
     * the rows that have a gradient. x lends its type only. The labels are not checked here: the
     * loss that reads them checks them, so a bad label is reported by the op the program wrote.
     */
    record Labelled(int ignoreIndex) implements Neural {
        public static final Builtin BUILTIN = Builtin.operator("", "—", "internal: 1 for each row whose label is not `ignore_index`, "
                + "0 where it is: summed, what the mean of `cross_entropy` and `nll` divides by");

        @Override
        public boolean readsValues(int i) { return i == 1; } // x lends only its type

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 2);
            return Gather.perLabel(in.get(0), in.get(1), "x", null);
        }

        @Override
        public Tensor fprop(List<Tensor> in) {
            Tensor labels = in.get(1);
            return Tensor.of(in.get(0).dtype(), labels.shape(), Arrays.stream(labels.storage()).map(v -> v == ignoreIndex ? 0 : 1).toArray());
        }

        // 0 and 1 are exact in either dtype, and so the labels compared: one kernel for both
        @Override
        public Kernel kernel(Site site) {
            int labels = site.slot(1), out = site.slot(), n = site.out().size();
            return b -> {
                if (b[out] instanceof double[] y) {
                    for (int r = 0; r < n; r++) y[r] = label(b[labels], r) == ignoreIndex ? 0 : 1;
                } else {
                    float[] y = (float[]) b[out];
                    for (int r = 0; r < n; r++) y[r] = label(b[labels], r) == ignoreIndex ? 0 : 1;
                }
            };
        }

        private static double label(Object labels, int r) { return labels instanceof double[] d ? d[r] : ((float[]) labels)[r]; }

        @Override
        public Kernel kernelF32(Site site) { return kernel(site); }

        // x lends its type only; the labels are integers, and the output is piecewise constant in them
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.disconnected(), Grad.zero()); }
    }

    /**
     * The classes of the labels in {@code buffer} (f64 or f32, of shape {@code shape}) for rows of
     * {@code k} logits, into {@code into}: each checked to be a class in {@code [0, k)} or the
     * ignore index, which becomes {@link Gather.Positions#IGNORED}.
     */
    private static int[] classes(int ignoreIndex, Object buffer, Shape shape, int k, int[] into) {
        return Gather.Positions.labels(ignoreIndex).of(buffer, k, shape, shape.rank(), "", into);
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
        public void apply(double[][] in, double[] out, int from, int to) {
            double[] p = in[0], t = in[1];
            for (int i = from; i < to; i++) out[i] = 0.0 - (xlogy(t[i], p[i]) + xlogy(1 - t[i], 1 - p[i]));
        }

        // in double from the floats (1 - p is exact there), rounded once
        @Override
        public void applyF32(float[][] in, float[] out, int from, int to) { InDouble.apply(this, in, out, from, to); }

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

        // softplus(±z) = max(±z, 0) + log1p(e^-|z|): the two share their log1p, so it is taken once,
        // of an e^-|z| from a loop that C2 vectorizes (InDouble)
        @Override
        public void apply(double[][] in, double[] out, int from, int to) { InDouble.bceWithLogits(in[0], in[1], out, from, to); }

        // the same in double from the floats, rounded once
        @Override
        public void applyF32(float[][] in, float[] out, int from, int to) { InDouble.bceWithLogits(in[0], in[1], out, from, to); }

        // d/dz = σ(z) - t; d/dt = -z
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node z = in.get(0), t = in.get(1);
            return List.of(Grad.of(mul(gy, sub(sigmoid(z), t))), Grad.of(neg(mul(gy, z))));
        }
    }

    /**
     * relu's gradient {@code g [x > 0]}: g where x is above 0, 0 (signed as g times 0) where it is
     * not, NaN where x is NaN, as relu itself. One loop, where {@code g * (x > 0)} took two and a
     * register between them; and with no comparison in it, so that C2 vectorizes it: [x > 0] is
     * {@code min(max(x, 0) 2^1074, 1)} (2^149 in f32), since the smallest positive number times
     * that is 1 and every larger one goes past it. Only relu's bprop builds it.
     */
    record ReluGrad() implements Neural, Elementwise {
        public static final Builtin BUILTIN = Builtin.operator("", "`Neural.ReluGrad`", "internal: relu's gradient `g [x > 0]` in one "
                + "loop that C2 vectorizes; NaN where x is NaN; relu's bprop builds it. d/dx = 0, d/dg = [x > 0]");

        @Override
        public int arity() { return 2; }

        // 2^1074 in two factors, since the double 2^1074 does not exist
        @Override
        public void apply(double[][] in, double[] out, int from, int to) {
            double[] x = in[0], g = in[1];
            for (int i = from; i < to; i++) out[i] = g[i] * Math.min(Math.max(x[i], 0.0) * 0x1p600 * 0x1p474, 1.0);
        }

        @Override
        public void applyF32(float[][] in, float[] out, int from, int to) {
            float[] x = in[0], g = in[1];
            for (int i = from; i < to; i++) out[i] = g[i] * Math.min(Math.max(x[i], 0f) * 0x1p100f * 0x1p49f, 1f);
        }

        // the step is flat but at 0, where relu takes 0 as its derivative: d/dx is 0
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.zero(), Grad.of(reluGrad(in.get(0), gy))); }
    }

    /**
     * The lanes of a tensor along one axis: {@code count} runs of {@code length} elements,
     * {@code stride} apart, one per position of the other axes, in the order the reference
     * reductions visit them; along no axis in particular (null), one lane of every element.
     */
    final class Lanes {
        final int count, length, stride;

        Lanes(Shape x, Integer axis) {
            if (axis == null) {
                length = x.size();
                stride = 1;
                count = length == 0 ? 0 : 1;
                return;
            }
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
