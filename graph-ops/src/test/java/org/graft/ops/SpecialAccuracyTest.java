package org.graft.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The error in ulps of the transcendental kernels built on HotSpot's intrinsics ({@link
 * Special#expm1}, {@link Special#log1p}) and on the vectorized e^x of the f64 loops ({@link
 * Special#sigmoid}, {@link Special#tanh}, {@link Special#softplus}, the scalar twins of
 * {@link InDouble}'s loops, with their bits) against
 * values computed to 60 digits with BigDecimal series, over the whole domain of doubles (every
 * exponent, subnormals, ±0, ±inf, NaN) and densely where each function does its work; and
 * against StrictMath's fdlibm, the kernels they replace.
 */
class SpecialAccuracyTest {
    private static final MathContext MC = new MathContext(60);

    /** The bounds their Javadoc states. */
    private static final double EXPM1_ULPS = 3, LOG1P_ULPS = 3, TANH_ULPS = 4, SOFTPLUS_ULPS = 3, SIGMOID_ULPS = 4;

    @Provide
    Arbitrary<Double> anyDouble() {
        // every bit pattern: each exponent equally likely, so subnormals, huge values, ±inf and NaNs all come up
        Arbitrary<Double> bits = Arbitraries.longs().map(Double::longBitsToDouble);
        Arbitrary<Double> near = Arbitraries.doubles().between(-30, 30);
        Arbitrary<Double> small = Arbitraries.doubles().between(-2, 2);
        Arbitrary<Double> edges = Arbitraries.of(0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE,
                -Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 0x1p-27, -0x1p-27, 22.0, -22.0,
                Math.log(3.0), -Math.log(3.0), 0x1p-53, -0x1p-53, 709.78, 710.0, -745.2, -1.0, 1.0);
        return Arbitraries.frequencyOf(Tuple.of(3, bits), Tuple.of(3, near),
                Tuple.of(3, small), Tuple.of(1, edges));
    }

    @Property(tries = 3000)
    void expm1IsWithinItsBound(@ForAll("anyDouble") double x) {
        double got = Special.expm1(x);
        if (Double.isNaN(x)) assertTrue(Double.isNaN(got));
        else if (x == Double.POSITIVE_INFINITY) assertEquals(Double.POSITIVE_INFINITY, got);
        else if (x < -40) assertEquals(-1.0, got);   // e^x < 2^-57: -1 + e^x rounds to -1
        else if (x > 710) assertEquals(Double.POSITIVE_INFINITY, got);   // e^710 > 2^1024
        else assertWithin(EXPM1_ULPS, expm1(new BigDecimal(x)), got, "expm1", x);
        assertSameZero(x, got);
    }

    @Property(tries = 3000)
    void log1pIsWithinItsBound(@ForAll("anyDouble") double x) {
        double got = Special.log1p(x);
        if (Double.isNaN(x) || x < -1) assertTrue(Double.isNaN(got), () -> "log1p(" + x + ") = " + got);
        else if (x == -1) assertEquals(Double.NEGATIVE_INFINITY, got);
        else if (x == Double.POSITIVE_INFINITY) assertEquals(Double.POSITIVE_INFINITY, got);
        else assertWithin(LOG1P_ULPS, log1p(new BigDecimal(x)), got, "log1p", x);
        assertSameZero(x, got);
    }

    @Property(tries = 3000)
    void tanhIsWithinItsBound(@ForAll("anyDouble") double x) {
        double got = Special.tanh(x);
        if (Double.isNaN(x)) assertTrue(Double.isNaN(got));
        else if (Math.abs(x) >= 22) assertEquals(Math.copySign(1.0, x), got);
        else assertWithin(TANH_ULPS, tanh(new BigDecimal(x)), got, "tanh", x);
        assertSameZero(x, got);
    }

    @Property(tries = 3000)
    void softplusIsWithinItsBound(@ForAll("anyDouble") double x) {
        double got = Special.softplus(x);
        if (Double.isNaN(x)) assertTrue(Double.isNaN(got));
        else if (x == Double.POSITIVE_INFINITY) assertEquals(x, got);
        else if (x < -745.2) assertEquals(0.0, got);   // e^x underflows below half the least subnormal
        else if (x > 40) assertEquals(x, got);         // log1p(e^-x) < 2^-57 x: x + it rounds to x
        else {
            // log(1 + e^x) = x + log(1 + e^-x) for x > 0, whose second term is log1p of a number below 1
            BigDecimal bx = new BigDecimal(x);
            BigDecimal want = x > 0 ? bx.add(log1p(exp(bx.negate()))) : log1p(exp(bx));
            assertWithin(SOFTPLUS_ULPS, want, got, "softplus", x);
        }
    }

    @Property(tries = 3000)
    void sigmoidIsWithinItsBound(@ForAll("anyDouble") double x) {
        double got = Special.sigmoid(x);
        if (Double.isNaN(x)) assertTrue(Double.isNaN(got));
        else if (x > 40) assertEquals(1.0, got);                 // 1 - σ(x) < 2^-57: it rounds to 1
        else if (x < -708.3) assertTrue(got >= 0 && got < Double.MIN_NORMAL, () -> "sigmoid(" + x + ") = " + got); // subnormal, or 0
        else {
            BigDecimal e = exp(new BigDecimal(x).negate());
            assertWithin(SIGMOID_ULPS, BigDecimal.ONE.divide(BigDecimal.ONE.add(e, MC), MC), got, "sigmoid", x);
        }
    }

    /** Against the kernels they replace: within their bound plus fdlibm's own (1 ulp for expm1, log1p; 2.5 for tanh). */
    @Property(tries = 2000)
    void theyAgreeWithStrictMath(@ForAll("anyDouble") double x) {
        assertUlpsApart(EXPM1_ULPS + 1, StrictMath.expm1(x), Special.expm1(x), "expm1", x);
        assertUlpsApart(LOG1P_ULPS + 1, StrictMath.log1p(x), Special.log1p(x), "log1p", x);
        assertUlpsApart(TANH_ULPS + 2.5, StrictMath.tanh(x), Special.tanh(x), "tanh", x);
    }

    @Example
    void theEdgesAreTheLimits() {
        assertEquals(-1.0, Special.expm1(Double.NEGATIVE_INFINITY));
        assertEquals(Double.NEGATIVE_INFINITY, Special.log1p(-1.0));
        assertEquals(1.0, Special.tanh(Double.POSITIVE_INFINITY));
        assertEquals(-1.0, Special.tanh(-Double.MAX_VALUE));
        assertEquals(Double.MIN_VALUE, Special.tanh(Double.MIN_VALUE));
        assertEquals(Double.MIN_VALUE, Special.expm1(Double.MIN_VALUE));
        assertEquals(Math.log(2), Special.softplus(0.0), Math.ulp(Math.log(2)));
    }

    // ---- the references, to 60 digits ------------------------------------------------------------

    /** e^x - 1 for |x| ≤ 1 by its series, whose terms fall at least as fast as 1/n!. */
    private static BigDecimal expm1Series(BigDecimal x) {
        BigDecimal sum = BigDecimal.ZERO, term = BigDecimal.ONE;
        for (int n = 1; n < 200; n++) {
            term = term.multiply(x, MC).divide(BigDecimal.valueOf(n), MC);
            BigDecimal next = sum.add(term, MC);
            if (next.compareTo(sum) == 0 && n > 1) break;
            sum = next;
        }
        return sum;
    }

    /** e^x: e^(x/2^k) by the series, squared k times (each squaring doubles a relative error of 1e-60). */
    private static BigDecimal exp(BigDecimal x) {
        int k = 0;
        BigDecimal r = x;
        while (r.abs().compareTo(BigDecimal.ONE) > 0) {
            r = r.divide(BigDecimal.valueOf(2), MC);
            k++;
        }
        BigDecimal e = BigDecimal.ONE.add(expm1Series(r), MC);
        for (int i = 0; i < k; i++) e = e.multiply(e, MC);
        return e;
    }

    /** e^x - 1 without cancellation: the series near 0, -m/(1 + m) with m = expm1(-x) below 0, e^x - 1 beyond 1. */
    private static BigDecimal expm1(BigDecimal x) {
        if (x.abs().compareTo(BigDecimal.ONE) <= 0) {
            if (x.signum() >= 0) return expm1Series(x);
            BigDecimal m = expm1Series(x.negate());
            return m.negate().divide(BigDecimal.ONE.add(m, MC), MC);
        }
        return exp(x).subtract(BigDecimal.ONE, MC);
    }

    /** log(1 + x) for x > -1: Newton on expm1(y) = x from fdlibm's value, each step doubling the digits. */
    private static BigDecimal log1p(BigDecimal x) {
        double start = StrictMath.log1p(x.doubleValue());
        BigDecimal y = new BigDecimal(start);
        if (start == 0) return x;   // x = ±0
        for (int i = 0; i < 6; i++) {
            BigDecimal m = expm1(y);
            y = y.subtract(m.subtract(x, MC).divide(BigDecimal.ONE.add(m, MC), MC), MC);
        }
        return y;
    }

    /** tanh x = e / (e + 2), e = expm1(2|x|), with x's sign. */
    private static BigDecimal tanh(BigDecimal x) {
        BigDecimal e = expm1(x.abs().multiply(BigDecimal.valueOf(2)));
        BigDecimal t = e.divide(e.add(BigDecimal.valueOf(2)), MC);
        return x.signum() < 0 ? t.negate() : t;
    }

    // ---- measuring -------------------------------------------------------------------------------

    /** |got - want| in ulps of want rounded to double (of the least subnormal where want is 0). */
    private static double ulps(BigDecimal want, double got) {
        double w = want.doubleValue();
        double ulp = Math.ulp(w == 0 ? Double.MIN_VALUE : w);
        return new BigDecimal(got).subtract(want).abs().divide(new BigDecimal(ulp), MC).doubleValue();
    }

    private static void assertWithin(double bound, BigDecimal want, double got, String f, double x) {
        if (Double.isInfinite(want.doubleValue())) {   // beyond the largest double: it overflows, as it must
            assertEquals(want.doubleValue(), got, () -> f + "(" + x + ")");
            return;
        }
        double e = ulps(want, got);
        assertTrue(e <= bound, () -> f + "(" + x + ") = " + got + ", " + e + " ulps from " + want.round(new MathContext(20)));
    }

    private static void assertUlpsApart(double bound, double want, double got, String f, double x) {
        if (Double.isNaN(want) || Double.isInfinite(want) || want == 0) {
            assertEquals(want, got, () -> f + "(" + x + ")");
            return;
        }
        double e = Math.abs(got - want) / Math.ulp(want);
        assertTrue(e <= bound, () -> f + "(" + x + ") = " + got + ", " + e + " ulps from StrictMath's " + want);
    }

    /** A zero keeps its sign. */
    private static void assertSameZero(double x, double got) {
        if (x == 0) assertEquals(Double.doubleToRawLongBits(x), Double.doubleToRawLongBits(got), "the sign of zero");
    }
}
