package org.graft.ops;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.numbers.gamma.Digamma;
import org.apache.commons.numbers.gamma.Erf;
import org.apache.commons.numbers.gamma.Erfc;
import org.apache.commons.numbers.gamma.Erfcx;
import org.apache.commons.numbers.gamma.InverseErf;
import org.apache.commons.numbers.gamma.LogGamma;

/**
 * The real functions behind the elementwise kernels that {@link Math} lacks: Commons Numbers'
 * (Boost's algorithms, to about an ulp) where it has them, with the values PyTorch gives at the
 * poles and edges where Commons Numbers gives another or none; fdlibm's forms of the inverse
 * hyperbolic functions; the forms that keep their digits where the textbook formula cancels;
 * expm1 and log1p built on HotSpot's intrinsic exp and log, which JDK 17's Math has only as
 * StrictMath's native fdlibm calls, one per element, each with its ulp bound; and sigmoid,
 * softplus and tanh as the one-element twins of {@link InDouble}'s vectorized f64 loops.
 */
final class Special {
    private Special() {}

    static final double LN2 = Math.log(2.0);
    static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);
    private static final double SQRT2 = Math.sqrt(2.0);
    /** Half an ulp of 1: a term this much smaller than a sum no longer changes it. */
    private static final double EPSILON = 0x1p-53;

    static double erf(double x) { return Erf.value(x); }

    static double erfc(double x) { return Erfc.value(x); }

    /** e^(x²) erfc(x), which stays finite where erfc underflows: about 1/(x√π) for large x. */
    static double erfcx(double x) { return Erfcx.value(x); }

    static double erfinv(double x) { return InverseErf.value(x); }

    /** log|Γ(x)|; +inf at the poles 0, -1, -2, ... and at -inf, as PyTorch (Commons Numbers gives NaN there). */
    static double gammaln(double x) {
        if (x <= 0 && x == Math.rint(x)) return Double.POSITIVE_INFINITY;
        return LogGamma.value(x);
    }

    /**
     * ψ(x) = Γ'(x)/Γ(x): Commons Numbers' for x > 0; below, the reflection ψ(x) = ψ(1 - x) -
     * π cot(πx) with the cotangent taken from x's distance to the nearest integer, since Commons
     * Numbers takes tan(πx) of x itself, which loses every digit for large |x|. At the poles
     * PyTorch's values: -inf at +0, +inf at -0, NaN at the negative integers and at -inf.
     */
    static double digamma(double x) {
        if (x == 0) return Math.copySign(Double.POSITIVE_INFINITY, -x);
        if (x < 0) return x == Math.rint(x) ? Double.NaN : Digamma.value(1 - x) - Math.PI * cotPi(x);
        return Digamma.value(x);
    }

    /**
     * ψ⁽ⁿ⁾(x), the n-th derivative of ψ, for n ≥ 1: (-1)ⁿ⁺¹ n! ζ(n + 1, x) for x > 0, with the
     * Hurwitz zeta function summed as Cephes (and so PyTorch) sums it; for x < 0 the reflection
     * ψ⁽ⁿ⁾(x) = (-1)ⁿ ψ⁽ⁿ⁾(1 - x) - π dⁿ/dxⁿ cot(πx), which costs the same for every x where the
     * zeta sum would step from x up to 9. At a pole (0, -1, -2, ..., and -inf, beyond which every
     * double is one) the limit from above, (-1)ⁿ⁺¹ ∞, as PyTorch for n ≥ 2; 0 at +inf, the limit.
     */
    static double polygamma(int n, double x) {
        double sign = n % 2 == 1 ? 1 : -1;   // (-1)^(n+1)
        if (Double.isNaN(x)) return x;
        if (x == Double.POSITIVE_INFINITY) return sign * 0.0;
        if (x <= 0 && x == Math.rint(x)) return sign * Double.POSITIVE_INFINITY;
        if (x < 0) {
            // d^n/dx^n cot(πx) = π^n cot^(n)(πx), and cot^(n)(t) is a polynomial in cot t
            double reflected = -sign * polygamma(n, 1 - x);
            return reflected - Math.pow(Math.PI, n + 1) * horner(cotDerivative(n), cotPi(x));
        }
        double factorial = 1;
        for (int k = 2; k <= n; k++) factorial *= k;
        return sign * factorial * hurwitzZeta(n + 1, x);
    }

    /** Euler-Maclaurin's coefficients (2k)!/B₂ₖ, as Cephes' zeta has them. */
    private static final double[] EULER_MACLAURIN = {12.0, -720.0, 30240.0, -1209600.0, 47900160.0,
        -1.8924375803183791606e9, 7.47242496e10, -2.950130727918164224e12, 1.1646782814350067249e14,
        -4.5979787224074726105e15, 1.8152105401943546773e17, -7.1661652561756670113e18};

    /**
     * ζ(s, q) = Σₖ (q + k)^-s for s > 1 and q > 0: the terms up to q + k > 9 summed, the rest by
     * Euler-Maclaurin summation (Cephes' {@code zeta}, which PyTorch's polygamma calls); for
     * q > 1e8 the first two terms of the asymptotic series (DLMF 25.11.43), exact to an ulp there.
     */
    private static double hurwitzZeta(double s, double q) {
        if (q > 1e8) return (1 / (s - 1) + 1 / (2 * q)) * Math.pow(q, 1 - s);
        double sum = Math.pow(q, -s), a = q, b = 0;
        for (int i = 0; i < 9 || a <= 9; i++) {
            a += 1;
            b = Math.pow(a, -s);
            sum += b;
            if (Math.abs(b / sum) < EPSILON) return sum;
        }
        double w = a, rising = 1, k = 0;
        sum += b * w / (s - 1);
        sum -= 0.5 * b;
        for (double coefficient : EULER_MACLAURIN) {
            rising *= s + k;
            b /= w;
            double t = rising * b / coefficient;
            sum += t;
            if (Math.abs(t / sum) < EPSILON) break;
            rising *= s + ++k;
            b /= w;
            k++;
        }
        return sum;
    }

    /** The coefficients of cot⁽ⁿ⁾, by n, made once each. */
    private static final Map<Integer, double[]> COT_DERIVATIVES = new ConcurrentHashMap<>();

    /**
     * The coefficients, lowest power first, of the polynomial Pₙ with dⁿ/dtⁿ cot t = Pₙ(cot t):
     * P₀(c) = c, and Pₖ₊₁(c) = -(1 + c²) Pₖ'(c) since d/dt cot t = -(1 + cot² t). Every
     * coefficient has the sign (-1)ⁿ, so evaluating Pₙ cancels nothing.
     */
    private static double[] cotDerivative(int n) {
        return COT_DERIVATIVES.computeIfAbsent(n, order -> {
            double[] p = {0, 1};
            for (int k = 0; k < order; k++) {
                double[] next = new double[p.length + 1];
                for (int j = 1; j < p.length; j++) {
                    next[j - 1] -= j * p[j];
                    next[j + 1] -= j * p[j];
                }
                p = next;
            }
            return p;
        });
    }

    /** The polynomial at x, from its highest coefficient down (no 0 · x first, which is NaN at an infinite x). */
    private static double horner(double[] coefficients, double x) {
        double v = coefficients[coefficients.length - 1];
        for (int j = coefficients.length - 2; j >= 0; j--) v = v * x + coefficients[j];
        return v;
    }

    /**
     * cot(πx) from r = x - round(x), which is exact and in [-½, ½] (cot has period 1): 1/tan(πr)
     * near 0, and tan(π(½ - |r|)) with r's sign beyond ¼, where ½ - |r| is exact, so that
     * cot(π/2) is 0 and not 1/tan of π/2 rounded, 6e-17.
     */
    private static double cotPi(double x) {
        double r = x - Math.rint(x);
        return Math.abs(r) < 0.25 ? 1 / Math.tan(Math.PI * r) : Math.copySign(Math.tan(Math.PI * (0.5 - Math.abs(r))), r);
    }

    /**
     * log₂ x, exact at the powers of 2 (log x / log 2 is not, for 441 of them): the exponent of
     * x plus log₂ of its mantissa, taken in [√½, √2) where log is accurate and the sum cancels
     * nothing.
     */
    static double log2(double x) {
        if (!(x > 0 && x < Double.POSITIVE_INFINITY)) return Math.log(x) / LN2;   // -inf at 0, NaN below, inf at inf
        int shift = x < Double.MIN_NORMAL ? 54 : 0;   // a subnormal is scaled into the normal range first
        double v = Math.scalb(x, shift);
        int e = Math.getExponent(v);
        double m = Math.scalb(v, -e);
        if (m > SQRT2) {
            m /= 2;
            e++;
        }
        return (e - shift) + Math.log(m) / LN2;
    }

    /** asinh x as fdlibm computes it: no x² where it would overflow, log1p where x is small. */
    static double asinh(double x) {
        double t = Math.abs(x), w;
        if (!(t < Double.POSITIVE_INFINITY) || t < 0x1p-28) return x;   // ±inf, NaN; x - x³/6 rounds to x
        if (t > 0x1p28) w = Math.log(t) + LN2;                          // √(x² + 1) rounds to |x|
        else if (t > 2) w = Math.log(2 * t + 1 / (Math.sqrt(x * x + 1) + t));
        else w = Math.log1p(t + x * x / (1 + Math.sqrt(1 + x * x)));
        return Math.copySign(w, x);
    }

    /** acosh x for x ≥ 1 as fdlibm computes it: from x - 1, which is exact, near 1. */
    static double acosh(double x) {
        if (!(x >= 1)) return Double.NaN;
        if (x > 0x1p28) return Math.log(x) + LN2;
        if (x > 2) return Math.log(2 * x - 1 / (x + Math.sqrt(x * x - 1)));
        double t = x - 1;
        return Math.log1p(t + Math.sqrt(2 * t + t * t));
    }

    /** atanh x for |x| ≤ 1 as fdlibm computes it: ½ log1p(2t / (1 - t)), with t² split off below ½. */
    static double atanh(double x) {
        double t = Math.abs(x);
        if (!(t <= 1)) return Double.NaN;
        if (t < 0x1p-28) return x;
        double w = t < 0.5 ? 0.5 * Math.log1p(2 * t + 2 * t * t / (1 - t)) : 0.5 * Math.log1p(2 * t / (1 - t));
        return Math.copySign(w, x);
    }

    /**
     * log(p / (1 - p)). Near ½ the ratio is near 1 and its log keeps only the ratio's rounding
     * error; there log1p((2p - 1) / (1 - p)) is used, 2p - 1 being exact for p in [¼, 1]
     * (Sterbenz).
     */
    static double logit(double p) {
        if (p >= 0.25 && p <= 0.75) return Math.log1p((2 * p - 1) / (1 - p));
        return Math.log(p / (1 - p));
    }

    /**
     * log(1 - e^x) for x ≤ 0 (Mächler 2012, "Accurately computing log(1 - exp(-|a|))"): above
     * -ln 2, e^x is near 1 and 1 - e^x cancels, so log(-expm1 x); below, log1p(-e^x).
     */
    static double log1mexp(double x) { return x > -LN2 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x)); }

    /**
     * log(e^a + e^b) = max(a, b) + log1p(e^-|a - b|), which neither overflows nor underflows; a
     * + log 2 where a = b, so also for two equal infinities, whose difference is NaN.
     */
    static double logaddexp(double a, double b) {
        if (a == b) return a + LN2;
        return Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
    }

    /** Python's a % b: a - b floor(a / b), with b's sign, from the exact fmod; a zero takes b's sign, as NumPy. */
    static double floorMod(double a, double b) {
        double r = a % b;
        if (r == 0) return Math.copySign(0.0, b);
        return (r < 0) != (b < 0) ? r + b : r;
    }

    /** The f64 sigmoid, whose bits the sigmoid op's loop gives too: {@link InDouble#sigmoid64}. */
    static double sigmoid(double x) { return InDouble.sigmoid64(x); }

    /** The f32 sigmoid, which {@code bernoulli_logits} compares with as the sigmoid op does: {@link InDouble#sigmoid(float)}. */
    static float sigmoidF32(float x) { return InDouble.sigmoid(x); }

    /*
     * A Bernoulli draw u < σ(x) mostly needs no σ(x): a value within SIGMOID_MARGIN of it,
     * read off a table, settles every comparison but those of a u within twice the margin of
     * it, about 8 in a million, and those alone compute σ(x). The table holds σ at
     * x = -16 + j/64; between its points σ is interpolated linearly, off by at most
     * (1/64)² / 8 max|σ''| = 2.94e-6 (max|σ''| = 1/(6√3)); beyond ±16 it is taken as 0 or 1,
     * off by at most σ(-16) = 1.1e-7. The margin, 4e-6, also covers the rounding of σ(x) to
     * float (at most 3e-8) that the f32 comparison makes, so the draws are those of
     * u < sigmoid(x) to the bit, at a table read instead of an exp and a division. The table is
     * of doubles: widening floats read from it made each read wait on the last (6 ns a draw
     * against 1.5).
     */
    private static final double SIGMOID_FROM = -16, SIGMOID_STEPS_PER_UNIT = 64;
    private static final double SIGMOID_MARGIN = 4e-6;
    private static final double[] SIGMOID_TABLE = new double[32 * 64 + 1];

    static {
        for (int j = 0; j < SIGMOID_TABLE.length; j++) SIGMOID_TABLE[j] = sigmoid(SIGMOID_FROM + j / SIGMOID_STEPS_PER_UNIT);
    }

    /**
     * σ(x) to within 2.94e-6, from the table: 0 or 1 beyond ±16, NaN for NaN; what
     * {@link #drawSigmoid} settles a draw with.
     */
    static double sigmoidNear(double x) {
        double t = (x - SIGMOID_FROM) * SIGMOID_STEPS_PER_UNIT;
        if (!(t > 0)) return t <= 0 ? 0 : Double.NaN;
        if (t >= SIGMOID_TABLE.length - 1) return 1;
        int j = (int) t;
        double f = t - j, lo = SIGMOID_TABLE[j];
        return lo + f * (SIGMOID_TABLE[j + 1] - lo);
    }

    /**
     * 1 if {@code u < sigmoid(x)} else 0, given {@code near = sigmoidNear(x)}: from the table's
     * value, or from σ(x) when u is within the margin of it. An int, selected without a branch
     * on the answer, which is random and would be mispredicted half the time.
     */
    static int drawSigmoid(double u, double near, double x) {
        int fired = u < near ? 1 : 0;
        if (Math.abs(u - near) <= SIGMOID_MARGIN) fired = u < sigmoid(x) ? 1 : 0;
        return fired;
    }

    /** {@link #drawSigmoid} against the f32 sigmoid: 1 if {@code u < sigmoidF32(x)} else 0. */
    static int drawSigmoidF32(double u, double near, float x) {
        int fired = u < near ? 1 : 0;
        if (Math.abs(u - near) <= SIGMOID_MARGIN) fired = u < sigmoidF32(x) ? 1 : 0;
        return fired;
    }

    /**
     * log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): the exponent is never positive, so nothing
     * overflows, and the log1p keeps the tail exact (softplus(-40) is e^-40, not 0). With the
     * bits of the softplus op's loop ({@link InDouble#softplus(double[], double[], int, int)}):
     * e^-|x| to 2 ulps and its log1p as a series. Within 3 ulps (SpecialAccuracyTest measures it).
     */
    static double softplus(double x) { return Math.max(x, 0.0) + softplusOfMinusAbs(x); }

    /** log(1 + e^-|x|), the part of softplus(x) and softplus(-x) both have (binary cross-entropy takes it once for the two). */
    static double softplusOfMinusAbs(double x) { return InDouble.softplusOfMinusAbs(x); }

    /** ln 3: from here on e^x - 1 is at least 2/3 of e^x's size (or of 1), so the subtraction loses no digit worth a log. */
    private static final double LN3 = Math.log(3.0);

    /**
     * e^x - 1 from HotSpot's intrinsic {@link Math#exp} and {@link Math#log} (Math.expm1 is
     * StrictMath's native fdlibm in JDK 17, a call per element). Where e^x is near 1 the rounded
     * u = e^x loses x's digits in u - 1, and Kahan's (u - 1) x / log u gives them back: the
     * rounding of u enters both u - 1 and log u alike, so their ratio, a smooth function of u,
     * is off by a second-order amount only. Elsewhere |u - 1| ≥ 2/3 max(u, 1) and u - 1 keeps
     * exp's digits. Within 3 ulps over the whole domain (SpecialAccuracyTest measures it against
     * BigDecimal series: 2.3 at most over 40,000 points, near |x| = 0.06); ±0 and subnormals are returned as they are, -inf gives -1.
     */
    static double expm1(double x) {
        double u = Math.exp(x);
        if (!(Math.abs(x) < LN3)) return u - 1.0;   // NaN and ±inf too
        if (u == 1.0) return x;                       // |x| < 2^-53: x(1 + x/2 + ...) rounds to x
        return (u - 1.0) * x / Math.log(u);
    }

    /**
     * log(1 + x) from the intrinsic {@link Math#log}, by Kahan's u = 1 + x, log(u) x / (u - 1)
     * (Goldberg 1991, theorem 4): u - 1 is the part of x that u holds, and the ratio x / (u - 1)
     * puts back what rounding u dropped. Within 3 ulps (SpecialAccuracyTest measures it against
     * a BigDecimal Newton solve: 2.05 at most over 40,000 points); ±0 and subnormals are returned as they are, -1 gives -inf.
     */
    static double log1p(double x) {
        double u = 1.0 + x;
        if (u == 1.0) return x;                              // |x| < 2^-53: x(1 - x/2 + ...) rounds to x
        if (x == Double.POSITIVE_INFINITY) return x;         // where x / (u - 1) would be inf / inf
        return Math.log(u) * (x / (u - 1.0));
    }

    /** The f64 tanh, whose bits the tanh op's loop gives too: {@link InDouble#tanh64}. */
    static double tanh(double x) { return InDouble.tanh64(x); }
}
