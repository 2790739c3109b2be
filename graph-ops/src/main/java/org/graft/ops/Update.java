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

        @Override
        public void apply(double[][] in, double[] out, int from, int to) {
            double[] p = in[0], m = in[1], v = in[2], lr = in[3], c1 = in[4], c2 = in[5];
            double e = eps;
            for (int i = from; i < to; i++) out[i] = p[i] - lr[i] * (m[i] / c1[i]) / (Math.sqrt(v[i] / c2[i]) + e);
        }

        // a float's square root rounded from the double's is the correctly rounded float one
        @Override
        public void applyF32(float[][] in, float[] out, int from, int to) {
            float[] p = in[0], m = in[1], v = in[2], lr = in[3], c1 = in[4], c2 = in[5];
            float e = (float) eps;
            for (int i = from; i < to; i++) out[i] = p[i] - lr[i] * (m[i] / c1[i]) / ((float) Math.sqrt(v[i] / c2[i]) + e);
        }

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
