package org.graft.core.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Grad;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.Param;
import org.graft.core.ShapeError;
import org.graft.core.Stochastic;
import org.graft.core.Type;
import org.graft.core.ops.Add;
import org.graft.core.ops.Broadcasting.BroadcastLike;
import org.graft.core.ops.Broadcasting.SumTo;
import org.graft.core.ops.FillLike;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

class GradCheckTest {

    // ---- deliberately wrong ops ------------------------------------------------------------------

    /** {@code 3x}, whose bprop claims the slope is 2. */
    record Triple() implements Op {
        public Type type(List<Type> in) { return in.get(0); }
        public Tensor fprop(List<Tensor> in) { return in.get(0).map(v -> 3 * v); }
        // wrong on purpose: d(3x)/dx = 3, not 2
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(add(gy, gy))); }
    }

    /** The identity, whose bprop adds {@code bias} to the gradient: wrong exactly where bias is not 0. */
    record OffBy(Tensor bias) implements Op {
        public Type type(List<Type> in) { return in.get(0); }
        public Tensor fprop(List<Tensor> in) { return in.get(0); }
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(add(gy, Constant.of(bias)))); }
    }

    /** {@code a + 2b}, whose bprop forgets the 2: right for the first input, wrong for the second. */
    record APlusTwoB() implements Op {
        public Type type(List<Type> in) { return Type.broadcast(in.get(0), in.get(1)); }
        public Tensor fprop(List<Tensor> in) { return in.get(0).add(in.get(1).map(v -> 2 * v)); }
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(gy), Grad.of(gy)); }
    }

    /** {@code c * x}, correct. */
    record Scale(double c) implements Op {
        public Type type(List<Type> in) { return in.get(0); }
        public Tensor fprop(List<Tensor> in) { return in.get(0).map(v -> c * v); }
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(Apply.of(new Scale(c), gy))); }
    }

    private static Node add(Node a, Node b) { return Apply.of(new Add(), a, b); }

    private static final Tensor X = Tensor.of(new double[] {0.5, -1, 2, 1.5, -0.25, 3}, 2, 3);

    /** The parts of an element-wise failure message: input, shape, element, symbolic, numeric, abs error, rel error, seed. */
    private static final Pattern ELEMENT_FAILURE = Pattern.compile(
            "gradient check failed for input (x\\d+) \\(shape (\\[[^]]*])\\) at element (\\[[^]]*]): "
                    + "symbolic (\\S+), numeric (\\S+), abs error (\\S+) > (\\S+), rel error (\\S+) > (\\S+) \\(seed (-?\\d+)\\)");

    private static Matcher elementFailure(Runnable check) {
        var e = assertThrows(AssertionError.class, check::run);
        Matcher m = ELEMENT_FAILURE.matcher(e.getMessage());
        assertTrue(m.matches(), e.getMessage());
        return m;
    }

    // ---- passes on correct ops ----------------------------------------------------------------

    @Example
    void addPassesWithAndWithoutBroadcasting() {
        GradCheck.of(GradCheckTest::add).at(X, X.map(v -> v * v)).assertClose();
        GradCheck.of(GradCheckTest::add).at(X, Tensor.vector(1, 2, 3)).assertClose();
        GradCheck.of(GradCheckTest::add).at(Tensor.of(new double[] {1, 2}, 2, 1), Tensor.vector(1, 2, 3)).assertClose();
        GradCheck.of(GradCheckTest::add).at(Tensor.scalar(2), X).assertClose();
    }

    // edge cases off: flatMapped arbitraries have thousands; the random shapes reach the corners
    @Property(tries = 100, seed = "601", edgeCases = EdgeCasesMode.NONE)
    void addPassesOnEveryBroadcastablePair(@ForAll("broadcastableTensors") List<Tensor> ab) {
        GradCheck.of(GradCheckTest::add).at(ab.get(0), ab.get(1)).assertClose();
    }

    @Example
    void broadcastToPasses() {
        GradCheck.of((v, like) -> Apply.of(new BroadcastLike(), v, like)).at(Tensor.vector(1, -2, 3), X).assertClose();
        GradCheck.of((v, like) -> Apply.of(new BroadcastLike(), v, like)).at(Tensor.scalar(4), X).assertClose();
    }

    @Example
    void sumToPasses() {
        GradCheck.of(v -> Apply.of(new SumTo(Type.f64(1, 3)), v)).at(X).assertClose();
        GradCheck.of(v -> Apply.of(new SumTo(Type.f64(3)), v)).at(X).assertClose();
        GradCheck.of(v -> Apply.of(new SumTo(Type.scalar(DType.F64)), v)).at(X).assertClose();
    }

    @Example
    void aGraphOfSeveralOpsPasses() {
        GradCheck.ofList(in -> Apply.of(new SumTo(Type.f64(2, 1)),
                        add(Apply.of(new Scale(-1.5), in.get(0)), add(in.get(1), in.get(2)))))
                .at(X, Tensor.vector(1, 2, 3), Tensor.of(new double[] {4, 5}, 2, 1)).assertClose();
    }

    @Example
    void aGradientThatIsRightlyZeroPasses() {
        GradCheck.of(v -> Apply.of(new FillLike(1), v)).at(X).assertClose();
    }

    @Example
    void emptyInputsAreSkipped() {
        GradCheck.of(v -> Apply.of(new Triple(), v)).at(Tensor.zeros(Shape.of(0, 3))).assertClose();
    }

    @Example
    void checkIsNullWhenTheGradientsAgree() {
        assertNull(GradCheck.of(v -> Apply.of(new Scale(3), v)).at(X).check());
    }

    // the difference quotient of a value near 1e8 carries ~1e8 eps / h = 2e-3 of rounding, far
    // above the absolute tolerance: the check allows for its own rounding
    @Example
    void aRightSlopeUnderALargeValuePassesDespiteTheRoundingOfTheDifference() {
        assertNull(GradCheck.of(v -> add(Constant.scalar(1e8), v)).at(X).check());
    }

    // ---- fails on wrong ops -----------------------------------------------------------------------

    @Example
    void aWrongSlopeFailsNamingTheInputTheElementBothValuesBothErrorsAndTheSeed() {
        Matcher m = elementFailure(() -> GradCheck.of(v -> Apply.of(new Triple(), v)).at(X).assertClose());
        assertEquals("x0", m.group(1));
        assertEquals("[2, 3]", m.group(2));
        assertTrue(m.group(3).matches("\\[[01], [012]]"), m.group(3));
        double symbolic = Double.parseDouble(m.group(4)), numeric = Double.parseDouble(m.group(5));
        assertEquals(2.0 / 3.0, symbolic / numeric, 1e-5);      // 2r against 3r for the projection's weight r
        assertEquals(Math.abs(symbolic - numeric), Double.parseDouble(m.group(6)), 1e-5);
        assertEquals(1e-7, Double.parseDouble(m.group(7)));
        assertEquals(1.0 / 3.0, Double.parseDouble(m.group(8)), 1e-5);
        assertEquals(1e-6, Double.parseDouble(m.group(9)));
        assertEquals("20260101", m.group(10));
    }

    @Example
    void theFailureIsNarrowedToTheWrongElement() {
        Tensor bias = Tensor.zeros(Shape.of(2, 3)).add(Tensor.of(new double[] {0, 0, 0, 0, 0, 1}, 2, 3));
        Matcher m = elementFailure(() -> GradCheck.of(v -> Apply.of(new OffBy(bias), v)).at(X).assertClose());
        assertEquals("x0", m.group(1));
        assertEquals("[1, 2]", m.group(3));
        double symbolic = Double.parseDouble(m.group(4)), numeric = Double.parseDouble(m.group(5));
        assertEquals(1.0, symbolic - numeric, 1e-5);
        assertTrue(numeric >= 0.5 && numeric < 1.5, m.group(5)); // the projection's weights are in [0.5, 1.5)
    }

    @Example
    void theFailingInputIsNamed() {
        Matcher m = elementFailure(() -> GradCheck.of((a, b) -> Apply.of(new APlusTwoB(), a, b))
                .at(X, Tensor.vector(1, 2, 3)).assertClose());
        assertEquals("x1", m.group(1));
        assertEquals("[3]", m.group(2));
        assertEquals(0.5, Double.parseDouble(m.group(4)) / Double.parseDouble(m.group(5)), 1e-5);
    }

    @Example
    void theSeedIsReportedAndMakesTheCheckReproducible() {
        var check = GradCheck.of(v -> Apply.of(new Triple(), v)).at(X).seed(7);
        String first = check.check();
        assertTrue(first.endsWith("(seed 7)"), first);
        assertEquals(first, check.check());
        assertEquals(first, GradCheck.of(v -> Apply.of(new Triple(), v)).seed(7).at(X).check());
    }

    @Example
    void aLargeInputIsReportedAlongADirection() {
        Tensor big = Tensor.full(Shape.of(65, 64), 0.5);            // 4160 elements: too many to scan one by one
        String failure = GradCheck.of(v -> Apply.of(new Triple(), v)).at(big).check();
        assertTrue(failure.startsWith("gradient check failed for input x0 (shape [65, 64]) along a random direction: symbolic "),
                failure);
        assertTrue(failure.contains(", abs error "), failure);
        assertTrue(failure.contains(", rel error "), failure);
        assertTrue(failure.endsWith("(seed 20260101)"), failure);
    }

    @Example
    void toleranceDecidesWhatIsClose() {
        // a bprop off by one part in 10^4: too far for the default relative tolerance of 1e-6
        record Nearly() implements Op {
            public Type type(List<Type> in) { return in.get(0); }
            public Tensor fprop(List<Tensor> in) { return in.get(0); }
            public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(Apply.of(new Scale(1.0001), gy))); }
        }
        assertThrows(AssertionError.class, () -> GradCheck.of(v -> Apply.of(new Nearly(), v)).at(X).assertClose());
        GradCheck.of(v -> Apply.of(new Nearly(), v)).at(X).tolerance(1e-9, 1e-3).assertClose();
        GradCheck.of(v -> Apply.of(new Nearly(), v)).at(X).tolerance(1e-3, 1e-9).assertClose();
    }

    @Example
    void aCheckWithoutAPointIsAnError() {
        var e = assertThrows(IllegalStateException.class, () -> GradCheck.of(v -> v).check());
        assertEquals("GradCheck: no point given; call at(...)", e.getMessage());
    }

    // ---- params of a scalar cost --------------------------------------------------------------------

    /** {@code x + u} for a fresh uniform sample {@code u}: the slope is 1 whatever is drawn. */
    record PlusNoise() implements Stochastic {
        public Type type(List<Type> in) { return in.get(0); }
        public Tensor sample(List<Tensor> in, RandomGenerator stream) {
            return in.get(0).map(v -> v + stream.nextDouble());
        }
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(gy)); }
    }

    private static Node total(Node v) { return Apply.of(new SumTo(Type.scalar(DType.F64)), v); }

    @Example
    void paramsAreCheckedOneByOneWithTheInputsFed() {
        var x = new Input("x", Type.f64(2, 3));
        var W = new Param("W", X);
        var b = new Param("b", Tensor.vector(1, -2, 3));
        // x + 2b with the 2 forgotten by bprop: W's gradient is right, b's is half the truth
        Node cost = total(add(Apply.of(new Scale(-1.5), W), Apply.of(new APlusTwoB(), x, b)));
        List<GradCheck.Comparison> result = GradCheck.params(cost, List.of(W, b), Map.of(x, X), 5);
        assertEquals(List.of("W", "b"), result.stream().map(GradCheck.Comparison::variable).toList());
        assertEquals(Shape.of(2, 3), result.get(0).shape());
        assertTrue(result.get(0).ok(), result.get(0).toString());
        assertFalse(result.get(1).ok(), result.get(1).toString());
        assertEquals(0.5, result.get(1).symbolic() / result.get(1).numeric(), 1e-6);
        assertEquals(Math.abs(result.get(1).symbolic() - result.get(1).numeric()), result.get(1).absError(), 1e-12);
        // relative to the terms |g_i d_i|, at least the symbolic value: half the truth is at most 0.5 off, and far from passing
        assertTrue(result.get(1).relError() > 0.25 && result.get(1).relError() <= 0.5 + 1e-9, result.get(1).toString());
    }

    @Example
    void paramsHaveTheirValuesBackAfterTheCheck() {
        var W = new Param("W", X);
        GradCheck.params(total(Apply.of(new Triple(), W)), List.of(W), Map.of(), 1);
        assertSame(X, W.value());
    }

    @Example
    void theSameSeedGivesTheSameComparisons() {
        var W = new Param("W", X);
        Node cost = total(Apply.of(new Triple(), W));
        assertEquals(GradCheck.params(cost, List.of(W), Map.of(), 9), GradCheck.params(cost, List.of(W), Map.of(), 9));
    }

    @Example
    void randomOpsDrawTheSameSamplesAtEveryEvaluation() {
        var W = new Param("W", X);
        // fresh noise at each evaluation would swamp the central difference by ~1/h = 1e5
        GradCheck.Comparison c = GradCheck.params(total(Apply.of(new PlusNoise(), W)), List.of(W), Map.of(), 3).get(0);
        assertTrue(c.ok(), c.toString());
    }

    @Example
    void aParamTheCostDoesNotReadHasGradientZero() {
        var W = new Param("W", X);
        var unused = new Param("unused", Tensor.vector(1, 2));
        GradCheck.Comparison c = GradCheck.params(total(W), List.of(W, unused), Map.of(), 3).get(1);
        assertEquals(new GradCheck.Comparison("unused", Shape.of(2), 0, 0, 0, 0, true), c);
    }

    @Example
    void anEmptyParamPasses() {
        var W = new Param("W", Tensor.zeros(Shape.of(0, 3)));
        assertTrue(GradCheck.params(total(Apply.of(new Triple(), W)), List.of(W), Map.of(), 3).get(0).ok());
    }

    @Example
    void aCostThatIsNotAScalarIsRefused() {
        var W = new Param("W", X);
        var e = assertThrows(ShapeError.class, () -> GradCheck.params(W, List.of(W), Map.of(), 3));
        assertEquals("gradient check: the cost must be a scalar, found W: [2, 3]", e.getMessage());
    }

    // ---- f32: checked in f64 -------------------------------------------------------------------------

    @Example
    void anF32PointIsCheckedInF64() {
        var seen = new java.util.ArrayList<Type>();
        GradCheck.of(x -> {
            seen.add(x.type());
            return Apply.of(new Scale(2.5), x);
        }).at(X.astype(DType.F32)).assertClose();
        assertEquals(List.of(Type.f64(2, 3)), seen);
        assertThrows(AssertionError.class, () -> GradCheck.of(x -> Apply.of(new Triple(), x)).at(X.astype(DType.F32)).assertClose());
    }

    @Example
    void anF32CostIsRefusedSayingToCheckItInF64() {
        var W = new Param("W", X.astype(DType.F32));
        Node cost = Apply.of(new SumTo(Type.scalar(DType.F32)), Apply.of(new Triple(), W));
        var e = assertThrows(IllegalArgumentException.class, () -> GradCheck.params(cost, List.of(W), Map.of(), 3));
        assertEquals("gradient checks run in f64, since finite differences in f32 are too coarse for their tolerances, "
                + "but the cost sum_to is f32[]: build it in f64 (a program compiled with the dtype option F64)", e.getMessage());
    }

    @Provide
    Arbitrary<List<Tensor>> broadcastableTensors() {
        return Tensors.broadcastablePairs().flatMap(p -> Combinators
                .combine(Tensors.withShape(p.get(0)).any(), Tensors.withShape(p.get(1)).any()).as(List::of));
    }
}
