package org.graft.ops;

import static org.graft.ops.Ops.acosh;
import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.ceil;
import static org.graft.ops.Ops.exp;
import static org.graft.ops.Ops.floor;
import static org.graft.ops.Ops.grad;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.isfinite;
import static org.graft.ops.Ops.isinf;
import static org.graft.ops.Ops.isnan;
import static org.graft.ops.Ops.log;
import static org.graft.ops.Ops.log1mexp;
import static org.graft.ops.Ops.log2;
import static org.graft.ops.Ops.logit;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.nanToNum;
import static org.graft.ops.Ops.neg;
import static org.graft.ops.Ops.polygamma;
import static org.graft.ops.Ops.reciprocal;
import static org.graft.ops.Ops.relu;
import static org.graft.ops.Ops.round;
import static org.graft.ops.Ops.sigmoid;
import static org.graft.ops.Ops.sign;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.tanh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.Apply;
import org.graft.core.GraftException;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Type;
import org.graft.core.check.GradCheck;
import org.graft.core.check.Tensors;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

class UnaryTest {

    @Property(tries = 100)
    void negGradientMatchesFiniteDifferences(@ForAll("any") Tensor x) { GradCheck.of(Ops::neg).at(x).assertClose(); }

    @Property(tries = 100)
    void expGradientMatchesFiniteDifferences(@ForAll("any") Tensor x) { GradCheck.of(Ops::exp).at(x).assertClose(); }

    @Property(tries = 100)
    void logGradientMatchesFiniteDifferences(@ForAll("positive") Tensor x) { GradCheck.of(Ops::log).at(x).assertClose(); }

    @Property(tries = 100)
    void squareGradientMatchesFiniteDifferences(@ForAll("any") Tensor x) { GradCheck.of(Ops::square).at(x).assertClose(); }

    @Property(tries = 100)
    void sigmoidGradientMatchesFiniteDifferences(@ForAll("any") Tensor x) { GradCheck.of(Ops::sigmoid).at(x).assertClose(); }

    @Property(tries = 100)
    void tanhGradientMatchesFiniteDifferences(@ForAll("any") Tensor x) { GradCheck.of(Ops::tanh).at(x).assertClose(); }

    @Property(tries = 100)
    void log1pGradientMatchesFiniteDifferences(@ForAll("aboveMinusOne") Tensor x) { GradCheck.of(Ops::log1p).at(x).assertClose(); }

    @Property(tries = 100)
    void expm1GradientMatchesFiniteDifferences(@ForAll("any") Tensor x) { GradCheck.of(Ops::expm1).at(x).assertClose(); }

    @Property(tries = 100)
    void erfGradientMatchesFiniteDifferences(@ForAll("any") Tensor x) { GradCheck.of(Ops::erf).at(x).assertClose(); }

    @Property(tries = 100)
    void sqrtGradientMatchesFiniteDifferences(@ForAll("positive") Tensor x) { GradCheck.of(Ops::sqrt).at(x).assertClose(); }

    @Property(tries = 100)
    void reciprocalGradientMatchesFiniteDifferences(@ForAll("awayFromThePole") Tensor x) {
        GradCheck.of(Ops::reciprocal).at(x).assertClose();
        GradCheck.of(v -> grad(sum(reciprocal(v)), v)).at(x).assertClose();
    }

    @Property(tries = 100)
    void absGradientMatchesFiniteDifferencesAwayFromTheKink(@ForAll("kinkFree") Tensor x) {
        GradCheck.of(Ops::abs).at(x).assertClose();
    }

    @Property(tries = 100)
    void softplusGradientMatchesFiniteDifferences(@ForAll("any") Tensor x) { GradCheck.of(Ops::softplus).at(x).assertClose(); }

    @Property(tries = 100)
    void sinGradientMatchesFiniteDifferences(@ForAll("any") Tensor x) { GradCheck.of(Ops::sin).at(x).assertClose(); }

    @Property(tries = 100)
    void cosGradientMatchesFiniteDifferences(@ForAll("any") Tensor x) { GradCheck.of(Ops::cos).at(x).assertClose(); }

    @Property(tries = 100)
    void reluGradientMatchesFiniteDifferencesAwayFromTheKink(@ForAll("kinkFree") Tensor x) {
        GradCheck.of(Ops::relu).at(x).assertClose();
    }

    /** relu's gradient op, in x (flat) and in g, and relu's second derivative through it. */
    @Property(tries = 100)
    void reluGradsGradientMatchesFiniteDifferencesAwayFromTheKink(@ForAll("kinkFree") Tensor x, @ForAll("any") Tensor g) {
        Tensor gx = g.shape().equals(x.shape()) ? g : x.mul(Tensor.scalar(0.5));
        GradCheck.of(Ops::reluGrad).at(x, gx).assertClose();
        GradCheck.of(v -> grad(sum(mul(relu(v), v)), v)).at(x).assertClose();
    }

    /**
     * relu's gradient is {@code g * (x > 0)} to the bit wherever x is a number (the signs of
     * zeros, the smallest subnormal, infinities, in several blocks), in both dtypes, and NaN
     * where x is NaN.
     */
    @Example
    void reluGradIsGTimesTheStepToTheBit() {
        int n = 2500;
        double[] specials = {0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, Float.MIN_VALUE, Double.MAX_VALUE,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1, -1};
        var random = new java.util.SplittableRandom(7);
        double[] xs = new double[n], gs = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = i < specials.length ? specials[i] : random.nextDouble(-3, 3);
            gs[i] = i % 7 == 3 ? -random.nextDouble(0, 2) : random.nextDouble(-2, 2);
        }
        for (DType dtype : DType.values()) {
            Input x = new Input("x", Type.of(dtype, n)), g = new Input("g", Type.of(dtype, n));
            List<Input> in = List.of(x, g);
            Tensor xt = Tensor.of(dtype, Shape.of(n), xs), gt = Tensor.of(dtype, Shape.of(n), gs);
            Tensor fused = Compiler.compile(in, List.of(Ops.reluGrad(x, g)), Options.NONE).call(xt, gt).get(0);
            Tensor written = Compiler.compile(in, List.of(mul(g, Ops.greater(x, 0.0))), Options.NONE).call(xt, gt).get(0);
            assertEquals(written, fused, dtype.toString());
            xs[5] = Double.NaN;
            Tensor atNaN = Compiler.compile(in, List.of(Ops.reluGrad(x, g)), Options.NONE).call(Tensor.of(dtype, Shape.of(n), xs), gt).get(0);
            xs[5] = Double.MAX_VALUE;
            assertTrue(Double.isNaN(atNaN.storage()[5]), dtype + ": NaN at x = NaN");
        }
    }

    @Property(tries = 50)
    void gradientsHandleEmptyTensors(@ForAll("withEmpty") Tensor x) {
        for (UnaryOperator<Node> f : List.<UnaryOperator<Node>>of(Ops::neg, Ops::exp, Ops::expm1, Ops::square,
                Ops::abs, Ops::sigmoid, Ops::softplus, Ops::tanh, Ops::relu, Ops::sin, Ops::cos, Ops::erf)) {
            GradCheck.of(f).at(x).assertClose();
        }
    }

    // second order: the gradient graph is itself differentiated and checked
    @Property(tries = 50)
    void sigmoidSecondDerivativeMatchesFiniteDifferences(@ForAll("any") Tensor x) {
        GradCheck.of(v -> grad(sum(sigmoid(v)), v)).at(x).assertClose();
    }

    @Property(tries = 50)
    void tanhSecondDerivativeMatchesFiniteDifferences(@ForAll("any") Tensor x) {
        GradCheck.of(v -> grad(sum(tanh(v)), v)).at(x).assertClose();
    }

    @Property(tries = 50)
    void smoothOpsHaveCorrectSecondDerivatives(@ForAll("positive") Tensor x) {
        for (UnaryOperator<Node> f : List.<UnaryOperator<Node>>of(Ops::exp, Ops::log, Ops::square, Ops::neg, Ops::log1p,
                Ops::expm1, Ops::sqrt, Ops::softplus, Ops::sin, Ops::cos, Ops::erf)) {
            GradCheck.of(v -> grad(sum(f.apply(v)), v)).at(x).assertClose();
        }
    }

    /**
     * log's second derivative at points near 0.1, where the random direction's terms (each
     * about 100) cancel to 0.11: the difference's truncation error, which grows with the terms,
     * exceeded a relative tolerance taken on their sum (jqwik found such a case; this is one).
     */
    @Example
    void aSecondDerivativeWhoseTermsCancelAlongTheDirectionPasses() {
        Tensor x = Tensor.vector(0.11825724574779878, 0.12614581475902809, 0.1057269593082923, 0.12646866343594643,
                0.12858734463912103, 0.12269026512914318, 0.11230595553664709, 0.10696778342291288, 0.12777812292109725,
                0.11289552065773822, 0.11787954606593014, 0.1093027181034896, 0.12564954271596016, 0.10895907349231868,
                0.10746106956864598, 0.10136487021467272, 0.11931427849409652, 0.10264944880099086, 0.12228886398023817,
                0.12243520372068746, 0.10031607156917274, 0.12547687097381974, 0.11710615278288926, 0.11915755690020385);
        GradCheck.of(v -> grad(sum(log(v)), v)).at(x).assertClose();
    }

    @Example
    void sigmoidDerivativeIsYTimesOneMinusY() {
        Input x = input("x", 5);
        Tensor at = Tensor.vector(-3, -0.5, 0, 0.5, 3);
        var f = Compiler.compile(List.of(x), List.of(sigmoid(x), grad(sum(sigmoid(x)), x)));
        List<Tensor> out = f.call(at);
        Tensor y = out.get(0);
        assertTrue(out.get(1).allClose(y.mul(Tensor.scalar(1).sub(y)), 0, 1e-15));
    }

    @Example
    void tanhHasSlopeOneAtZero() { // tanh'(0) = 1 - tanh²(0) = 1
        assertEquals(1.0, slopeAt(Ops::tanh, 0.0), 1e-15);
    }

    /** relu is max(x, 0) in both dtypes, compiled: NaN stays NaN (PyTorch, JAX) and -0 gives +0. */
    @Example
    void reluOfNaNIsNaNAndOfMinusZeroIsZero() {
        for (DType dtype : DType.values()) {
            Input x = new Input("x", Type.of(dtype, 5));
            var f = Compiler.compile(List.of(x), List.of(relu(x)));
            Tensor at = Tensor.of(dtype, Shape.of(5), new double[] {Double.NaN, -0.0, -2, 3, Double.NEGATIVE_INFINITY});
            double[] y = f.call(at).get(0).storage();
            assertTrue(Double.isNaN(y[0]), dtype + ": relu(NaN)");
            assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(y[1]), dtype + ": relu(-0)");
            assertEquals(0.0, y[2]);
            assertEquals(3.0, y[3]);
            assertEquals(0.0, y[4]);
        }
    }

    @Example
    void reluSlopeIsZeroAtTheKink() { // the subgradient we choose at 0, as PyTorch and JAX do
        assertEquals(0.0, slopeAt(Ops::relu, 0.0));
        assertEquals(1.0, slopeAt(Ops::relu, 1e-300));
    }

    @Example
    void sigmoidIsFiniteAndExactFarIntoTheTails() {
        assertEquals(Math.exp(-800), value(Ops::sigmoid, -800), 0);
        assertEquals(1.0, value(Ops::sigmoid, 800), 0);
        assertEquals(0.0, slopeAt(Ops::sigmoid, -800), 1e-300);
    }

    @Example
    void logOfExpIsTheIdentityWithSlopeOne() {
        assertEquals(1.0, slopeAt(v -> log(exp(v)), 0.3), 1e-15);
        assertEquals(-2.0, slopeAt(v -> neg(mul(2.0, v)), 7), 0);
        assertEquals(6.0, slopeAt(Ops::square, 3), 0);
    }

    @Example
    void signIsPiecewiseConstantWithAZeroGradient() {
        Input x = input("x", 4);
        var f = Compiler.compile(List.of(x), List.of(sign(x), grad(sum(sign(x)), x)));
        List<Tensor> out = f.call(Tensor.vector(-2, 0, 3, Double.NaN));
        assertEquals(Tensor.vector(-1, 0, 1, Double.NaN), out.get(0));
        assertEquals(Tensor.vector(0, 0, 0, 0), out.get(1));
        assertEquals(0.0, slopeAt(Ops::abs, 0.0));   // sign(0) = 0: the subgradient PyTorch and JAX take
    }

    @Example
    void log1pAndExpm1AreExactWhereOnePlusXRoundsToOne() {
        assertEquals(1e-18, value(Ops::log1p, 1e-18), 0);
        assertEquals(1e-18, value(Ops::expm1, 1e-18), 0);
        // the naive form, as written (compile would rewrite it to log1p), loses it all
        Input x = input("x");
        var naive = Compiler.compile(List.of(x), List.of(log(add(1.0, x))), Options.NONE);
        assertEquals(0.0, naive.call(Tensor.scalar(1e-18)).get(0).item());
    }

    /** Values from mpmath at 40 digits, rounded to double (PyTorch's {@code torch.erf} agrees). */
    @Example
    void erfIsCorrectlyRoundedAtKnownPointsAndOddWithItsLimits() {
        assertEquals(0.5204998778130465, value(Ops::erf, 0.5), 0);
        assertEquals(0.8427007929497149, value(Ops::erf, 1), 0);
        assertEquals(-0.9953222650189527, value(Ops::erf, -2), 0);
        assertEquals(1.1283791670955126e-10, value(Ops::erf, 1e-10), 0);   // 2x/√π, not 0
        assertEquals(0.9999992569016276, value(Ops::erf, 3.5), 0);
        assertEquals(1.0, value(Ops::erf, Double.POSITIVE_INFINITY), 0);
        assertEquals(-1.0, value(Ops::erf, Double.NEGATIVE_INFINITY), 0);
        assertTrue(Double.isNaN(value(Ops::erf, Double.NaN)));
        assertEquals(0.4151074974205947, slopeAt(Ops::erf, 1), 1e-16);      // (2/√π) e^-1
        assertEquals(0.0, slopeAt(Ops::erf, 40), 0);                        // e^-1600 underflows, not NaN
    }

    @Example
    void softplusIsFiniteAndExactInBothTails() {
        assertEquals(800.0, value(Ops::softplus, 800), 0);
        assertEquals(Math.exp(-40), value(Ops::softplus, -40), 1e-16 * Math.exp(-40));
        // ln 2 to an ulp, not to the bit: the loop's log1p is a series (InDouble), which gives ln 2 an ulp low
        assertEquals(Math.log(2), value(Ops::softplus, 0), Math.ulp(Math.log(2)));
        assertEquals(1.0, slopeAt(Ops::softplus, 800), 0);          // σ(800)
        assertEquals(Math.exp(-800), slopeAt(Ops::softplus, -800), 0);
    }

    @Example
    void sqrtAndReciprocalSlopesFollowThePowerRule() {
        assertEquals(0.25, slopeAt(Ops::sqrt, 4), 0);              // 1 / (2√4)
        assertEquals(-0.25, slopeAt(Ops::reciprocal, 2), 0);       // -1/x²
        assertEquals(Math.cos(1.0), slopeAt(Ops::sin, 1.0), 0);
        assertEquals(-Math.sin(1.0), slopeAt(Ops::cos, 1.0), 0);
    }

    // ---- issue 16's functions ------------------------------------------------------------

    @Property(tries = 100)
    void erfcGradientMatchesFiniteDifferences(@ForAll("any") Tensor x) { GradCheck.of(Ops::erfc).at(x).assertClose(); }

    @Property(tries = 100)
    void erfcxGradientMatchesFiniteDifferences(@ForAll("any") Tensor x) { GradCheck.of(Ops::erfcx).at(x).assertClose(); }

    @Property(tries = 100)
    void erfinvGradientMatchesFiniteDifferences(@ForAll("insideMinusOneToOne") Tensor x) { GradCheck.of(Ops::erfinv).at(x).assertClose(); }

    @Property(tries = 100)
    void log2AndLog10GradientsMatchFiniteDifferences(@ForAll("positive") Tensor x) {
        GradCheck.of(Ops::log2).at(x).assertClose();
        GradCheck.of(Ops::log10).at(x).assertClose();
    }

    @Property(tries = 100)
    void exp2GradientMatchesFiniteDifferences(@ForAll("any") Tensor x) { GradCheck.of(Ops::exp2).at(x).assertClose(); }

    /** On both sides of -ln 2, where the kernel changes form. */
    @Property(tries = 100)
    void log1mexpGradientMatchesFiniteDifferences(@ForAll("negative") Tensor x) { GradCheck.of(Ops::log1mexp).at(x).assertClose(); }

    @Property(tries = 100)
    void logitGradientMatchesFiniteDifferences(@ForAll("probabilities") Tensor x) { GradCheck.of(Ops::logit).at(x).assertClose(); }

    @Property(tries = 100)
    void hyperbolicGradientsMatchFiniteDifferences(@ForAll("any") Tensor x) {
        for (UnaryOperator<Node> f : List.<UnaryOperator<Node>>of(Ops::sinh, Ops::cosh, Ops::asinh, Ops::atan)) {
            GradCheck.of(f).at(x).assertClose();
        }
    }

    @Property(tries = 100)
    void tanGradientMatchesFiniteDifferencesBetweenItsPoles(@ForAll("insideMinusOneToOne") Tensor x) {
        GradCheck.of(Ops::tan).at(x).assertClose();
    }

    @Property(tries = 100)
    void acoshGradientMatchesFiniteDifferences(@ForAll("aboveOne") Tensor x) { GradCheck.of(Ops::acosh).at(x).assertClose(); }

    @Property(tries = 100)
    void atanhGradientMatchesFiniteDifferences(@ForAll("insideMinusOneToOne") Tensor x) { GradCheck.of(Ops::atanh).at(x).assertClose(); }

    /** Above 0 and between the poles below it, where log|Γ|, ψ and ψ⁽ⁿ⁾ take the reflection formula. */
    @Property(tries = 100)
    void gammaFamilyGradientsMatchFiniteDifferences(@ForAll("gammaDomain") Tensor x) {
        for (UnaryOperator<Node> f : List.<UnaryOperator<Node>>of(Ops::gammaln, Ops::digamma, v -> polygamma(1, v),
                v -> polygamma(2, v), v -> polygamma(3, v))) {
            GradCheck.of(f).at(x).assertClose();
        }
    }

    @Property(tries = 100)
    void nanToNumPassesTheGradientOfFiniteValues(@ForAll("any") Tensor x) { GradCheck.of(Ops::nanToNum).at(x).assertClose(); }

    @Property(tries = 30)
    void issue16sFunctionsHaveCorrectSecondDerivatives(@ForAll("insideMinusOneToOne") Tensor x) {
        for (UnaryOperator<Node> f : List.<UnaryOperator<Node>>of(Ops::erfc, Ops::erfcx, Ops::erfinv, Ops::exp2, Ops::sinh,
                Ops::cosh, Ops::tan, Ops::asinh, Ops::atanh, Ops::atan)) {
            GradCheck.of(v -> grad(sum(f.apply(v)), v)).at(x).assertClose();
        }
    }

    @Property(tries = 30)
    void functionsOfPositiveNumbersHaveCorrectSecondDerivatives(@ForAll("positive") Tensor x) {
        for (UnaryOperator<Node> f : List.<UnaryOperator<Node>>of(Ops::log2, Ops::log10, Ops::gammaln, Ops::digamma,
                v -> polygamma(1, v), v -> acosh(add(v, 1.0)), v -> log1mexp(neg(v)), v -> logit(sigmoid(v)))) {
            GradCheck.of(v -> grad(sum(f.apply(v)), v)).at(x).assertClose();
        }
    }

    @Example
    void roundingOpsArePiecewiseConstantAndRoundTiesToEven() {
        Input x = input("x", 8);
        Tensor at = Tensor.vector(0.5, 1.5, 2.5, -0.5, -2.5, 2.7, -2.7, 0.49999999999999994);
        var f = Compiler.compile(List.of(x), List.of(round(x), floor(x), ceil(x), grad(sum(add(round(x), add(floor(x), ceil(x)))), x)));
        List<Tensor> out = f.call(at);
        assertEquals(Tensor.vector(0, 2, 2, -0.0, -2, 3, -3, 0), out.get(0));
        assertEquals(Tensor.vector(0, 1, 2, -1, -3, 2, -3, 0), out.get(1));
        assertEquals(Tensor.vector(1, 2, 3, -0.0, -2, 3, -2, 1), out.get(2));
        assertEquals(Tensor.zeros(Shape.of(8)), out.get(3));
    }

    @Example
    void log2IsExactAtEveryPowerOfTwoAndLog10AtEveryPowerOfTen() {
        double[] powers = IntStream.rangeClosed(-1074, 1023).mapToDouble(k -> Math.scalb(1.0, k)).toArray();
        Input x = input("x", powers.length);
        Tensor got = Compiler.compile(List.of(x), List.of(log2(x))).call(Tensor.vector(powers)).get(0);
        assertEquals(Tensor.vector(IntStream.rangeClosed(-1074, 1023).asDoubleStream().toArray()), got);
        assertEquals(22.0, value(Ops::log10, 1e22), 0);
        assertEquals(-5.0, value(Ops::log10, 1e-5), 0);
        assertEquals(Double.MIN_VALUE, value(Ops::exp2, -1074), 0);
        assertEquals(0x1p1023, value(Ops::exp2, 1023), 0);
    }

    /** Values from mpmath at 50 digits: where the textbook forms cancel, these keep their digits. */
    @Example
    void logitLog1mexpAndTheInverseHyperbolicsKeepTheirDigitsWhereTheNaiveFormsCancel() {
        assertEquals(3.99999999789463e-7, value(Ops::logit, 0.5 + 1e-7), 1e-21);      // log(x/(1-x)) gives 3.99999999725e-7
        assertEquals(-46.05170185988091, value(Ops::log1mexp, -1e-20), 1e-14);            // log(1 - e^x) gives -inf
        assertEquals(-9.999999999999992e-21, value(Ops::log1mexp, -46.051701859880914), 1e-35);
        assertEquals(1.414213620867586e-5, value(Ops::acosh, 1.0000000001), 1e-20);
        assertEquals(710.4758600739439, value(Ops::asinh, Double.MAX_VALUE), 1e-12);      // no x² that overflows
        assertEquals(-1e-300, value(Ops::asinh, -1e-300), 0);
        assertEquals(18.714973875118524, value(Ops::atanh, 1 - 0x1p-53), 1e-14);
        assertEquals(70710.6751915733, slopeAt(Ops::acosh, 1.0000000001), 1e-8);          // PyTorch's 1/√(x² - 1): 70710.67519334
    }

    @Example
    void theGammaFamilyHasPyTorchsValuesAtItsPoles() {
        assertEquals(Double.POSITIVE_INFINITY, value(Ops::gammaln, 0), 0);
        assertEquals(Double.POSITIVE_INFINITY, value(Ops::gammaln, -3), 0);
        assertEquals(Double.NEGATIVE_INFINITY, value(Ops::digamma, 0.0), 0);
        assertEquals(Double.POSITIVE_INFINITY, value(Ops::digamma, -0.0), 0);
        assertTrue(Double.isNaN(value(Ops::digamma, -2)));
        assertEquals(Double.POSITIVE_INFINITY, value(v -> polygamma(1, v), -1), 0);
        assertEquals(Double.NEGATIVE_INFINITY, value(v -> polygamma(2, v), -1), 0);
        assertEquals(0.0, value(v -> polygamma(1, v), Double.POSITIVE_INFINITY), 0);
        assertEquals(Math.PI * Math.PI / 6, value(v -> polygamma(1, v), 1), 1e-15);       // ζ(2)
        assertEquals(new Unary.Digamma(), ((Apply) polygamma(0, input("x"))).op());
        var e = assertThrows(GraftException.class, () -> polygamma(-1, input("x")));
        assertEquals("polygamma: n must be 0 or more, found -1", e.getMessage());
    }

    @Example
    void isnanIsinfIsfiniteAndNanToNumSeeTheSameSpecials() {
        Input x = input("x", 5);
        Tensor at = Tensor.vector(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0, -2.5);
        var f = Compiler.compile(List.of(x), List.of(isnan(x), isinf(x), isfinite(x), nanToNum(x), nanToNum(x, 1, 2.0, null)));
        List<Tensor> out = f.call(at);
        assertEquals(Tensor.vector(1, 0, 0, 0, 0), out.get(0));
        assertEquals(Tensor.vector(0, 1, 1, 0, 0), out.get(1));
        assertEquals(Tensor.vector(0, 0, 0, 1, 1), out.get(2));
        assertEquals(Tensor.vector(0, Double.MAX_VALUE, -Double.MAX_VALUE, 0, -2.5), out.get(3));
        assertEquals(Tensor.vector(1, 2, -Double.MAX_VALUE, 0, -2.5), out.get(4));
        // the defaults are the dtype's: f32's largest float, as NumPy and PyTorch
        Input x32 = new Input("x", Type.of(DType.F32, 5));
        Tensor f32 = Compiler.compile(List.of(x32), List.of(nanToNum(x32))).call(at.astype(DType.F32)).get(0);
        assertEquals(Tensor.vector(0, Float.MAX_VALUE, -Float.MAX_VALUE, 0, -2.5).astype(DType.F32), f32);
    }

    static double value(UnaryOperator<Node> f, double at) {
        Input x = input("x");
        return Compiler.compile(List.of(x), List.of(f.apply(x))).call(Tensor.scalar(at)).get(0).item();
    }

    static double slopeAt(UnaryOperator<Node> f, double at) {
        Input x = input("x");
        return Compiler.compile(List.of(x), List.of(grad(f.apply(x), x))).call(Tensor.scalar(at)).get(0).item();
    }

    @Provide Arbitrary<Tensor> any() { return Tensors.smallShapes().any(); }
    @Provide Arbitrary<Tensor> positive() { return Tensors.smallShapes().positive(); }
    @Provide Arbitrary<Tensor> aboveMinusOne() { return Tensors.smallShapes().between(-0.9, 5.0); }
    @Provide Arbitrary<Tensor> kinkFree() { return Tensors.smallShapes().awayFromZero(); }
    @Provide Arbitrary<Tensor> insideMinusOneToOne() { return Tensors.smallShapes().between(-0.9, 0.9); }
    @Provide Arbitrary<Tensor> negative() { return Tensors.smallShapes().between(-5.0, -0.1); }
    @Provide Arbitrary<Tensor> probabilities() { return Tensors.smallShapes().between(0.05, 0.95); }
    @Provide Arbitrary<Tensor> aboveOne() { return Tensors.smallShapes().between(1.1, 10.0); }

    /** (0.1, 10], and between the poles at -4 and -3 (where |ψ⁽³⁾| stays below about 1e4). */
    @Provide Arbitrary<Tensor> gammaDomain() {
        return Arbitraries.oneOf(Tensors.smallShapes().positive(), Tensors.smallShapes().between(-3.8, -3.2));
    }

    // 1/x has third derivative -6/x^4: at |x| = 0.1 the central difference's own truncation
    // error, (h/x)^2 of each term, exceeds 1e-6 once the projection cancels terms of size 100;
    // empty and scalar shapes included
    @Provide Arbitrary<Tensor> awayFromThePole() { return Tensors.smallShapesWithEmpty().awayFromZero(0.5, 5.0); }
    @Provide Arbitrary<Tensor> withEmpty() { return Tensors.smallShapesWithEmpty().awayFromZero(); }
}
