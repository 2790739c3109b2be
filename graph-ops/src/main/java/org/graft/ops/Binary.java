package org.graft.ops;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.equal;
import static org.graft.ops.Ops.fmod;
import static org.graft.ops.Ops.greater;
import static org.graft.ops.Ops.less;
import static org.graft.ops.Ops.lessEqual;
import static org.graft.ops.Ops.log;
import static org.graft.ops.Ops.log1p;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.neg;
import static org.graft.ops.Ops.notEqual;
import static org.graft.ops.Ops.pow;
import static org.graft.ops.Ops.round;
import static org.graft.ops.Ops.sigmoid;
import static org.graft.ops.Ops.square;
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
    void apply(double[] a, double[] b, double[] y, int from, int to);

    /** The same on floats, each result rounded once. */
    void apply(float[] a, float[] b, float[] y, int from, int to);

    /** The two terms {@code gy * df/da} and {@code gy * df/db}. */
    List<Node> bprop(Node a, Node b, Node y, Node gy);

    @Override
    default int arity() { return 2; }

    @Override
    default void apply(double[][] in, double[] out, int from, int to) { apply(in[0], in[1], out, from, to); }

    @Override
    default void applyF32(float[][] in, float[] out, int from, int to) { apply(in[0], in[1], out, from, to); }

    @Override
    default List<Grad> bprop(List<Node> in, Node y, Node gy) {
        return bprop(in.get(0), in.get(1), y, gy).stream().map(Grad::of).toList();
    }

    record Sub() implements Binary {
        public static final Builtin BUILTIN = Builtin.operator("`a - b`", "`sub(a, b)`", "1, -1");

        public void apply(double[] a, double[] b, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = a[i] - b[i]; }
        public void apply(float[] a, float[] b, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = a[i] - b[i]; }
        // d(a - b) = da - db
        public List<Node> bprop(Node a, Node b, Node y, Node gy) { return List.of(gy, neg(gy)); }
    }

    record Mul() implements Binary {
        public static final Builtin BUILTIN = Builtin.operator("`a * b`", "`mul(a, b)`", "b, a");

        public void apply(double[] a, double[] b, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = a[i] * b[i]; }
        public void apply(float[] a, float[] b, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = a[i] * b[i]; }
        // d(ab) = b da + a db
        public List<Node> bprop(Node a, Node b, Node y, Node gy) { return List.of(mul(gy, b), mul(gy, a)); }
    }

    record Div() implements Binary {
        public static final Builtin BUILTIN = Builtin.operator("`a / b`", "`div(a, b)`", "1/b, -a/b²");

        public void apply(double[] a, double[] b, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = a[i] / b[i]; }
        public void apply(float[] a, float[] b, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = a[i] / b[i]; }
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

        public void apply(double[] a, double[] b, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.pow(a[i], b[i]); }
        public void apply(float[] a, float[] b, float[] y, int from, int to) { InDouble.apply(this, a, b, y, from, to); }

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

        public void apply(double[] a, double[] b, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.max(a[i], b[i]); }
        public void apply(float[] a, float[] b, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.max(a[i], b[i]); }
        // d max(a, b) = [a > b] da + [b > a] db, ties split evenly
        public List<Node> bprop(Node a, Node b, Node y, Node gy) { return share(greater(a, b), greater(b, a), equal(a, b), gy); }
    }

    /** The smaller of a and b; NaN if either is NaN. */
    record Minimum() implements Binary {
        public static final Builtin BUILTIN = Builtin.binary("minimum", "a", "b", Ops::minimum, "the winner takes the gradient; **ties split it evenly** (JAX)");

        public void apply(double[] a, double[] b, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.min(a[i], b[i]); }
        public void apply(float[] a, float[] b, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.min(a[i], b[i]); }
        // d min(a, b) = [a < b] da + [b < a] db, ties split evenly
        public List<Node> bprop(Node a, Node b, Node y, Node gy) { return share(less(a, b), less(b, a), equal(a, b), gy); }
    }

    /** The angle of the point (x, y) from the x axis, in [-π, π] (NumPy's and C's {@code atan2(y, x)}). */
    record Atan2() implements Binary {
        public static final Builtin BUILTIN = Builtin.binary("atan2", "y", "x", Ops::atan2, "`Math.atan2`, IEEE 754's signs and "
                + "infinities. d/dy = x/(x²+y²), d/dx = -y/(x²+y²): NaN at the origin, as PyTorch");

        public void apply(double[] a, double[] b, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.atan2(a[i], b[i]); }
        public void apply(float[] a, float[] b, float[] y, int from, int to) { InDouble.apply(this, a, b, y, from, to); }
        // d atan2(y, x) = (x dy - y dx) / (x² + y²)
        public List<Node> bprop(Node a, Node b, Node y, Node gy) {
            Node r2 = add(square(a), square(b));
            return List.of(mul(gy, div(b, r2)), neg(mul(gy, div(a, r2))));
        }
    }

    /** log(e^a + e^b), finite wherever the result is. */
    record Logaddexp() implements Binary {
        public static final Builtin BUILTIN = Builtin.binary("logaddexp", "a", "b", Ops::logaddexp, "σ(a-b), σ(b-a); max(a, b) + "
                + "log1p(e^-\\|a-b\\|), so finite for inputs 1000 apart; NaN gradients where a = b = ±inf, as PyTorch. "
                + "`log(exp(a) + exp(b))` is rewritten to it");

        public void apply(double[] a, double[] b, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Special.logaddexp(a[i], b[i]); }
        public void apply(float[] a, float[] b, float[] y, int from, int to) { InDouble.apply(this, a, b, y, from, to); }
        // d/da log(e^a + e^b) = e^a / (e^a + e^b) = σ(a - b), and symmetrically
        public List<Node> bprop(Node a, Node b, Node y, Node gy) { return List.of(mul(gy, sigmoid(sub(a, b))), mul(gy, sigmoid(sub(b, a)))); }
    }

    /** x log y, and 0 where x = 0 whatever y (but NaN). */
    record Xlogy() implements Binary {
        public static final Builtin BUILTIN = Builtin.binary("xlogy", "x", "y", Ops::xlogy, "**0 at x = 0** for any y but NaN "
                + "(SciPy, PyTorch), so p log p is 0 at p = 0. d/dx = log y, and 0 where x = 0 and y ≤ 0 (PyTorch); d/dy "
                + "= x/y, and **0 at x = y = 0** (PyTorch: NaN)");

        public void apply(double[] a, double[] b, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = times(a[i], b[i], Math.log(b[i])); }
        public void apply(float[] a, float[] b, float[] y, int from, int to) { InDouble.apply(this, a, b, y, from, to); }

        // d(x log y) = log y dx + (x/y) dy
        public List<Node> bprop(Node a, Node b, Node y, Node gy) { return zeroAlongXIsZero(a, gy, log(b), b); }
    }

    /** x log(1 + y), and 0 where x = 0 whatever y (but NaN). */
    record Xlog1py() implements Binary {
        public static final Builtin BUILTIN = Builtin.binary("xlog1py", "x", "y", Ops::xlog1py, "**0 at x = 0** for any y but NaN "
                + "(SciPy, PyTorch), also at y ≤ -1; log1p keeps tiny y. d/dx = log1p y, and 0 where x = 0 and y ≤ -1 "
                + "(PyTorch); d/dy = x/(1+y), and **0 at x = 0, y = -1** (PyTorch: NaN)");

        public void apply(double[] a, double[] b, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = times(a[i], b[i], Math.log1p(b[i])); }
        public void apply(float[] a, float[] b, float[] y, int from, int to) { InDouble.apply(this, a, b, y, from, to); }

        // d(x log(1 + y)) = log(1 + y) dx + (x/(1 + y)) dy
        public List<Node> bprop(Node a, Node b, Node y, Node gy) { return zeroAlongXIsZero(a, gy, log1p(b), add(1.0, b)); }
    }

    /** C's fmod: a - b trunc(a/b), with the sign of a; exact. */
    record Fmod() implements Binary {
        public static final Builtin BUILTIN = Builtin.binary("fmod", "a", "b", Ops::fmod, "C's and NumPy's `fmod` (PyTorch's "
                + "`fmod`): the sign of a, exact; NaN where b = 0 or a = ±inf. d/da = 1, d/db = -trunc(a/b), **NaN where the "
                + "value is NaN** (PyTorch: ∓inf at b = 0)");

        public void apply(double[] a, double[] b, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = a[i] % b[i]; }
        public void apply(float[] a, float[] b, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = (float) ((double) a[i] % b[i]); }
        // a = b q + y with q = trunc(a/b): dy/da = 1, dy/db = -q
        public List<Node> bprop(Node a, Node b, Node y, Node gy) { return List.of(gy, neg(mul(gy, quotient(a, b, y)))); }
    }

    /** Python's and NumPy's {@code %}: a - b floor(a/b), with the sign of b; exact. */
    record Mod() implements Binary {
        public static final Builtin BUILTIN = Builtin.binary("mod", "a", "b", Ops::mod, "Python's `%`, NumPy's `mod` and "
                + "`remainder` (PyTorch's `remainder`): the sign of b, exact, from fmod; a zero result takes b's sign (NumPy); "
                + "NaN where b = 0 or a = ±inf, and mod(-5, inf) = inf (Python). d/da = 1, d/db = -floor(a/b)")
                .alias("remainder");

        public void apply(double[] a, double[] b, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Special.floorMod(a[i], b[i]); }
        public void apply(float[] a, float[] b, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = (float) (Special.floorMod(a[i], b[i])); }

        // a = b q + y with q = floor(a/b): dy/da = 1, dy/db = -q. q is fmod's quotient, less 1
        // where the remainder was moved by b (where y differs from fmod(a, b))
        public List<Node> bprop(Node a, Node b, Node y, Node gy) {
            Node f = fmod(a, b);
            return List.of(gy, neg(mul(gy, sub(quotient(a, b, f), notEqual(y, f)))));
        }
    }

    /**
     * The whole number q with a = b q + r, from a remainder r: (a - r)/b is q in exact arithmetic,
     * and rounding it removes the rounding of the division (floor(a/b) of the rounded quotient is
     * 10 at a = 1, b = 0.1, where q is 9).
     */
    private static Node quotient(Node a, Node b, Node r) { return round(div(sub(a, r), b)); }

    /** x times g = g(y), but 0 where x = 0 (for any y but NaN), where g may be infinite or NaN. */
    private static double times(double x, double y, double g) { return Double.isNaN(y) ? y : x == 0 ? 0 : x * g; }

    /**
     * The two terms of f(x, y) = x g(y), a function that is 0 along x = 0: d/dx = g(y), but 0
     * where x = 0 and g(y) is not finite (h(y) ≤ 0), as PyTorch's; d/dy = x g'(y) = x/h(y), but 0
     * where x = 0 and h(y) = 0 rather than 0/0.
     */
    private static List<Node> zeroAlongXIsZero(Node x, Node gy, Node g, Node h) {
        Node atZero = equal(x, 0.0);
        Node dx = where(mul(atZero, lessEqual(h, 0.0)), 0.0, g), dy = where(mul(atZero, equal(h, 0.0)), 0.0, div(x, h));
        return List.of(mul(gy, dx), mul(gy, dy));
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
