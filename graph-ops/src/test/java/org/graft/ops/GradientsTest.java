package org.graft.ops;

import static org.graft.ops.Ops.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Type;
import org.graft.core.check.GradCheck;
import org.graft.core.check.Tensors;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * grad_clip and grad_scale: the identity on values, and a gradient that is the true one clipped
 * or scaled. Their gradients are not the derivative of their values on purpose, so the
 * properties compare them with the true gradient of the same graph without them, clipped or
 * scaled, and check against finite differences where the two agree (bounds that never bind, a
 * scale of 1) and a second-order gradient through them.
 */
class GradientsTest {

    @Property(tries = 100)
    void gradClipPassesTheTrueGradientClipped(@ForAll("points") Tensor x, @ForAll("bounds") double[] bounds) {
        // d/dx sum(r * grad_clip(x³)) = 3x² clip(r, lo, hi), against d/dx sum(clip(r) * x³)
        Input in = new Input("x", Type.of(x));
        Tensor r = x.map(v -> 2 * Math.sin(3 * v));
        Node clipped = grad(sum(mul(constant(r), gradClip(mul(square(in), in), bounds[0], bounds[1]))), in);
        Node truth = grad(sum(mul(constant(r.map(v -> Math.min(Math.max(v, bounds[0]), bounds[1]))), mul(square(in), in))), in);
        List<Tensor> out = Compiler.compile(List.of(in), List.of(clipped, truth), Options.NONE).call(x);
        assertEquals(out.get(1), out.get(0));
    }

    @Property(tries = 100)
    void gradScalePassesTheTrueGradientScaled(@ForAll("points") Tensor x, @ForAll("scales") double s) {
        Input in = new Input("x", Type.of(x));
        Node scaled = grad(sum(sin(gradScale(exp(in), s))), in);
        Node truth = mul(grad(sum(sin(exp(in))), in), s);
        List<Tensor> out = Compiler.compile(List.of(in), List.of(scaled, truth), Options.NONE).call(x);
        // the same factors multiplied in another order: equal to rounding
        assertTrue(out.get(0).allClose(out.get(1), 1e-15, 0), () -> out.get(0) + " and " + out.get(1));
    }

    @Property(tries = 100)
    void whereTheyChangeNothingTheirGradientsMatchFiniteDifferences(@ForAll("points") Tensor x) {
        GradCheck.of(v -> gradClip(tanh(v), -1e6, 1e6)).at(x).assertClose();
        GradCheck.of(v -> gradScale(tanh(v), 1)).at(x).assertClose();
        // second order: the gradient through them differentiates again
        GradCheck.of(v -> GradTable.grad(sum(square(gradScale(tanh(v), 1))), v)).at(x).assertClose();
    }

    @Example
    void theyAreTheIdentityOnValues() {
        Input x = input("x", 2, 2);
        Tensor v = Tensor.matrix(new double[] {1, -7}, new double[] {0.5, 1e9});
        List<Tensor> out = Compiler.compile(List.of(x), List.of(gradClip(x, -1, 1), gradScale(x, -3))).call(v);
        assertEquals(List.of(v, v), out);
    }

    @Example
    void theyAndTheirGradientsRunOnKernelsInEitherDtype() {
        for (var dtype : List.of(org.graft.core.tensor.DType.F64, org.graft.core.tensor.DType.F32)) {
            Input x = new Input("x", Type.of(dtype, 3));
            Node y = gradScale(gradClip(square(x), -1, 1), 2);
            var f = Compiler.compile(List.of(x), List.of(y, grad(sum(y), x)));
            f.run(Tensor.vector(1, -2, 3).astype(dtype));
            assertEquals(List.of(), f.fallbacks(), dtype.toString());
        }
    }

    @Example
    void gradScaleOfMinusOneReversesTheGradient() {
        // a gradient reversal layer: descent on what follows is ascent on what comes before
        Input x = input("x", 3);
        Node g = grad(sum(square(gradScale(x, -1))), x);
        assertEquals(Tensor.vector(-2, 4, -6), Compiler.compile(List.of(x), List.of(g)).call(Tensor.vector(1, -2, 3)).get(0));
    }

    @Example
    void boundsOutOfOrderAndAScaleThatIsNotFiniteAreRefused() {
        Input x = input("x", 3);
        assertEquals("grad_clip: lo must not exceed hi, found lo 1, hi -1",
                assertThrows(IllegalArgumentException.class, () -> gradClip(x, 1, -1)).getMessage());
        assertEquals("grad_clip: lo must not exceed hi, found lo NaN, hi 1",
                assertThrows(IllegalArgumentException.class, () -> gradClip(x, Double.NaN, 1)).getMessage());
        assertEquals("grad_scale: s must be finite, found Infinity",
                assertThrows(IllegalArgumentException.class, () -> gradScale(x, Double.POSITIVE_INFINITY)).getMessage());
    }

    @Example
    void aScalarAndAnEmptyTensorPassThrough() {
        Input s = input("s"), e = input("e", 0, 3);
        List<Tensor> out = Compiler.compile(List.of(s, e), List.of(gradClip(s, 0, 0), gradScale(e, 2))).call(Tensor.scalar(4),
                Tensor.zeros(Shape.of(0, 3)));
        assertEquals(List.of(Tensor.scalar(4), Tensor.zeros(Shape.of(0, 3))), out);
    }

    @Provide
    Arbitrary<Tensor> points() { return Tensors.smallShapes().between(-2, 2); }

    @Provide
    Arbitrary<double[]> bounds() {
        var bound = Arbitraries.doubles().between(-3, 3);
        return Combinators.combine(bound, bound).as((a, b) -> new double[] {Math.min(a, b), Math.max(a, b)});
    }

    @Provide
    Arbitrary<Double> scales() { return Arbitraries.doubles().between(-4, 4); }
}
