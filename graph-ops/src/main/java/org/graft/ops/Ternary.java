package org.graft.ops;

import static org.graft.ops.Ops.greater;
import static org.graft.ops.Ops.less;
import static org.graft.ops.Ops.maximum;
import static org.graft.ops.Ops.where;

import java.util.List;

import org.graft.core.Elementwise;
import org.graft.core.Grad;
import org.graft.core.Node;

/** Elementwise functions of three inputs, all three broadcasting together as in NumPy. */
public sealed interface Ternary extends Elementwise {

    /** {@code y[i] = f(a[i], b[i], c[i])} for {@code i < n}, the operands already broadcast; {@code y} may be any of them. */
    void apply(double[] a, double[] b, double[] c, double[] y, int from, int to);

    /** The same on floats, each result rounded once. */
    void apply(float[] a, float[] b, float[] c, float[] y, int from, int to);

    @Override
    default void apply(double[][] in, double[] out, int from, int to) { apply(in[0], in[1], in[2], out, from, to); }

    @Override
    default void applyF32(float[][] in, float[] out, int from, int to) { apply(in[0], in[1], in[2], out, from, to); }

    @Override
    default int arity() { return 3; }

    /** {@code a} where {@code c} is non-zero, else {@code b}. */
    record Where() implements Ternary {
        public static final Builtin BUILTIN = Builtin.of("where", List.of(Builtin.Param.operand("c"), Builtin.Param.operand("a"), Builtin.Param.operand("b")),
                args -> Ops.where(args.operand("c"), args.operand("a"), args.operand("b")), "`a` where `c` ≠ 0; the condition gets "
                + "a zero gradient, each branch gets the gradient where it was chosen");

        public void apply(double[] c, double[] a, double[] b, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = c[i] != 0 ? a[i] : b[i]; }
        public void apply(float[] c, float[] a, float[] b, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = c[i] != 0 ? a[i] : b[i]; }

        // the condition only selects (zero derivative); each branch gets gy where it was chosen
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node c = in.get(0);
            return List.of(Grad.zero(), Grad.of(where(c, gy, 0.0)), Grad.of(where(c, 0.0, gy)));
        }
    }

    /**
     * {@code min(max(x, lo), hi)}: x limited to [lo, hi] (hi wherever lo > hi, as NumPy). At a
     * bound x itself keeps the gradient, as in PyTorch's clamp.
     */
    record Clip() implements Ternary {
        public static final Builtin BUILTIN = Builtin.of("clip", List.of(Builtin.Param.operand("x"), Builtin.Param.operand("lo"), Builtin.Param.operand("hi")),
                args -> Ops.clip(args.operand("x"), args.operand("lo"), args.operand("hi")), "`min(max(x, lo), hi)`, so hi "
                + "wherever lo > hi (NumPy). At a bound, **x keeps the gradient** (PyTorch's clamp); lo and hi get it where they bind");

        public void apply(double[] x, double[] lo, double[] hi, double[] y, int from, int to) {
            for (int i = from; i < to; i++) y[i] = Math.min(Math.max(x[i], lo[i]), hi[i]);
        }

        public void apply(float[] x, float[] lo, float[] hi, float[] y, int from, int to) {
            for (int i = from; i < to; i++) y[i] = Math.min(Math.max(x[i], lo[i]), hi[i]);
        }

        // With m = max(x, lo) and y = min(m, hi): dy/dhi = [m > hi], dy/dm = [m <= hi],
        // dm/dx = [x >= lo], dm/dlo = [x < lo].
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node x = in.get(0), lo = in.get(1), hi = in.get(2);
            Node aboveHi = greater(maximum(x, lo), hi);
            Node belowLo = less(x, lo);
            Node passed = where(aboveHi, 0.0, gy);
            return List.of(Grad.of(where(belowLo, 0.0, passed)), Grad.of(where(belowLo, passed, 0.0)),
                    Grad.of(where(aboveHi, gy, 0.0)));
        }
    }
}
