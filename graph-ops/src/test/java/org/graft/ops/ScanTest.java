package org.graft.ops;

import static org.graft.ops.OpRuns.assertKernelsMatchReference;
import static org.graft.ops.OpRuns.gradientOfSum;
import static org.graft.ops.OpRuns.value;
import static org.graft.ops.Ops.cumprod;
import static org.graft.ops.Ops.cumsum;
import static org.graft.ops.Ops.grad;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.Apply;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.ShapeError;
import org.graft.core.Type;
import org.graft.core.check.GradCheck;
import org.graft.core.check.Tensors;
import org.graft.core.runtime.Compiler;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/** cumsum, cumprod and the linear recurrence of their gradients. */
class ScanTest {

    /** A tensor of rank 1 or more, some of its elements 0 some of the time, and an axis (maybe negative). */
    record Case(Tensor x, int axis) {}

    @Property(tries = 150)
    void cumsumGradientMatchesFiniteDifferencesInBothDirections(@ForAll("cases") Case c) {
        GradCheck.of(x -> cumsum(x, c.axis())).at(c.x()).assertClose();
        GradCheck.of(x -> Apply.of(new Scan.Cumsum(c.axis(), true), x)).at(c.x()).assertClose();
    }

    // zeros are where a gradient computed as y / x breaks; these have one, several or none in a lane
    @Property(tries = 200)
    void cumprodGradientMatchesFiniteDifferencesWithZerosToo(@ForAll("cases") Case c) {
        GradCheck.of(x -> cumprod(x, c.axis())).at(c.x()).assertClose();
    }

    @Property(tries = 150)
    void theRecurrenceGradientMatchesFiniteDifferencesInBothDirections(@ForAll("pairs") List<Tensor> ab, @ForAll boolean reverse) {
        GradCheck.of((a, b) -> Apply.of(new Scan.Recurrence(-1, reverse), a, b)).at(ab.get(0), ab.get(1)).assertClose();
    }

    @Property(tries = 100)
    void theScansHaveCorrectSecondDerivatives(@ForAll("cases") Case c) {
        for (UnaryOperator<Node> f : List.<UnaryOperator<Node>>of(x -> cumsum(x, c.axis()), x -> cumprod(x, c.axis()))) {
            GradCheck.of(x -> grad(cube(f.apply(x)), x)).at(c.x()).assertClose();
        }
    }

    @Property(tries = 100)
    void theRecurrenceHasCorrectSecondDerivatives(@ForAll("pairs") List<Tensor> ab, @ForAll boolean reverse) {
        GradCheck.of((a, b) -> grad(cube(Apply.of(new Scan.Recurrence(0, reverse), a, b)), a)).at(ab.get(0), ab.get(1)).assertClose();
        GradCheck.of((a, b) -> grad(cube(Apply.of(new Scan.Recurrence(0, reverse), a, b)), b)).at(ab.get(0), ab.get(1)).assertClose();
    }

    @Property(tries = 100)
    void theKernelsComputeWhatTheReferenceComputes(@ForAll("cases") Case c, @ForAll("pairs") List<Tensor> ab) {
        assertKernelsMatchReference(in -> cumsum(in.get(0), c.axis()), c.x());
        assertKernelsMatchReference(in -> cumprod(in.get(0), c.axis()), c.x());
        assertKernelsMatchReference(in -> Apply.of(new Scan.Recurrence(0, true), in.get(0), in.get(1)), ab.get(0), ab.get(1));
    }

    @Example
    void cumsumAndCumprodRunAlongTheAxisOrOverEveryElement() {
        Tensor m = Tensor.matrix(new double[] {1, 2, 3}, new double[] {4, 5, 6});
        assertEquals(Tensor.matrix(new double[] {1, 3, 6}, new double[] {4, 9, 15}), value(x -> cumsum(x, 1), m));
        assertEquals(Tensor.matrix(new double[] {1, 2, 3}, new double[] {5, 7, 9}), value(x -> cumsum(x, 0), m));
        assertEquals(Tensor.vector(1, 3, 6, 10, 15, 21), value(Ops::cumsum, m));
        assertEquals(Tensor.matrix(new double[] {1, 2, 6}, new double[] {4, 20, 120}), value(x -> cumprod(x, -1), m));
        assertEquals(Tensor.vector(1, 2, 6, 24, 120, 720), value(Ops::cumprod, m));
        assertEquals(Tensor.vector(6, 5, 3), value(x -> Apply.of(new Scan.Cumsum(0, true), x), Tensor.vector(1, 2, 3)));
        assertEquals(Tensor.vector(4), value(Ops::cumsum, Tensor.scalar(4)));
        assertEquals(Tensor.of(new double[0], 2, 0), value(x -> cumprod(x, 1), Tensor.of(new double[0], 2, 0)));
    }

    @Example
    void cumprodsGradientIsExactWithOneZeroAndWithSeveral() {
        // y = [2, 0, 0, 0, 0]; d sum(y)/dx_0 = 1 + x_1 + ... = 1, d/dx_1 = x_0 (1 + x_2 + x_2 x_3 + ...) = 2 (1 + 3) = 8,
        // and every later element is multiplied by x_1 = 0 in each term it appears in
        assertEquals(Tensor.vector(1, 8, 0, 0, 0), gradientOfSum(x -> cumprod(x, 0), Tensor.vector(2, 0, 3, 0, 5)));
        // one zero: x_2's terms are x_0 x_1 (1 + x_3) = 2 * 3 * 5 = 30
        assertEquals(Tensor.vector(1 + 3 + 0, 2 + 0, 30, 0), gradientOfSum(x -> cumprod(x, 0), Tensor.vector(2, 3, 0, 4)));
        // all zeros: only the first term of d/dx_0 = 1 + x_1 + x_1 x_2 survives
        assertEquals(Tensor.vector(1, 0, 0), gradientOfSum(x -> cumprod(x, 0), Tensor.vector(0, 0, 0)));
    }

    @Example
    void theRecurrenceRunsForwardAndAsItsTranspose() {
        Tensor a = Tensor.vector(7, 2, 3), b = Tensor.vector(1, 1, 1);
        // forward: s_0 = 1, s_1 = 2 * 1 + 1 = 3, s_2 = 3 * 3 + 1 = 10 (a_0 is not read)
        assertEquals(Tensor.vector(1, 3, 10), apply2(new Scan.Recurrence(0, false), a, b));
        // reverse: s_2 = 1, s_1 = a_2 s_2 + 1 = 4, s_0 = a_1 s_1 + 1 = 9 (a_0 is not read)
        assertEquals(Tensor.vector(9, 4, 1), apply2(new Scan.Recurrence(0, true), a, b));
        assertEquals(Tensor.vector(1, 3, 10), apply2(new Scan.Recurrence(0, false), Tensor.vector(Double.POSITIVE_INFINITY, 2, 3), b));
    }

    @Example
    void aSymbolicAxisIsScannedForEverySizeFed() {
        Input x = input("x", "n", 2);
        Node y = cumprod(x, 0), dx = grad(sum(y), x);
        var f = Compiler.compile(List.of(x), List.of(y, dx));
        for (int n : new int[] {1, 3}) {
            Tensor v = Tensor.uniform(Shape.of(n, 2), -1, 1, new SplittableRandom(n));
            List<Tensor> out = f.call(v);
            assertEquals(((Apply) y).op().fprop(List.of(v)), out.get(0));
            assertEquals(n, out.get(1).shape().dim(0));
        }
    }

    @Example
    void shapesThatDoNotFitAreRefused() {
        Input x = input("x", "n", 3), a = input("a", 3), b = input("b", 4);
        assertEquals("cumsum: without an axis x is flattened, which needs concrete dims, found [n, 3]",
                assertThrows(ShapeError.class, () -> cumsum(x)).getMessage());
        assertEquals("cumprod(a): axis 1 is out of range for [3] (rank 1)", assertThrows(ShapeError.class, () -> cumprod(a, 1)).getMessage());
        assertEquals("recurrence(a, b): the operands' types differ: [3] and [4]",
                assertThrows(ShapeError.class, () -> Apply.of(new Scan.Recurrence(0, false), a, b)).getMessage());
    }

    // ---- cases and helpers -----------------------------------------------------------------------

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Double> element = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.doubles().between(-2, 2).ofScale(6)), net.jqwik.api.Tuple.of(1, Arbitraries.just(0.0)));
        return Tensors.shapes(3, 0, 4).filter(s -> s.rank() > 0).flatMap(shape -> Combinators.combine(
                element.list().ofSize(shape.size()), Arbitraries.integers().between(-shape.rank(), shape.rank() - 1))
                .as((values, axis) -> new Case(Tensor.of(shape, values.stream().mapToDouble(Double::doubleValue).toArray()), axis)));
    }

    @Provide
    Arbitrary<List<Tensor>> pairs() {
        return Tensors.shapes(2, 1, 4).filter(s -> s.rank() > 0)
                .flatMap(s -> Combinators.combine(Tensors.withShape(s).between(-2, 2), Tensors.withShape(s).between(-2, 2)).as(List::of));
    }

    /** sum(y³): a cost whose second derivative depends on y. */
    private static Node cube(Node y) { return sum(mul(y, square(y))); }

    private static Tensor apply2(Scan op, Tensor a, Tensor b) {
        Input x = new Input("a", Type.of(a)), y = new Input("b", Type.of(b));
        return Compiler.compile(List.of(x, y), List.of(Apply.of(op, x, y))).call(a, b).get(0);
    }
}
