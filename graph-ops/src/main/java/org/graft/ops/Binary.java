package org.graft.ops;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.equal;
import static org.graft.ops.Ops.greater;
import static org.graft.ops.Ops.less;
import static org.graft.ops.Ops.log;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.neg;
import static org.graft.ops.Ops.pow;
import static org.graft.ops.Ops.sub;
import static org.graft.ops.Ops.where;

import java.util.List;

import org.graft.core.Elementwise;
import org.graft.core.Grad;
import org.graft.core.Node;

/**
 * Elementwise functions of two inputs, broadcasting as in NumPy. Each bprop returns terms of
 * the broadcast shape; the walker sums them back to each operand's shape. ({@code add} is
 * {@link org.graft.core.ops.Add}: the gradient walker itself needs it to sum terms.)
 */
public sealed interface Binary extends Elementwise {

    /** {@code y[i] = f(a[i], b[i])} for {@code i < n}, the operands already broadcast; {@code y} may be either. */
    void apply(double[] a, double[] b, double[] y, int n);

    /** The same on floats, each result rounded once. */
    void apply(float[] a, float[] b, float[] y, int n);

    /** The two terms {@code gy * df/da} and {@code gy * df/db}. */
    List<Node> bprop(Node a, Node b, Node y, Node gy);

    @Override
    default int arity() { return 2; }

    @Override
    default void apply(double[][] in, double[] out, int n) { apply(in[0], in[1], out, n); }

    @Override
    default void applyF32(float[][] in, float[] out, int n) { apply(in[0], in[1], out, n); }

    @Override
    default List<Grad> bprop(List<Node> in, Node y, Node gy) {
        return bprop(in.get(0), in.get(1), y, gy).stream().map(Grad::of).toList();
    }

    record Sub() implements Binary {
        public static final Builtin BUILTIN = Builtin.operator("`a - b`", "`sub(a, b)`", "1, -1");

        public void apply(double[] a, double[] b, double[] y, int n) { for (int i = 0; i < n; i++) y[i] = a[i] - b[i]; }
        public void apply(float[] a, float[] b, float[] y, int n) { for (int i = 0; i < n; i++) y[i] = (float) (a[i] - b[i]); }
        // d(a - b) = da - db
        public List<Node> bprop(Node a, Node b, Node y, Node gy) { return List.of(gy, neg(gy)); }
    }

    record Mul() implements Binary {
        public static final Builtin BUILTIN = Builtin.operator("`a * b`", "`mul(a, b)`", "b, a");

        public void apply(double[] a, double[] b, double[] y, int n) { for (int i = 0; i < n; i++) y[i] = a[i] * b[i]; }
        public void apply(float[] a, float[] b, float[] y, int n) { for (int i = 0; i < n; i++) y[i] = (float) (a[i] * b[i]); }
        // d(ab) = b da + a db
        public List<Node> bprop(Node a, Node b, Node y, Node gy) { return List.of(mul(gy, b), mul(gy, a)); }
    }

    record Div() implements Binary {
        public static final Builtin BUILTIN = Builtin.operator("`a / b`", "`div(a, b)`", "1/b, -a/b²");

        public void apply(double[] a, double[] b, double[] y, int n) { for (int i = 0; i < n; i++) y[i] = a[i] / b[i]; }
        public void apply(float[] a, float[] b, float[] y, int n) { for (int i = 0; i < n; i++) y[i] = (float) (a[i] / b[i]); }
        // d(a/b) = da/b - (a/b²) db = da/b - (y/b) db
        public List<Node> bprop(Node a, Node b, Node y, Node gy) {
            Node ga = div(gy, b);
            return List.of(ga, neg(mul(ga, y)));
        }
    }

    /** a^b as {@link Math#pow}: real results only, so a negative base needs an integer exponent. */
    record Pow() implements Binary {
        public static final Builtin BUILTIN = Builtin.binary("pow", "a", "b", Ops::pow, "`Math.pow`. d/da = b a^(b-1), finite at a = 0 for b ≥ 1. d/db = a^b log a, with "
                + "log a taken as log 1 where a = 0 (JAX's choice), so a zero base gives the exponent a zero gradient rather than "
                + "NaN. A negative base gives NaN for d/db.").written("`a ^ b`, `pow(a, b)`");

        public void apply(double[] a, double[] b, double[] y, int n) { for (int i = 0; i < n; i++) y[i] = Math.pow(a[i], b[i]); }
        public void apply(float[] a, float[] b, float[] y, int n) { for (int i = 0; i < n; i++) y[i] = (float) (Math.pow(a[i], b[i])); }

        // d(a^b) = b a^(b-1) da + a^b log(a) db. The first form stays finite at a = 0 for b >= 1.
        // For db, log a is taken where a = 0 as log 1 (JAX's choice): the term is then 0 rather
        // than 0 * -inf, so a zero base does not poison the exponent's gradient.
        public List<Node> bprop(Node a, Node b, Node y, Node gy) {
            Node ga = mul(gy, mul(b, pow(a, sub(b, 1.0))));
            Node gb = mul(gy, mul(y, log(where(equal(a, 0.0), 1.0, a))));
            return List.of(ga, gb);
        }
    }

    /** The larger of a and b; NaN if either is NaN. */
    record Maximum() implements Binary {
        public static final Builtin BUILTIN = Builtin.binary("maximum", "a", "b", Ops::maximum, "the winner takes the gradient; **ties split it evenly** (JAX)");

        public void apply(double[] a, double[] b, double[] y, int n) { for (int i = 0; i < n; i++) y[i] = Math.max(a[i], b[i]); }
        public void apply(float[] a, float[] b, float[] y, int n) { for (int i = 0; i < n; i++) y[i] = (float) (Math.max(a[i], b[i])); }
        // d max(a, b) = [a > b] da + [b > a] db, ties split evenly
        public List<Node> bprop(Node a, Node b, Node y, Node gy) { return share(greater(a, b), greater(b, a), equal(a, b), gy); }
    }

    /** The smaller of a and b; NaN if either is NaN. */
    record Minimum() implements Binary {
        public static final Builtin BUILTIN = Builtin.binary("minimum", "a", "b", Ops::minimum, "the winner takes the gradient; **ties split it evenly** (JAX)");

        public void apply(double[] a, double[] b, double[] y, int n) { for (int i = 0; i < n; i++) y[i] = Math.min(a[i], b[i]); }
        public void apply(float[] a, float[] b, float[] y, int n) { for (int i = 0; i < n; i++) y[i] = (float) (Math.min(a[i], b[i])); }
        // d min(a, b) = [a < b] da + [b < a] db, ties split evenly
        public List<Node> bprop(Node a, Node b, Node y, Node gy) { return share(less(a, b), less(b, a), equal(a, b), gy); }
    }

    /**
     * {@code gy} to the operand that wins, half to each where they tie (the choice of JAX, and of
     * the max and min reductions).
     */
    private static List<Node> share(Node aWins, Node bWins, Node tie, Node gy) {
        Node half = mul(0.5, tie);
        return List.of(mul(gy, add(aWins, half)), mul(gy, add(bWins, half)));
    }
}
