package org.graft.ops;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.cos;
import static org.graft.ops.Ops.cosh;
import static org.graft.ops.Ops.digamma;
import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.exp;
import static org.graft.ops.Ops.isfinite;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.neg;
import static org.graft.ops.Ops.polygamma;
import static org.graft.ops.Ops.reluGrad;
import static org.graft.ops.Ops.sigmoid;
import static org.graft.ops.Ops.sign;
import static org.graft.ops.Ops.sin;
import static org.graft.ops.Ops.sinh;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sub;

import java.util.List;

import org.graft.core.Grad;
import org.graft.core.GraftException;
import org.graft.core.Node;

/**
 * Elementwise functions of one input, as the math names them. The loop, bprop and the derivative
 * live side by side; {@link Special} holds the functions {@link Math} lacks.
 */
public sealed interface Unary extends OneInput {

    record Neg() implements Unary {
        public static final Builtin BUILTIN = Builtin.operator("`-x`", "`neg(x)`", "-1");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = -x[i]; }
        public void apply(float[] x, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = -x[i]; }
        // d/dx (-x) = -1
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(neg(gy)); }
    }

    record Exp() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("exp", Ops::exp, "e^x, reusing the output");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.exp(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.exp(x, y, from, to); }
        // d/dx e^x = e^x = y
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, y)); }
    }

    record Log() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("log", Ops::log, "1/x");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.log(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // d/dx log x = 1/x
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(div(gy, x)); }
    }

    /** log(1 + x), exact for tiny x where 1 + x would round to 1. */
    record Log1p() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("log1p", Ops::log1p, "1/(1+x); exact for tiny x");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.log1p(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // d/dx log(1 + x) = 1/(1 + x)
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(div(gy, add(1.0, x))); }
    }

    /** e^x - 1, exact for tiny x where e^x would round to 1. */
    record Expm1() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("expm1", Ops::expm1, "e^x; exact for tiny x");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.expm1(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // d/dx (e^x - 1) = e^x = y + 1
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, add(y, 1.0))); }
    }

    record Sqrt() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("sqrt", Ops::sqrt, "1/(2√x)");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.sqrt(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = (float) (Math.sqrt(x[i])); }
        // d/dx √x = 1 / (2√x) = 1 / 2y
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(div(gy, mul(2.0, y))); }
    }

    record Square() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("square", Ops::square, "2x");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = x[i] * x[i]; }
        public void apply(float[] x, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = x[i] * x[i]; }
        // d/dx x² = 2x
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, mul(2.0, x))); }
    }

    record Reciprocal() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("reciprocal", Ops::reciprocal, "-1/x²");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = 1.0 / x[i]; }
        public void apply(float[] x, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = (float) (1.0 / x[i]); }
        // d/dx 1/x = -1/x² = -y²
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(neg(mul(gy, square(y)))); }
    }

    record Abs() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("abs", Ops::abs, "sign x; **0 at x = 0** (PyTorch, JAX)");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.abs(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.abs(x[i]); }
        // d/dx |x| = sign x; at the kink this takes 0, as PyTorch and JAX do
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, sign(x))); }
    }

    /** -1, 0 or 1 (NaN stays NaN). */
    record Sign() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("sign", Ops::sign, "zero gradient (`Grad.Zero`); sign(0) = 0, sign(NaN) = NaN");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.signum(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.signum(x[i]); }
        // piecewise constant: the derivative is 0 wherever it exists
        public Grad bprop(Node x, Node y, Node gy) { return Grad.zero(); }
    }

    record Sigmoid() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("sigmoid", Ops::sigmoid, "y(1-y); 1/(1 + e^-x), within 4 ulps in f64 (0 below -709.78, where it "
                + "would be subnormal)");

        public void apply(double[] x, double[] y, int from, int to) { InDouble.sigmoid(x, y, from, to); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.sigmoid(x, y, from, to); }
        // d/dx σ(x) = σ(x)(1 - σ(x)) = y(1 - y)
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, mul(y, sub(1.0, y)))); }
    }

    /** log(1 + e^x), finite for every finite x. */
    record Softplus() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("softplus", Ops::softplus, "σ(x); computed as max(x,0) + log1p(e^-\\|x\\|), finite everywhere");

        public void apply(double[] x, double[] y, int from, int to) { InDouble.softplus(x, y, from, to); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.softplus(x, y, from, to); }
        // d/dx log(1 + e^x) = e^x / (1 + e^x) = σ(x)
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, sigmoid(x))); }
    }

    /** e / (e + 2) with e = e^2x - 1 from a vectorized loop, within 4 ulps ({@link InDouble#tanh64}); in f32 that rounded to float. */
    record Tanh() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("tanh", Ops::tanh, "1 - y²");

        public void apply(double[] x, double[] y, int from, int to) { InDouble.tanh(x, y, from, to); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.tanh(x, y, from, to); }
        // d/dx tanh x = 1 - tanh²x; reuse the output y instead of recomputing tanh
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, sub(1.0, square(y)))); }
    }

    record Relu() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("relu", Ops::relu, "[x > 0]; **0 at x = 0** (PyTorch, JAX). max(x, 0): "
                + "relu(NaN) is NaN, as PyTorch's and JAX's, and so is its gradient there (PyTorch passes g, JAX 0)");

        // max rather than x > 0 ? x : 0, which C2 does not vectorize and which mispredicts on half
        // of a layer's elements: 0.08 against 0.56 ns a float over 1,024 random-signed numbers
        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.max(x[i], 0.0); }
        public void apply(float[] x, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.max(x[i], 0f); }
        // d/dx max(x, 0) = [x > 0]; at the kink we take 0, as PyTorch and JAX do
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(reluGrad(x, gy)); }
    }

    record Sin() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("sin", Ops::sin, "cos x");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.sin(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // d/dx sin x = cos x
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, cos(x))); }
    }

    record Cos() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("cos", Ops::cos, "-sin x");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.cos(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // d/dx cos x = -sin x
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(neg(mul(gy, sin(x)))); }
    }

    /** The error function, (2/√π) ∫₀ˣ e^(-t²) dt, to about an ulp (Commons Numbers, after Boost). */
    record Erf() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("erf", Ops::erf, "(2/√π) e^(-x²)");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Special.erf(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // d/dx erf x = (2/√π) e^(-x²)
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, mul(Special.TWO_OVER_SQRT_PI, gaussian(x)))); }
    }

    /** 1 - erf x, without the cancellation: erfc(10) is 2.1e-45, not 0 (Commons Numbers, after Boost). */
    record Erfc() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("erfc", Ops::erfc, "-(2/√π) e^(-x²); `log(erfc(x))` is rewritten "
                + "to stay finite for large x, its gradient too (see `erfcx`)");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Special.erfc(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // d/dx erfc x = -(2/√π) e^(-x²)
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, mul(-Special.TWO_OVER_SQRT_PI, gaussian(x)))); }
    }

    /** The scaled complementary error function e^(x²) erfc x, about 1/(x√π) for large x where erfc underflows. */
    record Erfcx() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("erfcx", Ops::erfcx, "2xy - 2/√π, as PyTorch, which cancels for "
                + "large x: **within 4x² ulps** (1e-12 up to x = 30). `log(erfc(x))` becomes `log(erfcx(x)) - x²` for x > 0, "
                + "and its gradient -(2/√π) / erfcx(x)");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Special.erfcx(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // d/dx e^(x²) erfc x = 2x e^(x²) erfc x - (2/√π) = 2xy - 2/√π
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, sub(mul(mul(2.0, x), y), Special.TWO_OVER_SQRT_PI))); }
    }

    /** The inverse of erf on [-1, 1] (Commons Numbers, after Boost). */
    record Erfinv() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("erfinv", Ops::erfinv, "(√π/2) e^(y²), from the output; ±inf at ±1, "
                + "NaN outside [-1, 1]");
        private static final double HALF_SQRT_PI = Math.sqrt(Math.PI) / 2;

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Special.erfinv(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // x = erf y, so dy/dx = 1 / erf'(y) = (√π/2) e^(y²)
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, mul(HALF_SQRT_PI, exp(square(y))))); }
    }

    /** log₂ x, exact at the powers of 2. */
    record Log2() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("log2", Ops::log2, "1/(x ln 2); exact at the powers of 2");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Special.log2(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // d/dx log₂ x = 1/(x ln 2)
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(div(gy, mul(x, Special.LN2))); }
    }

    /** log₁₀ x, exact at the powers of 10 ({@link Math#log10}). */
    record Log10() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("log10", Ops::log10, "1/(x ln 10); exact at the powers of 10");
        private static final double LN10 = Math.log(10.0);

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.log10(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // d/dx log₁₀ x = 1/(x ln 10)
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(div(gy, mul(x, LN10))); }
    }

    /** 2^x, exact at the integers. */
    record Exp2() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("exp2", Ops::exp2, "2^x ln 2, reusing the output; exact at the integers");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.pow(2.0, x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // d/dx 2^x = 2^x ln 2 = y ln 2
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, mul(y, Special.LN2))); }
    }

    /** log(1 - e^x) for x ≤ 0, to an ulp on both sides of -ln 2 (Mächler's two forms). */
    record Log1mexp() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("log1mexp", Ops::log1mexp, "-e^(x-y) = -e^x/(1-e^x); log(-expm1 x) "
                + "above -ln 2 and log1p(-e^x) below (Mächler), -inf at 0 with gradient **-inf** (the limit from below), NaN "
                + "for x > 0. `log(1 - exp(x))` is rewritten to it");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Special.log1mexp(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // d/dx log(1 - e^x) = -e^x / (1 - e^x) = -e^x / e^y = -e^(x - y): -inf at x = 0 where y = -inf,
        // where the forms with expm1(-x) take the sign of a zero
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, neg(exp(sub(x, y))))); }
    }

    /** log(p / (1 - p)), the inverse of the sigmoid, keeping its digits near ½. */
    record Logit() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("logit", Ops::logit, "1/(x(1-x)) = 2 + 2 cosh y, from the output, "
                + "so +inf at both ends; ∓inf at 0 and 1, NaN outside [0, 1]; log1p((2x-1)/(1-x)) on [¼, ¾], where log(x/(1-x)) "
                + "(PyTorch's) loses digits near ½");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Special.logit(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // d/dx log(x / (1 - x)) = 1/(x(1 - x)), and x = σ(y), so x(1 - x) = 1/(2 + e^y + e^-y):
        // +inf at x = ±0 and 1, where 1/(x(1 - x)) takes the sign of -0
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, add(2.0, mul(2.0, cosh(y))))); }
    }

    record Sinh() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("sinh", Ops::sinh, "cosh x");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.sinh(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // d/dx sinh x = cosh x
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, cosh(x))); }
    }

    record Cosh() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("cosh", Ops::cosh, "sinh x");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.cosh(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // d/dx cosh x = sinh x
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, sinh(x))); }
    }

    record Tan() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("tan", Ops::tan, "1 + y², reusing the output");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.tan(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // d/dx tan x = 1 + tan² x
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, add(1.0, square(y)))); }
    }

    record Asinh() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("asinh", Ops::asinh, "1/√(1+x²), computed as 1/cosh y, so finite "
                + "where x² overflows (PyTorch's is 0 beyond 1e154); no x² in the value either (fdlibm's forms)");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Special.asinh(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // d/dx asinh x = 1/√(1 + x²) = 1/cosh y, since cosh² y = 1 + sinh² y = 1 + x²
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(div(gy, cosh(y))); }
    }

    record Acosh() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("acosh", Ops::acosh, "1/√(x²-1), computed as 1/sinh y, which keeps "
                + "its digits near x = 1 where x² - 1 (PyTorch's form) cancels; +inf at 1, NaN below");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Special.acosh(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // d/dx acosh x = 1/√(x² - 1) = 1/sinh y, since sinh² y = cosh² y - 1 = x² - 1
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(div(gy, sinh(y))); }
    }

    record Atanh() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("atanh", Ops::atanh, "1/((1-x)(1+x)), which keeps its digits near "
                + "±1 where 1 - x² (PyTorch's form) cancels; ±inf at ±1, NaN outside");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Special.atanh(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // d/dx atanh x = 1/(1 - x²) = 1/((1 - x)(1 + x)), 1 - x being exact near 1
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(div(gy, mul(sub(1.0, x), add(1.0, x)))); }
    }

    record Atan() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("atan", Ops::atan, "1/(1+x²)");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.atan(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // d/dx atan x = 1/(1 + x²)
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(div(gy, add(1.0, square(x)))); }
    }

    /** log|Γ(x)| (Commons Numbers, after Boost). */
    record Gammaln() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("gammaln", Ops::gammaln, "ψ(x) (`digamma`); log\\|Γ(x)\\| for x < 0 "
                + "too; +inf at 0, -1, -2, ... and ±inf, as PyTorch's `lgamma`. Near its zeros below 0 (-2.457...) to about "
                + "1e-16 absolute, not relative");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Special.gammaln(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // d/dx log|Γ(x)| = Γ'(x)/Γ(x) = ψ(x), on either side of 0
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, digamma(x))); }
    }

    /** ψ(x) = Γ'(x)/Γ(x) (Commons Numbers for x > 0, the reflection formula below). */
    record Digamma() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("digamma", Ops::digamma, "ψ'(x) (`polygamma(1, x)`); as PyTorch, -inf "
                + "at +0, +inf at -0, NaN at the negative integers and at -inf. To 1e-12, or 1e-15 absolute near its root "
                + "1.4616, where the recurrence's terms cancel");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Special.digamma(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // d/dx ψ(x) = ψ⁽¹⁾(x)
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, polygamma(1, x))); }
    }

    /** ψ⁽ⁿ⁾(x), the n-th derivative of the digamma function, n ≥ 1 ({@code polygamma(0, x)} builds {@link Digamma}). */
    record Polygamma(int n) implements Unary {
        public static final Builtin BUILTIN = Builtin.of("polygamma", List.of(Builtin.Param.integer("n"), Builtin.Param.operand("x")),
                a -> Ops.polygamma(a.integer("n"), a.operand("x")), "ψ⁽ⁿ⁺¹⁾(x), so every order differentiates; n ≥ 0, and n = 0 "
                + "is `digamma`. (-1)ⁿ⁺¹ n! ζ(n+1, x) (Cephes' Hurwitz zeta, as PyTorch) for x > 0, the reflection formula "
                + "below, which stays exact far from 0. At the poles 0, -1, ... and -inf (-1)ⁿ⁺¹ inf, the limit from above, "
                + "as PyTorch for n ≥ 2 (its trigamma gives 6.6e32 at -1 and NaN at -inf); 0 at +inf (PyTorch: NaN for n ≥ 2)");

        public Polygamma {
            if (n < 1) throw new GraftException("polygamma: the op's order n must be 1 or more, found " + n + " (n = 0 is digamma)");
        }

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Special.polygamma(this.n, x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { InDouble.apply(this, x, y, from, to); }
        // d/dx ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁺¹⁾(x)
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, polygamma(n + 1, x))); }
    }

    record Floor() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("floor", Ops::floor, "zero gradient (piecewise constant)");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.floor(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = (float) (Math.floor(x[i])); }
        // piecewise constant: the derivative is 0 wherever it exists
        public Grad bprop(Node x, Node y, Node gy) { return Grad.zero(); }
    }

    record Ceil() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("ceil", Ops::ceil, "zero gradient (piecewise constant)");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.ceil(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = (float) (Math.ceil(x[i])); }
        // piecewise constant: the derivative is 0 wherever it exists
        public Grad bprop(Node x, Node y, Node gy) { return Grad.zero(); }
    }

    /** The nearest whole number, **ties to even** (NumPy, PyTorch): round(2.5) is 2. */
    record Round() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("round", Ops::round, "ties to **even** (NumPy, PyTorch): round(0.5) = 0, "
                + "round(1.5) = 2; zero gradient");

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.rint(x[i]); }
        public void apply(float[] x, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = (float) (Math.rint(x[i])); }
        // piecewise constant: the derivative is 0 wherever it exists
        public Grad bprop(Node x, Node y, Node gy) { return Grad.zero(); }
    }

    /** 1 where x is NaN, else 0. */
    record IsNan() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("isnan", Ops::isnan, "1 or 0; zero gradient");

        @Override
        public String name() { return "isnan"; }

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Double.isNaN(x[i]) ? 1.0 : 0.0; }
        public void apply(float[] x, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Float.isNaN(x[i]) ? 1f : 0f; }
        // piecewise constant: the derivative is 0 wherever it exists
        public Grad bprop(Node x, Node y, Node gy) { return Grad.zero(); }
    }

    /** 1 where x is +inf or -inf, else 0. */
    record IsInf() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("isinf", Ops::isinf, "1 or 0; zero gradient");

        @Override
        public String name() { return "isinf"; }

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Double.isInfinite(x[i]) ? 1.0 : 0.0; }
        public void apply(float[] x, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Float.isInfinite(x[i]) ? 1f : 0f; }
        // piecewise constant: the derivative is 0 wherever it exists
        public Grad bprop(Node x, Node y, Node gy) { return Grad.zero(); }
    }

    /** 1 where x is neither NaN nor infinite, else 0. */
    record IsFinite() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("isfinite", Ops::isfinite, "1 or 0; zero gradient");

        @Override
        public String name() { return "isfinite"; }

        public void apply(double[] x, double[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Double.isFinite(x[i]) ? 1.0 : 0.0; }
        public void apply(float[] x, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Float.isFinite(x[i]) ? 1f : 0f; }
        // piecewise constant: the derivative is 0 wherever it exists
        public Grad bprop(Node x, Node y, Node gy) { return Grad.zero(); }
    }

    /**
     * x with NaN, +inf and -inf replaced by numbers; the infinities by default by the largest
     * finite numbers of the dtype (null), as NumPy and PyTorch.
     */
    record NanToNum(double nan, Double posinf, Double neginf) implements Unary {
        public static final Builtin BUILTIN = Builtin.of("nan_to_num", List.of(Builtin.Param.operand("x"), Builtin.Param.number("nan", 0.0),
                Builtin.Param.optionalNumber("posinf"), Builtin.Param.optionalNumber("neginf")),
                a -> Ops.nanToNum(a.operand("x"), a.number("nan"), a.optionalNumber("posinf"), a.optionalNumber("neginf")),
                "NumPy's defaults: NaN to 0, ±inf to the dtype's largest finite numbers (±1.8e308 in f64, ±3.4e38 in f32); the "
                + "gradient passes where x is finite, 0 elsewhere (PyTorch)").java("`nanToNum(x)`, `nanToNum(x, nan, posinf, neginf)`");

        public void apply(double[] x, double[] y, int from, int to) {
            double pos = posinf != null ? posinf : Double.MAX_VALUE, negative = neginf != null ? neginf : -Double.MAX_VALUE;
            for (int i = from; i < to; i++) y[i] = replaced(x[i], pos, negative);
        }

        public void apply(float[] x, float[] y, int from, int to) {
            double pos = posinf != null ? posinf : Float.MAX_VALUE, negative = neginf != null ? neginf : -Float.MAX_VALUE;
            for (int i = from; i < to; i++) y[i] = (float) (replaced(x[i], pos, negative));
        }

        private double replaced(double x, double pos, double negative) {
            return Double.isNaN(x) ? nan : x == Double.POSITIVE_INFINITY ? pos : x == Double.NEGATIVE_INFINITY ? negative : x;
        }

        // the identity where x is finite, a constant elsewhere
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, isfinite(x))); }
    }

    /** e^(-x²), the Gaussian of erf's and erfc's derivatives. */
    private static Node gaussian(Node x) { return exp(neg(square(x))); }
}
