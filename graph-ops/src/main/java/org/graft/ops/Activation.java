package org.graft.ops;

import static org.graft.ops.Ops.abs;
import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.erfc;
import static org.graft.ops.Ops.exp;
import static org.graft.ops.Ops.greater;
import static org.graft.ops.Ops.less;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.sigmoid;
import static org.graft.ops.Ops.softplus;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sub;
import static org.graft.ops.Ops.tanh;
import static org.graft.ops.Ops.where;

import java.util.List;

import org.graft.core.Grad;
import org.graft.core.GraftException;
import org.graft.core.Node;

/**
 * The activations of neural networks beyond {@code relu}, {@code sigmoid}, {@code tanh} and
 * {@code softplus} (which are {@link Unary}'s): elementwise, each with PyTorch's formula and
 * defaults, and PyTorch's gradient at its kinks. Where {@code x f(x)} has the limit 0 at -inf
 * (silu, gelu, mish), the value there is that limit, not ∞ · 0.
 */
public sealed interface Activation extends OneInput {

    /** max(x, 0) + alpha min(x, 0). */
    record LeakyRelu(double alpha) implements Activation {
        public static final Builtin BUILTIN = Builtin.of("leaky_relu", List.of(Builtin.Param.operand("x"), Builtin.Param.number("alpha", 0.01)),
                a -> Ops.leakyRelu(a.operand("x"), a.number("alpha")), "1 for x > 0, alpha for x ≤ 0: **alpha at x = 0** (PyTorch)")
                .java("`leakyRelu(x)`, `leakyRelu(x, alpha)`");

        public LeakyRelu { requireNumber("leaky_relu", "alpha", alpha); }

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = x[i] > 0 ? x[i] : alpha * x[i]; }
        public void apply(float[] x, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = (float) (x[i] > 0 ? x[i] : alpha * x[i]); }
        // 1 for x > 0, alpha for x <= 0
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(where(greater(x, 0.0), gy, mul(alpha, gy))); }
    }

    /** x for x > 0, alpha (e^x - 1) below (Clevert et al. 2015), with expm1 so tiny x keep their digits. */
    record Elu(double alpha) implements Activation {
        public static final Builtin BUILTIN = Builtin.of("elu", List.of(Builtin.Param.operand("x"), Builtin.Param.number("alpha", 1.0)),
                a -> Ops.elu(a.operand("x"), a.number("alpha")), "1 for x > 0, alpha e^x for x ≤ 0: alpha at x = 0 (PyTorch); "
                + "alpha expm1(x) below 0, where PyTorch's e^x - 1 loses the digits of tiny x").java("`elu(x)`, `elu(x, alpha)`");

        public Elu { requireNumber("elu", "alpha", alpha); }

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = elu(x[i], alpha, 1); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(eluGradient(x, gy, alpha, 1)); }
    }

    /** scale · elu(x, alpha) with the constants of Klambauer et al. (2017) that PyTorch uses. */
    record Selu() implements Activation {
        public static final Builtin BUILTIN = Builtin.unary("selu", Ops::selu, "scale for x > 0, scale alpha e^x for x ≤ 0, "
                + "with PyTorch's alpha = 1.6732632423543772, scale = 1.0507009873554805");
        static final double ALPHA = 1.6732632423543772848170429916717, SCALE = 1.0507009873554804934193349852946;

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = elu(x[i], ALPHA, SCALE); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(eluGradient(x, gy, ALPHA, SCALE)); }
    }

    /**
     * x Φ(x), Φ the standard normal CDF (Hendrycks and Gimpel 2016), or with {@code approximate}
     * its tanh approximation x · ½(1 + tanh(√(2/π)(x + 0.044715 x³))). Both are computed in forms
     * that keep their digits for negative x, where 1 + erf and 1 + tanh cancel.
     */
    record Gelu(boolean approximate) implements Activation {
        public static final Builtin BUILTIN = Builtin.of("gelu", List.of(Builtin.Param.operand("x"), Builtin.Param.bool("approximate", false)),
                a -> Ops.gelu(a.operand("x"), a.bool("approximate")), "Φ(x) + x φ(x); with `approximate = true` PyTorch's "
                + "`approximate = 'tanh'`. Computed as ½ x erfc(-x/√2) and x σ(2u), u = √(2/π)(x + 0.044715 x³) (½(1 + tanh u) "
                + "= σ(2u)), which keep their digits for x < 0 where PyTorch's 1 + erf and 1 + tanh cancel to 0")
                .java("`gelu(x)`, `gelu(x, approximate)`");
        private static final double MINUS_SQRT_HALF = -Math.sqrt(0.5), INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
        /** 2√(2/π) and the cubic's coefficient: the approximation is x σ(2u) with 2u = TWICE_K (x + CUBIC x³). */
        private static final double TWICE_K = 2 * Math.sqrt(2 / Math.PI), CUBIC = 0.044715;

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = gelu(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }

        private double gelu(double x) {
            if (!approximate) return timesX(x, 0.5 * Special.erfc(MINUS_SQRT_HALF * x));
            return timesX(x, Special.sigmoid(TWICE_K * (x + CUBIC * x * x * x)));
        }

        // d/dx x Φ(x) = Φ(x) + x φ(x), Φ(x) = ½ erfc(-x/√2), φ(x) = e^(-x²/2)/√(2π);
        // d/dx x σ(2u) = s + x 2u' s (1 - s), s = σ(2u), 2u' = TWICE_K (1 + 3 CUBIC x²)
        public Grad bprop(Node x, Node y, Node gy) {
            if (!approximate) {
                Node cdf = mul(0.5, erfc(mul(MINUS_SQRT_HALF, x)));
                Node pdf = mul(INV_SQRT_2PI, exp(mul(-0.5, square(x))));
                return Grad.of(mul(gy, add(cdf, mul(x, pdf))));
            }
            Node s = sigmoid(mul(TWICE_K, add(x, mul(CUBIC, mul(x, square(x))))));
            Node slope = mul(TWICE_K, add(1.0, mul(3 * CUBIC, square(x))));
            return Grad.of(mul(gy, add(s, mul(mul(x, slope), mul(s, sub(1.0, s))))));
        }
    }

    /** x σ(x), the sigmoid-weighted linear unit, also called swish (Ramachandran et al. 2017). */
    record Silu() implements Activation {
        public static final Builtin BUILTIN = Builtin.unary("silu", Ops::silu, "σ(x)(1 + x(1 - σ(x)))").alias("swish");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = timesX(x[i], Special.sigmoid(x[i])); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // d/dx x σ(x) = σ(x) + x σ(x)(1 - σ(x))
        public Grad bprop(Node x, Node y, Node gy) {
            Node s = sigmoid(x);
            return Grad.of(mul(gy, mul(s, add(1.0, mul(x, sub(1.0, s))))));
        }
    }

    /** x / (1 + |x|). */
    record Softsign() implements Activation {
        public static final Builtin BUILTIN = Builtin.unary("softsign", Ops::softsign, "1/(1+\\|x\\|)²; ±1 at ±inf, the limits "
                + "(PyTorch's x/(1+\\|x\\|) is NaN there)");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = softsign(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = (float) (softsign(x[i])); }

        private static double softsign(double x) { return Double.isInfinite(x) ? Math.signum(x) : x / (1 + Math.abs(x)); }

        // d/dx x/(1 + |x|) = ((1 + |x|) - x sign x) / (1 + |x|)² = 1/(1 + |x|)²
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(div(gy, square(add(1.0, abs(x))))); }
    }

    /** min(max(x + 3, 0), 6) / 6: PyTorch's and JAX's (relu6(x + 3)/6), not Theano's 0.2 x + 0.5. */
    record HardSigmoid() implements Activation {
        public static final Builtin BUILTIN = Builtin.unary("hard_sigmoid", Ops::hardSigmoid, "PyTorch's and JAX's relu6(x + 3)/6 "
                + "(Theano and old Keras used 0.2x + 0.5); 1/6 for -3 < x < 3, **0 at ±3** and outside (PyTorch)");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.min(Math.max(x[i] + 3, 0), 6) / 6; }
        public void apply(float[] x, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = (float) (Math.min(Math.max(x[i] + 3.0, 0), 6) / 6); }
        // 1/6 strictly between -3 and 3, 0 elsewhere
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, mul(1.0 / 6, inside(x, -3, 3)))); }
    }

    /** x limited to [minVal, maxVal]. */
    record HardTanh(double minVal, double maxVal) implements Activation {
        public static final Builtin BUILTIN = Builtin.of("hard_tanh", List.of(Builtin.Param.operand("x"), Builtin.Param.number("min_val", -1.0),
                Builtin.Param.number("max_val", 1.0)), a -> Ops.hardTanh(a.operand("x"), a.number("min_val"), a.number("max_val")),
                "1 strictly between the bounds, **0 at them** and outside (PyTorch's `hardtanh`; `clip` gives x the gradient at "
                + "a bound); min_val ≤ max_val").java("`hardTanh(x)`, `hardTanh(x, minVal, maxVal)`");

        public HardTanh {
            requireNumber("hard_tanh", "min_val", minVal);
            requireNumber("hard_tanh", "max_val", maxVal);
            if (minVal > maxVal) {
                throw new GraftException("hard_tanh: min_val must not exceed max_val, found min_val " + Builtin.show(minVal)
                        + " and max_val " + Builtin.show(maxVal));
            }
        }

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.min(Math.max(x[i], minVal), maxVal); }
        public void apply(float[] x, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = (float) (Math.min(Math.max(x[i], minVal), maxVal)); }
        // 1 strictly between the bounds, 0 elsewhere
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, inside(x, minVal, maxVal))); }
    }

    /** x tanh(softplus(x)) (Misra 2019). */
    record Mish() implements Activation {
        public static final Builtin BUILTIN = Builtin.unary("mish", Ops::mish, "t + x σ(x)(1 - t²), t = tanh(softplus(x))");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = timesX(x[i], Special.tanh(Special.softplus(x[i]))); }
        public void apply(float[] x, float[] y, int from, int to) {
            for (int i = from; i < to; i++) y[i] = (float) (timesX(x[i], Special.tanh(Special.softplus(x[i]))));
        }
        // d/dx x tanh(sp(x)) = t + x (1 - t²) sp'(x), with sp' = σ
        public Grad bprop(Node x, Node y, Node gy) {
            Node t = tanh(softplus(x));
            return Grad.of(mul(gy, add(t, mul(mul(x, sigmoid(x)), sub(1.0, square(t))))));
        }
    }

    /** x g(x), where g → 0 as x → -inf: 0 (with x's sign) where g is 0, so the limit at -inf rather than ∞ · 0 = NaN. */
    private static double timesX(double x, double g) { return g == 0 ? Math.copySign(0.0, x) : x * g; }

    /** scale x for x > 0, scale alpha (e^x - 1) below. */
    private static double elu(double x, double alpha, double scale) { return x > 0 ? scale * x : scale * alpha * Special.expm1(x); }

    /** gy times elu's derivative: scale for x > 0, scale alpha e^x for x ≤ 0. */
    private static Node eluGradient(Node x, Node gy, double alpha, double scale) {
        return where(greater(x, 0.0), mul(scale, gy), mul(gy, mul(scale * alpha, exp(x))));
    }

    /** 1 strictly between lo and hi, 0 elsewhere: the gradient of a clamp at and beyond its bounds, as PyTorch's. */
    private static Node inside(Node x, double lo, double hi) { return mul(greater(x, lo), less(x, hi)); }

    private static void requireNumber(String op, String param, double v) {
        if (Double.isNaN(v)) throw new GraftException(op + ": " + param + " must be a number, found NaN");
    }
}
