package org.graft.ops;

import static org.graft.ops.Ops.elu;
import static org.graft.ops.Ops.gelu;
import static org.graft.ops.Ops.grad;
import static org.graft.ops.Ops.hardSigmoid;
import static org.graft.ops.Ops.hardTanh;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.leakyRelu;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.UnaryTest.slopeAt;
import static org.graft.ops.UnaryTest.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.function.UnaryOperator;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.GraftException;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.check.GradCheck;
import org.graft.core.check.Tensors;
import org.graft.core.runtime.Compiler;
import org.graft.core.tensor.Tensor;

class ActivationTest {

    /** Every activation, its parameters off their defaults where it has any. */
    private static final List<UnaryOperator<Node>> ALL = List.of(Ops::leakyRelu, x -> leakyRelu(x, 0.2), Ops::elu, x -> elu(x, 0.5),
            Ops::selu, Ops::gelu, x -> gelu(x, true), Ops::silu, Ops::softsign, Ops::hardSigmoid, Ops::hardTanh,
            x -> hardTanh(x, -2, 0.5), Ops::mish);

    /** The kinks are at 0 and at ±1, -2, 0.5 and ±3 (the bounds of hard_tanh and hard_sigmoid): these stay 0.1 away. */
    @Property(tries = 100)
    void everyActivationsGradientMatchesFiniteDifferencesAwayFromItsKinks(@ForAll("kinkFree") Tensor x) {
        for (UnaryOperator<Node> f : ALL) GradCheck.of(f).at(x).assertClose();
    }

    /** Where they are twice differentiable: everywhere for gelu, silu and mish, away from 0 for the others. */
    @Property(tries = 30)
    void theSmoothActivationsHaveCorrectSecondDerivatives(@ForAll("kinkFree") Tensor x) {
        for (UnaryOperator<Node> f : List.<UnaryOperator<Node>>of(Ops::elu, v -> elu(v, 0.5), Ops::selu, Ops::gelu,
                v -> gelu(v, true), Ops::silu, Ops::softsign, Ops::mish)) {
            GradCheck.of(v -> grad(sum(f.apply(v)), v)).at(x).assertClose();
        }
    }

    @Property(tries = 30)
    void geluSiluAndMishHaveCorrectSecondDerivativesAcrossZero(@ForAll("nearZero") Tensor x) {
        for (UnaryOperator<Node> f : List.<UnaryOperator<Node>>of(Ops::gelu, v -> gelu(v, true), Ops::silu, Ops::mish)) {
            GradCheck.of(v -> grad(sum(f.apply(v)), v)).at(x).assertClose();
        }
    }

    /** At a kink PyTorch's one-sided choice: the slope below for leaky_relu and elu, 0 at the bounds of the hard ones. */
    @Example
    void theSlopesAtTheKinksArePyTorchs() {
        assertEquals(0.01, slopeAt(Ops::leakyRelu, 0), 0);
        assertEquals(0.2, slopeAt(x -> leakyRelu(x, 0.2), 0), 0);
        assertEquals(0.5, slopeAt(x -> elu(x, 0.5), 0), 0);
        assertEquals(Activation.Selu.SCALE * Activation.Selu.ALPHA, slopeAt(Ops::selu, 0), 1e-15);
        for (double bound : new double[] {-3, 3}) assertEquals(0.0, slopeAt(Ops::hardSigmoid, bound), 0);
        assertEquals(1.0 / 6, slopeAt(Ops::hardSigmoid, 2.999), 0);
        for (double bound : new double[] {-1, 1}) assertEquals(0.0, slopeAt(Ops::hardTanh, bound), 0);
        assertEquals(1.0, slopeAt(Ops::hardTanh, 0.999), 0);
    }

    /** Values from mpmath at 50 digits, where PyTorch's 1 + erf, 1 + tanh and e^x - 1 round to 0 or lose digits. */
    @Example
    void theActivationsKeepTheirDigitsInTheNegativeTail() {
        assertEquals(-7.619853024160526e-23, value(Ops::gelu, -10), 1e-36);
        assertEquals(-1.2040923482098107e-37, value(x -> gelu(x, true), -10), 1e-50);
        assertEquals(-1e-300, value(Ops::elu, -1e-300), 0);
        assertEquals(-9.999999999500001e-11, value(Ops::elu, -1e-10), 1e-24);
        assertEquals(-7.618400096464814e-22, slopeAt(Ops::gelu, -10), 1e-35);
    }

    /** x f(x) is taken as its limit 0 at -inf, where f is 0 and ∞ · 0 would be NaN; softsign is ±1 at ±inf. */
    @Example
    void theValuesAtTheInfinitiesAreTheLimits() {
        Input x = input("x", 2);
        Tensor at = Tensor.vector(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
        for (UnaryOperator<Node> f : List.<UnaryOperator<Node>>of(Ops::gelu, v -> gelu(v, true), Ops::silu, Ops::mish)) {
            Tensor got = Compiler.compile(List.of(x), List.of(f.apply(x))).call(at).get(0);
            assertEquals(Tensor.vector(-0.0, Double.POSITIVE_INFINITY), got);
        }
        assertEquals(Tensor.vector(-1, 1), Compiler.compile(List.of(x), List.of(Ops.softsign(x))).call(at).get(0));
        assertEquals(-Activation.Selu.SCALE * Activation.Selu.ALPHA, value(Ops::selu, Double.NEGATIVE_INFINITY), 1e-15);
    }

    @Example
    void hardTanhRefusesBoundsTheWrongWayRound() {
        var e = assertThrows(GraftException.class, () -> hardTanh(input("x"), 1, -1));
        assertEquals("hard_tanh: min_val must not exceed max_val, found min_val 1 and max_val -1", e.getMessage());
        var nan = assertThrows(GraftException.class, () -> leakyRelu(input("x"), Double.NaN));
        assertEquals("leaky_relu: alpha must be a number, found NaN", nan.getMessage());
    }

    @Provide
    Arbitrary<Tensor> kinkFree() { return Tensors.smallShapes().between(-5.0, 5.0).map(t -> t.map(ActivationTest::awayFromKinks)); }

    private static final double[] KINKS = {0, 1, -1, -2, 0.5, 3, -3};

    /** v moved out to 0.1 from the nearest kink, if it is closer. */
    private static double awayFromKinks(double v) {
        for (double kink : KINKS) if (Math.abs(v - kink) < 0.1) return kink + Math.copySign(0.1, v - kink);
        return v;
    }

    @Provide
    Arbitrary<Tensor> nearZero() { return Tensors.smallShapes().between(-0.5, 0.5); }
}
