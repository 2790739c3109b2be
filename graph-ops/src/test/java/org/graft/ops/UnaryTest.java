package org.graft.ops;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.exp;
import static org.graft.ops.Ops.grad;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.log;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.neg;
import static org.graft.ops.Ops.reciprocal;
import static org.graft.ops.Ops.relu;
import static org.graft.ops.Ops.sigmoid;
import static org.graft.ops.Ops.sign;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.tanh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.UnaryOperator;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.check.GradCheck;
import org.graft.core.check.Tensors;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
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
        assertEquals(Math.log(2), value(Ops::softplus, 0), 0);
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

    // 1/x has third derivative -6/x^4: at |x| = 0.1 the central difference's own truncation
    // error, (h/x)^2 of each term, exceeds 1e-6 once the projection cancels terms of size 100;
    // empty and scalar shapes included
    @Provide Arbitrary<Tensor> awayFromThePole() { return Tensors.smallShapesWithEmpty().awayFromZero(0.5, 5.0); }
    @Provide Arbitrary<Tensor> withEmpty() { return Tensors.smallShapesWithEmpty().awayFromZero(); }
}
