package org.graft.ops;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.cos;
import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.exp;
import static org.graft.ops.Ops.greater;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.neg;
import static org.graft.ops.Ops.sigmoid;
import static org.graft.ops.Ops.sign;
import static org.graft.ops.Ops.sin;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sub;

import java.util.List;

import org.graft.core.Elementwise;
import org.graft.core.Grad;
import org.graft.core.Node;

/** Elementwise functions of one input. The loop, bprop and the derivative live side by side. */
public sealed interface Unary extends Elementwise {

    /** {@code y[i] = f(x[i])} for {@code i < n}; {@code y} may be {@code x}. */
    void apply(double[] x, double[] y, int n);

    /** The same on floats, each result rounded once. */
    void apply(float[] x, float[] y, int n);

    /**
     * {@code gy * f'(x)}, written with whichever of {@code x} and {@code y = f(x)} is cheaper, or
     * {@link Grad#zero()} for a piecewise-constant {@code f}.
     */
    Grad bprop(Node x, Node y, Node gy);

    @Override
    default int arity() { return 1; }

    @Override
    default void apply(double[][] in, double[] out, int n) { apply(in[0], out, n); }

    @Override
    default void applyF32(float[][] in, float[] out, int n) { apply(in[0], out, n); }

    @Override
    default List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(bprop(in.get(0), y, gy)); }

    record Neg() implements Unary {
        public static final Builtin BUILTIN = Builtin.operator("`-x`", "`neg(x)`", "-1");

        public void apply(double[] x, double[] y, int n) { for (int i = 0; i < n; i++) y[i] = -x[i]; }
        public void apply(float[] x, float[] y, int n) { for (int i = 0; i < n; i++) y[i] = (float) (-x[i]); }
        // d/dx (-x) = -1
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(neg(gy)); }
    }

    record Exp() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("exp", Ops::exp, "e^x, reusing the output");

        public void apply(double[] x, double[] y, int n) { for (int i = 0; i < n; i++) y[i] = Math.exp(x[i]); }
        public void apply(float[] x, float[] y, int n) { for (int i = 0; i < n; i++) y[i] = (float) (Math.exp(x[i])); }
        // d/dx e^x = e^x = y
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, y)); }
    }

    record Log() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("log", Ops::log, "1/x");

        public void apply(double[] x, double[] y, int n) { for (int i = 0; i < n; i++) y[i] = Math.log(x[i]); }
        public void apply(float[] x, float[] y, int n) { for (int i = 0; i < n; i++) y[i] = (float) (Math.log(x[i])); }
        // d/dx log x = 1/x
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(div(gy, x)); }
    }

    /** log(1 + x), exact for tiny x where 1 + x would round to 1. */
    record Log1p() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("log1p", Ops::log1p, "1/(1+x); exact for tiny x");

        public void apply(double[] x, double[] y, int n) { for (int i = 0; i < n; i++) y[i] = Math.log1p(x[i]); }
        public void apply(float[] x, float[] y, int n) { for (int i = 0; i < n; i++) y[i] = (float) (Math.log1p(x[i])); }
        // d/dx log(1 + x) = 1/(1 + x)
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(div(gy, add(1.0, x))); }
    }

    /** e^x - 1, exact for tiny x where e^x would round to 1. */
    record Expm1() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("expm1", Ops::expm1, "e^x; exact for tiny x");

        public void apply(double[] x, double[] y, int n) { for (int i = 0; i < n; i++) y[i] = Math.expm1(x[i]); }
        public void apply(float[] x, float[] y, int n) { for (int i = 0; i < n; i++) y[i] = (float) (Math.expm1(x[i])); }
        // d/dx (e^x - 1) = e^x = y + 1
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, add(y, 1.0))); }
    }

    record Sqrt() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("sqrt", Ops::sqrt, "1/(2√x)");

        public void apply(double[] x, double[] y, int n) { for (int i = 0; i < n; i++) y[i] = Math.sqrt(x[i]); }
        public void apply(float[] x, float[] y, int n) { for (int i = 0; i < n; i++) y[i] = (float) (Math.sqrt(x[i])); }
        // d/dx √x = 1 / (2√x) = 1 / 2y
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(div(gy, mul(2.0, y))); }
    }

    record Square() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("square", Ops::square, "2x");

        public void apply(double[] x, double[] y, int n) { for (int i = 0; i < n; i++) y[i] = x[i] * x[i]; }
        public void apply(float[] x, float[] y, int n) { for (int i = 0; i < n; i++) y[i] = (float) (x[i] * x[i]); }
        // d/dx x² = 2x
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, mul(2.0, x))); }
    }

    record Reciprocal() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("reciprocal", Ops::reciprocal, "-1/x²");

        public void apply(double[] x, double[] y, int n) { for (int i = 0; i < n; i++) y[i] = 1.0 / x[i]; }
        public void apply(float[] x, float[] y, int n) { for (int i = 0; i < n; i++) y[i] = (float) (1.0 / x[i]); }
        // d/dx 1/x = -1/x² = -y²
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(neg(mul(gy, square(y)))); }
    }

    record Abs() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("abs", Ops::abs, "sign x; **0 at x = 0** (PyTorch, JAX)");

        public void apply(double[] x, double[] y, int n) { for (int i = 0; i < n; i++) y[i] = Math.abs(x[i]); }
        public void apply(float[] x, float[] y, int n) { for (int i = 0; i < n; i++) y[i] = (float) (Math.abs(x[i])); }
        // d/dx |x| = sign x; at the kink this takes 0, as PyTorch and JAX do
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, sign(x))); }
    }

    /** -1, 0 or 1 (NaN stays NaN). */
    record Sign() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("sign", Ops::sign, "zero gradient (`Grad.Zero`); sign(0) = 0, sign(NaN) = NaN");

        public void apply(double[] x, double[] y, int n) { for (int i = 0; i < n; i++) y[i] = Math.signum(x[i]); }
        public void apply(float[] x, float[] y, int n) { for (int i = 0; i < n; i++) y[i] = (float) (Math.signum(x[i])); }
        // piecewise constant: the derivative is 0 wherever it exists
        public Grad bprop(Node x, Node y, Node gy) { return Grad.zero(); }
    }

    record Sigmoid() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("sigmoid", Ops::sigmoid, "y(1-y); the kernel never forms e^-x for x < 0");

        public void apply(double[] x, double[] y, int n) { for (int i = 0; i < n; i++) y[i] = stableSigmoid(x[i]); }
        public void apply(float[] x, float[] y, int n) { for (int i = 0; i < n; i++) y[i] = (float) (stableSigmoid(x[i])); }
        // d/dx σ(x) = σ(x)(1 - σ(x)) = y(1 - y)
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, mul(y, sub(1.0, y)))); }
    }

    /** log(1 + e^x), finite for every finite x. */
    record Softplus() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("softplus", Ops::softplus, "σ(x); computed as max(x,0) + log1p(e^-\\|x\\|), finite everywhere");

        public void apply(double[] x, double[] y, int n) { for (int i = 0; i < n; i++) y[i] = stableSoftplus(x[i]); }
        public void apply(float[] x, float[] y, int n) { for (int i = 0; i < n; i++) y[i] = (float) (stableSoftplus(x[i])); }
        // d/dx log(1 + e^x) = e^x / (1 + e^x) = σ(x)
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, sigmoid(x))); }
    }

    record Tanh() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("tanh", Ops::tanh, "1 - y²");

        public void apply(double[] x, double[] y, int n) { for (int i = 0; i < n; i++) y[i] = Math.tanh(x[i]); }
        public void apply(float[] x, float[] y, int n) { for (int i = 0; i < n; i++) y[i] = (float) (Math.tanh(x[i])); }
        // d/dx tanh x = 1 - tanh²x; reuse the output y instead of recomputing tanh
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, sub(1.0, square(y)))); }
    }

    record Relu() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("relu", Ops::relu, "[x > 0]; **0 at x = 0** (PyTorch, JAX)");

        public void apply(double[] x, double[] y, int n) { for (int i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0.0; }
        public void apply(float[] x, float[] y, int n) { for (int i = 0; i < n; i++) y[i] = (float) (x[i] > 0 ? x[i] : 0.0); }
        // d/dx max(x, 0) = [x > 0]; at the kink we take 0, as PyTorch and JAX do
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, greater(x, 0.0))); }
    }

    record Sin() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("sin", Ops::sin, "cos x");

        public void apply(double[] x, double[] y, int n) { for (int i = 0; i < n; i++) y[i] = Math.sin(x[i]); }
        public void apply(float[] x, float[] y, int n) { for (int i = 0; i < n; i++) y[i] = (float) (Math.sin(x[i])); }
        // d/dx sin x = cos x
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, cos(x))); }
    }

    record Cos() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("cos", Ops::cos, "-sin x");

        public void apply(double[] x, double[] y, int n) { for (int i = 0; i < n; i++) y[i] = Math.cos(x[i]); }
        public void apply(float[] x, float[] y, int n) { for (int i = 0; i < n; i++) y[i] = (float) (Math.cos(x[i])); }
        // d/dx cos x = -sin x
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(neg(mul(gy, sin(x)))); }
    }

    /** The error function, (2/√π) ∫₀ˣ e^(-t²) dt, to about an ulp (Commons Numbers, after Boost). */
    record Erf() implements Unary {
        public static final Builtin BUILTIN = Builtin.unary("erf", Ops::erf, "(2/√π) e^(-x²)");
        private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);

        public void apply(double[] x, double[] y, int n) { for (int i = 0; i < n; i++) y[i] = erf(x[i]); }
        public void apply(float[] x, float[] y, int n) { for (int i = 0; i < n; i++) y[i] = (float) (erf(x[i])); }
        // d/dx erf x = (2/√π) e^(-x²)
        public Grad bprop(Node x, Node y, Node gy) { return Grad.of(mul(gy, mul(TWO_OVER_SQRT_PI, exp(neg(square(x)))))); }
    }

    // qualified: the record Erf shadows the library's class of the same name in this file
    private static double erf(double x) { return org.apache.commons.numbers.gamma.Erf.value(x); }

    /**
     * The logistic function without overflow: for x < 0 it is computed as e^x / (1 + e^x), so
     * e^-x is never formed for large negative x.
     */
    static double stableSigmoid(double x) {
        if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    /**
     * log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): the exponent is never positive, so nothing
     * overflows, and log1p keeps the tail exact (softplus(-40) is e^-40, not 0).
     */
    static double stableSoftplus(double x) { return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x))); }
}
