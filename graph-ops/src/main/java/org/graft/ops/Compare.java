package org.graft.ops;

import java.util.List;

import org.graft.core.Elementwise;
import org.graft.core.Grad;
import org.graft.core.Node;

/**
 * Comparisons, elementwise with broadcasting: 1 where the relation holds, 0 elsewhere (and 0
 * wherever an operand is NaN, except for {@code not_equal}, as IEEE 754 says). Their
 * derivative is zero wherever it exists, so every input gets {@link Grad#zero()}.
 */
public sealed interface Compare extends Elementwise {

    /** {@code y[i] = 1} where the relation holds between {@code a[i]} and {@code b[i]}, else 0, for {@code i < n}. */
    void apply(double[] a, double[] b, double[] y, int from, int to);

    /** The same on floats, each result rounded once. */
    void apply(float[] a, float[] b, float[] y, int from, int to);

    @Override
    default int arity() { return 2; }

    @Override
    default void apply(double[][] in, double[] out, int from, int to) { apply(in[0], in[1], out, from, to); }

    @Override
    default void applyF32(float[][] in, float[] out, int from, int to) { apply(in[0], in[1], out, from, to); }

    @Override
    default List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.zero(), Grad.zero()); }

    record Less() implements Compare {
        public static final Builtin BUILTIN = Builtin.operator("`a < b`", "`less(a, b)`", "1 or 0; false where an operand is NaN (IEEE 754); zero gradient");

        public void apply(double[] a, double[] b, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = a[i] < b[i] ? 1.0 : 0.0; }
        public void apply(float[] a, float[] b, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = (float) (a[i] < b[i] ? 1.0 : 0.0); }
    }

    record LessEqual() implements Compare {
        public static final Builtin BUILTIN = Builtin.operator("`a <= b`", "`lessEqual(a, b)`", "1 or 0; false where an operand is NaN; zero gradient");

        public void apply(double[] a, double[] b, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = a[i] <= b[i] ? 1.0 : 0.0; }
        public void apply(float[] a, float[] b, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = (float) (a[i] <= b[i] ? 1.0 : 0.0); }
    }

    record Greater() implements Compare {
        public static final Builtin BUILTIN = Builtin.operator("`a > b`", "`greater(a, b)`", "1 or 0; false where an operand is NaN; zero gradient");

        public void apply(double[] a, double[] b, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = a[i] > b[i] ? 1.0 : 0.0; }
        public void apply(float[] a, float[] b, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = (float) (a[i] > b[i] ? 1.0 : 0.0); }
    }

    record GreaterEqual() implements Compare {
        public static final Builtin BUILTIN = Builtin.operator("`a >= b`", "`greaterEqual(a, b)`", "1 or 0; false where an operand is NaN; zero gradient");

        public void apply(double[] a, double[] b, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = a[i] >= b[i] ? 1.0 : 0.0; }
        public void apply(float[] a, float[] b, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = (float) (a[i] >= b[i] ? 1.0 : 0.0); }
    }

    record Equal() implements Compare {
        public static final Builtin BUILTIN = Builtin.operator("`a == b`", "`equal(a, b)`", "1 or 0; false where an operand is NaN; zero gradient");

        public void apply(double[] a, double[] b, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = a[i] == b[i] ? 1.0 : 0.0; }
        public void apply(float[] a, float[] b, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = (float) (a[i] == b[i] ? 1.0 : 0.0); }
    }

    record NotEqual() implements Compare {
        public static final Builtin BUILTIN = Builtin.operator("`a != b`", "`notEqual(a, b)`", "1 or 0; **true** where an operand is NaN (IEEE 754); zero gradient");

        public void apply(double[] a, double[] b, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = a[i] != b[i] ? 1.0 : 0.0; }
        public void apply(float[] a, float[] b, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = (float) (a[i] != b[i] ? 1.0 : 0.0); }
    }
}
