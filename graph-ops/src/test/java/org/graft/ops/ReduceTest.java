package org.graft.ops;

import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.logsumexp;
import static org.graft.ops.Ops.max;
import static org.graft.ops.Ops.mean;
import static org.graft.ops.Ops.min;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.ShapeError;
import org.graft.core.Type;
import org.graft.core.check.GradCheck;
import org.graft.core.check.Tensors;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

class ReduceTest {

    /** A tensor of rank 1 or more, an axis of it (possibly negative), and keepdims. */
    record Case(Tensor x, int axis, boolean keepdims) {}

    @Property(tries = 100)
    void sumGradientMatchesFiniteDifferences(@ForAll("axisCases") Case c) {
        GradCheck.of(x -> sum(x, c.axis(), c.keepdims())).at(c.x()).assertClose();
        GradCheck.of(x -> sum(x)).at(c.x()).assertClose();
    }

    @Property(tries = 100)
    void meanGradientMatchesFiniteDifferences(@ForAll("axisCases") Case c) {
        GradCheck.of(x -> mean(x, c.axis(), c.keepdims())).at(c.x()).assertClose();
        GradCheck.of(x -> mean(x)).at(c.x()).assertClose();
    }

    @Property(tries = 100)
    void maxAndMinGradientsMatchFiniteDifferencesForDistinctElements(@ForAll("distinctAxisCases") Case c) {
        GradCheck.of(x -> max(x, c.axis(), c.keepdims())).at(c.x()).assertClose();
        GradCheck.of(x -> min(x, c.axis(), c.keepdims())).at(c.x()).assertClose();
        GradCheck.of(x -> max(x)).at(c.x()).assertClose();
    }

    @Property(tries = 100)
    void logsumexpGradientMatchesFiniteDifferences(@ForAll("axisCases") Case c) {
        GradCheck.of(x -> logsumexp(x, c.axis(), c.keepdims())).at(c.x()).assertClose();
        GradCheck.of(x -> logsumexp(x)).at(c.x()).assertClose();
    }

    @Property(tries = 50)
    void logsumexpHasCorrectSecondDerivatives(@ForAll("axisCases") Case c) {
        GradCheck.of(x -> GradTable.grad(sum(logsumexp(x, c.axis(), c.keepdims())), x)).at(c.x()).assertClose();
    }

    @Property(tries = 50)
    void reductionsHaveCorrectSecondDerivatives(@ForAll("axisCases") Case c) {
        GradCheck.of(x -> GradTable.grad(sum(square(mean(x, c.axis(), c.keepdims()))), x)).at(c.x()).assertClose();
    }

    @Property(tries = 50)
    void sumOverAnEmptyAxisIsZeroWithAGradient(@ForAll("emptyCases") Tensor x) {
        GradCheck.of(v -> sum(v, 0, false)).at(x).assertClose();
        Input in = new Input("x", Type.of(x));
        Tensor s = Compiler.compile(List.of(in), List.of(sum(in))).call(x).get(0);
        assertEquals(0.0, s.item());
    }

    @Property(tries = 30)
    void everyReductionDifferentiatesAnEmptyTensor(@ForAll("emptyCases") Tensor x) {
        for (int axis = 0; axis < x.rank(); axis++) {
            final int a = axis;
            GradCheck.of(v -> mean(v, a)).at(x).assertClose();
            GradCheck.of(v -> max(v, a, true)).at(x).assertClose();
            GradCheck.of(v -> min(v, a)).at(x).assertClose();
            GradCheck.of(v -> logsumexp(v, a)).at(x).assertClose();
        }
    }

    @Example
    void meanOverASymbolicBatchDividesByTheFedSize() {
        Input x = input("x", "n", 2);
        Node m = mean(x, 0);
        Node dx = GradTable.grad(sum(m), x);       // d/dx_ij mean_i x_ij = 1/n
        var f = Compiler.compile(List.of(x), List.of(m, dx));
        for (int n : new int[] {1, 4}) {
            List<Tensor> out = f.call(Tensor.full(Shape.of(n, 2), 3.0));
            assertEquals(Tensor.vector(3, 3), out.get(0));
            assertEquals(Tensor.full(Shape.of(n, 2), 1.0 / n), out.get(1));
        }
    }

    @Example
    void maxSplitsTheGradientEvenlyAmongTies() {
        Input x = input("x", 2, 3);
        var f = Compiler.compile(List.of(x), List.of(max(x, 1), GradTable.grad(sum(max(x, 1)), x),
                GradTable.grad(min(x), x)));
        List<Tensor> out = f.call(Tensor.matrix(new double[] {1, 3, 3}, new double[] {-1, 5, 0}));
        assertEquals(Tensor.vector(3, 5), out.get(0));
        assertEquals(Tensor.matrix(new double[] {0, 0.5, 0.5}, new double[] {0, 1, 0}), out.get(1));
        assertEquals(Tensor.matrix(new double[] {0, 0, 0}, new double[] {1, 0, 0}), out.get(2));
    }

    @Example
    void logsumexpIsExactForInputsAThousandApart() {
        Input x = input("x", 2, 2);
        Node y = logsumexp(x, -1);
        var f = Compiler.compile(List.of(x), List.of(y, GradTable.grad(sum(y), x)));
        List<Tensor> out = f.call(Tensor.matrix(new double[] {1000, 1000}, new double[] {-1000, 0}));
        assertEquals(Tensor.vector(1000 + Math.log(2), 0), out.get(0));
        assertTrue(Tensor.matrix(new double[] {0.5, 0.5}, new double[] {0, 1}).allClose(out.get(1), 0, 1e-16)); // the softmax
    }

    @Example
    void emptyAndInfiniteRowsGiveTheIdentityOfEachReduction() {
        Input e = input("e", 2, 0);
        var f = Compiler.compile(List.of(e), List.of(max(e, 1), min(e, 1), logsumexp(e, 1)));
        List<Tensor> out = f.call(Tensor.zeros(Shape.of(2, 0)));
        assertEquals(Tensor.full(Shape.of(2), Double.NEGATIVE_INFINITY), out.get(0));
        assertEquals(Tensor.full(Shape.of(2), Double.POSITIVE_INFINITY), out.get(1));
        assertEquals(Tensor.full(Shape.of(2), Double.NEGATIVE_INFINITY), out.get(2));
        Input x = input("x", 3);
        var g = Compiler.compile(List.of(x), List.of(logsumexp(x)));
        double inf = Double.POSITIVE_INFINITY;
        assertEquals(Tensor.scalar(-inf), g.call(Tensor.vector(-inf, -inf, -inf)).get(0));
        assertEquals(Tensor.scalar(inf), g.call(Tensor.vector(-inf, 1, inf)).get(0));
        assertEquals(Tensor.scalar(2), g.call(Tensor.vector(-inf, 2, -inf)).get(0));
    }

    @Example
    void keepdimsKeepsTheReducedAxisWithSizeOne() {
        Input x = input("x", "n", 3, 4);
        assertEquals(Type.f64("n", 1, 4), sum(x, 1, true).type());
        assertEquals(Type.f64("n", 4), sum(x, -2, false).type());
        assertEquals(Type.f64(), mean(x).type());
        assertEquals(Type.f64(3, 4), mul(mean(x, 0), sum(x, 0)).type());
    }

    @Example
    void anAxisOutOfRangeIsAShapeErrorNamingTheRank() {
        Input x = input("x", 2, 3);
        assertEquals("sum(x): axis 2 is out of range for [2, 3] (rank 2)",
                assertThrows(ShapeError.class, () -> sum(x, 2)).getMessage());
        assertEquals("max(x): axis 1 is repeated in [1, -1]",
                assertThrows(ShapeError.class, () -> max(x, new int[] {1, -1}, false)).getMessage());
        assertEquals("logsumexp(x): axis -3 is out of range for [2, 3] (rank 2)",
                assertThrows(ShapeError.class, () -> logsumexp(x, -3)).getMessage());
    }

    @Provide
    Arbitrary<Case> axisCases() {
        return Tensors.shapes(3, 1, 4).filter(s -> s.rank() > 0).flatMap(s -> Tensors.withShape(s).any().flatMap(
                x -> Arbitraries.integers().between(-s.rank(), s.rank() - 1).flatMap(
                        axis -> Arbitraries.of(true, false).map(k -> new Case(x, axis, k)))));
    }

    /** Like {@link #axisCases()}, with elements at least 0.05 apart: no step of a finite difference crosses a tie. */
    @Provide
    Arbitrary<Case> distinctAxisCases() {
        return Tensors.shapes(3, 1, 4).filter(s -> s.rank() > 0).flatMap(s -> Arbitraries.shuffle(
                IntStream.range(0, s.size()).mapToObj(i -> i * 0.05 - 1).toList()).flatMap(values -> {
                    Tensor x = Tensor.of(s, values.stream().mapToDouble(Double::doubleValue).toArray());
                    return Arbitraries.integers().between(-s.rank(), s.rank() - 1).flatMap(
                            axis -> Arbitraries.of(true, false).map(k -> new Case(x, axis, k)));
                }));
    }

    @Provide
    Arbitrary<Tensor> emptyCases() {
        return Tensors.withShapes(Tensors.shapes(3, 0, 3).filter(s -> s.rank() > 0 && s.dim(0) == 0)).any();
    }
}
