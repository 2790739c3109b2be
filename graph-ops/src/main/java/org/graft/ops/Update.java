package org.graft.ops;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.neg;
import static org.graft.ops.Ops.sqrt;

import java.util.List;

import org.graft.core.Elementwise;
import org.graft.core.Grad;
import org.graft.core.Node;

/**
 * The optimizers' update formulas as single ops ({@link org.graft.ops.optim.Optimizer} builds
 * them), each one loop over its elements. A fused chain runs its ops one pass at a time over
 * blocks of registers, so Adam's update written as a dozen multiplications, divisions and
 * additions made a dozen passes: 2.2-2.3 ns an element in f32 where one loop takes 0.3-0.5
 * (bench/README.md). Each op computes what the primitive ops it stands for compute, one rounding
 * per operation in the same order, in f32 as in f64: the same bits as the ops, written out.
 * Their gradients are those of the formulas, so an update can still be differentiated.
 */
public sealed interface Update extends Elementwise {

    /**
     * {@code d a + (1 - d) x}, an exponential moving average with decay d: Adam's moments,
     * RMSprop's mean square. As {@code add(mul(d, a), mul(1 - d, x))}: the two products and
     * the sum rounded in turn, with d and 1 - d the constants in the operands' dtype.
     */
    record MovingAverage(double decay) implements Update {
        public static final Builtin BUILTIN = Builtin.operator("", "`movingAverage(a, x, decay)`", "internal: `decay a + (1 - decay) x` "
                + "in one loop, as the optimizers' moments are written, each operation rounding in f32 as the ops do; the optimizers build it");

        @Override
        public int arity() { return 2; }

        @Override
        public void apply(double[][] in, double[] out, int from, int to) {
            double[] a = in[0], x = in[1];
            double d = decay, e = 1 - decay;
            for (int i = from; i < to; i++) out[i] = d * a[i] + e * x[i];
        }

        @Override
        public void applyF32(float[][] in, float[] out, int from, int to) {
            float[] a = in[0], x = in[1];
            float d = (float) decay, e = (float) (1 - decay);
            for (int i = from; i < to; i++) out[i] = d * a[i] + e * x[i];
        }

        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            return List.of(Grad.of(mul(decay, gy)), Grad.of(mul(1 - decay, gy)));
        }
    }

    /**
     * {@code d a + (1 - d) x²}, the moving average of the squares of x: Adam's second moment,
     * RMSprop's and Adadelta's mean squares, in one pass where {@code movingAverage(a, square(x))}
     * takes two and a register as long as x between them. As those two ops: x² rounded, then the
     * two products and the sum in turn.
     */
    record MovingAverageOfSquares(double decay) implements Update {
        public static final Builtin BUILTIN = Builtin.operator("", "`movingAverageOfSquares(a, x, decay)`", "internal: `decay a + (1 - decay) x²` "
                + "in one loop, as the optimizers' second moments are written, each operation rounding in f32 as the ops do; the optimizers build it");

        @Override
        public int arity() { return 2; }

        @Override
        public void apply(double[][] in, double[] out, int from, int to) {
            double[] a = in[0], x = in[1];
            double d = decay, e = 1 - decay;
            for (int i = from; i < to; i++) out[i] = d * a[i] + e * (x[i] * x[i]);
        }

        // a float's square, exact in double, rounded once: the float product x * x
        @Override
        public void applyF32(float[][] in, float[] out, int from, int to) {
            float[] a = in[0], x = in[1];
            float d = (float) decay, e = (float) (1 - decay);
            for (int i = from; i < to; i++) out[i] = d * a[i] + e * (x[i] * x[i]);
        }

        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            return List.of(Grad.of(mul(decay, gy)), Grad.of(mul(mul(2 * (1 - decay), in.get(1)), gy)));
        }
    }

    /**
     * Adam's step of param p: {@code p - lr (m / c1) / (sqrt(v / c2) + eps)}, with the bias
     * corrections c1 = 1 - β1^t and c2 = 1 - β2^t, of operands {@code p, m, v, lr, c1, c2}.
     * As the primitive ops compute it, operation by operation: m / c1, lr times that, v / c2,
     * its square root, plus eps (the constant in the operands' dtype), the quotient, p minus it.
     */
    record AdamStep(double eps) implements Update {
        public static final Builtin BUILTIN = Builtin.operator("", "`adamStep(p, m, v, lr, c1, c2, eps)`", "internal: Adam's "
                + "`p - lr (m / c1) / (sqrt(v / c2) + eps)` in one loop, each operation rounding in f32 as the ops do; the optimizers build it");

        @Override
        public int arity() { return 6; }

        /** lr, c1 and c2, scalars as the optimizers build them, come as one element each. */
        @Override
        public boolean takesScalar(int k) { return k >= 3; }

        @Override
        public void apply(double[][] in, double[] out, int from, int to) {
            double[] p = in[0], m = in[1], v = in[2], lr = in[3], c1 = in[4], c2 = in[5];
            double e = eps;
            if (lr.length == 1 && c1.length == 1 && c2.length == 1) {
                double l = lr[0], d1 = c1[0], d2 = c2[0];
                for (int i = from; i < to; i++) out[i] = p[i] - l * (m[i] / d1) / (Math.sqrt(v[i] / d2) + e);
            } else {
                // a stride of 0 repeats a scalar's one element
                int sl = stride(lr), s1 = stride(c1), s2 = stride(c2);
                for (int i = from; i < to; i++) out[i] = p[i] - lr[i * sl] * (m[i] / c1[i * s1]) / (Math.sqrt(v[i] / c2[i * s2]) + e);
            }
        }

        // a float's square root rounded from the double's is the correctly rounded float one
        @Override
        public void applyF32(float[][] in, float[] out, int from, int to) {
            float[] p = in[0], m = in[1], v = in[2], lr = in[3], c1 = in[4], c2 = in[5];
            float e = (float) eps;
            if (lr.length == 1 && c1.length == 1 && c2.length == 1) {
                float l = lr[0], d1 = c1[0], d2 = c2[0];
                for (int i = from; i < to; i++) out[i] = p[i] - l * (m[i] / d1) / ((float) Math.sqrt(v[i] / d2) + e);
            } else {
                int sl = stride(lr), s1 = stride(c1), s2 = stride(c2);
                for (int i = from; i < to; i++) out[i] = p[i] - lr[i * sl] * (m[i] / c1[i * s1]) / ((float) Math.sqrt(v[i] / c2[i * s2]) + e);
            }
        }

        private static int stride(double[] a) { return a.length == 1 ? 0 : 1; }

        private static int stride(float[] a) { return a.length == 1 ? 0 : 1; }

        // y = p - N / D with N = lr m / c1, D = sqrt(v / c2) + eps
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node m = in.get(1), v = in.get(2), lr = in.get(3), c1 = in.get(4), c2 = in.get(5);
            Node mHat = div(m, c1), root = sqrt(div(v, c2)), d = add(root, eps);
            Node perD = div(gy, d);                                   // gy / D = -gy dy/dN
            Node perDn = mul(perD, mul(lr, mHat));                    // gy N / D = -gy N dy/dN
            Node perRoot = div(div(perDn, d), mul(2.0, root));        // gy dy/dD through the root: d sqrt(u)/du = 1 / (2 sqrt u)
            return List.of(Grad.of(gy),
                    Grad.of(neg(div(mul(perD, lr), c1))),
                    Grad.of(div(perRoot, c2)),
                    Grad.of(neg(mul(perD, mHat))),
                    Grad.of(div(perDn, c1)),
                    Grad.of(neg(div(mul(perRoot, v), mul(c2, c2)))));
        }
    }
}
