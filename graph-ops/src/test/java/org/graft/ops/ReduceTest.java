package org.graft.ops;

import static org.graft.ops.Ops.argmax;
import static org.graft.ops.Ops.argmin;
import static org.graft.ops.Ops.equal;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.logsumexp;
import static org.graft.ops.Ops.max;
import static org.graft.ops.Ops.mean;
import static org.graft.ops.Ops.min;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.oneHot;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.GraftException;
import org.graft.core.Apply;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.ShapeError;
import org.graft.core.Type;
import org.graft.core.check.GradCheck;
import org.graft.core.check.Tensors;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
import org.graft.core.tensor.DType;
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

    /**
     * The compiled kernels of max, min, logsumexp, argmax and argmin compute what their fprop
     * does, NaN (set at the first element) and all; the cases hold ties, as they hold repeats.
     */
    @Property(tries = 50)
    void reductionKernelsAgreeWithTheirDefinition(@ForAll("axisCases") Case c, @ForAll boolean withNaN) {
        Tensor x = withNaN && c.x().size() > 0 ? Tensor.of(c.x().shape(), nanFirst(c.x().toArray())) : c.x();
        Input in = new Input("x", Type.of(x));
        var outs = new ArrayList<Node>(List.of(max(in, c.axis(), c.keepdims()), min(in, c.axis(), c.keepdims()), max(in), min(in),
                logsumexp(in, c.axis()), logsumexp(in)));
        if (x.shape().dim(Math.floorMod(c.axis(), x.rank())) > 0) {
            outs.addAll(List.of(argmax(in, c.axis(), c.keepdims()), argmin(in, c.axis(), c.keepdims())));
            if (x.size() > 0) outs.addAll(List.of(argmax(in), argmin(in)));
        }
        List<Tensor> got = Compiler.compile(List.of(in), outs).call(x);
        for (int i = 0; i < outs.size(); i++) {
            Apply a = (Apply) outs.get(i);
            assertEquals(a.op().fprop(List.of(x)), got.get(i), a.toString());
        }
    }

    private static double[] nanFirst(double[] v) {
        v[0] = Double.NaN;
        return v;
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

    // ---- argmax and argmin ------------------------------------------------------------------

    @Example
    void argmaxAndArgminGiveNumPysIndices() {
        Input x = input("x", 2, 3);
        var f = Compiler.compile(List.of(x), List.of(argmax(x), argmax(x, 0), argmax(x, 1), argmin(x), argmin(x, 0), argmin(x, -1)));
        List<Tensor> out = f.call(Tensor.matrix(new double[] {3, 1, 4}, new double[] {1, 5, 9}));
        assertEquals(Tensor.scalar(5), out.get(0));            // the flat index of 9
        assertEquals(Tensor.vector(0, 1, 1), out.get(1));
        assertEquals(Tensor.vector(2, 2), out.get(2));
        assertEquals(Tensor.scalar(1), out.get(3));            // the first of the two 1s
        assertEquals(Tensor.vector(1, 0, 0), out.get(4));
        assertEquals(Tensor.vector(1, 0), out.get(5));
    }

    @Example
    void tiesGoToTheFirstIndex() {
        Input v = input("v", 4);
        var f = Compiler.compile(List.of(v), List.of(argmax(v), argmin(v)));
        List<Tensor> out = f.call(Tensor.vector(2, 7, 7, 1));
        assertEquals(Tensor.scalar(1), out.get(0));
        assertEquals(Tensor.scalar(3), out.get(1));
        assertEquals(List.of(Tensor.scalar(0), Tensor.scalar(0)), f.call(Tensor.vector(4, 4, 4, 4)));
    }

    @Example
    void theFirstNanWinsAsInNumPy() {
        double nan = Double.NaN;
        Input v = input("v", 3), m = input("m", 3, 3);
        var f = Compiler.compile(List.of(v, m), List.of(argmax(v), argmin(v), argmax(m, 1), argmin(m, 0)));
        List<Tensor> out = f.call(Tensor.vector(1, nan, 3),
                Tensor.matrix(new double[] {1, nan, nan}, new double[] {nan, 2, 3}, new double[] {4, 5, 4}));
        assertEquals(Tensor.scalar(1), out.get(0));
        assertEquals(Tensor.scalar(1), out.get(1));
        assertEquals(Tensor.vector(1, 0, 1), out.get(2));
        assertEquals(Tensor.vector(1, 0, 0), out.get(3));
    }

    @Example
    void keepdimsAndNegativeAxesShapeTheIndicesAsTheOtherReductions() {
        Input x = input("x", 2, 3, 4);
        assertEquals(Type.f64(2, 1, 4), argmax(x, -2, true).type());
        assertEquals(Type.f64(2, 3), argmin(x, -1).type());
        assertEquals(Type.f64(), argmax(x).type());
        assertEquals(Type.f64(1, 1, 1), argmax(x, new int[] {0, 1, 2}, true).type());
        var f = Compiler.compile(List.of(x), List.of(argmax(x, -2, true), argmax(x, new int[] {0, 1, 2}, true), argmax(x)));
        double[] values = IntStream.range(0, 24).mapToDouble(i -> i % 5).toArray();
        List<Tensor> out = f.call(Tensor.of(values, 2, 3, 4));
        assertEquals(Tensor.of(new double[] {1, 2, 0, 0, 0, 0, 0, 1}, 2, 1, 4), out.get(0));
        assertEquals(Tensor.of(new double[] {4}, 1, 1, 1), out.get(1));
        assertEquals(Tensor.scalar(4), out.get(2));
    }

    @Example
    void positionsAreWholeNumbersInTheDtypeOfWhatTheyIndexExactInF32UpTo2To24() {
        Input x = new Input("x", Type.of(DType.F32, 2, "n"));
        assertEquals(Type.of(DType.F32, 2), argmax(x, 1).type());
        assertEquals(Type.of(DType.F32, "n"), argmin(x, 0).type());
        var f = Compiler.compile(List.of(x), List.of(argmax(x, 1)));
        assertEquals(Tensor.vector(2, 0).astype(DType.F32), f.call(Tensor.of(new double[] {1, 2, 3, 3, 2, 1}, 2, 3).astype(DType.F32)).get(0));
        // 2^24 + 1 positions: 16777217 would round to 16777216 in f32
        var e = assertThrows(ShapeError.class, () -> argmax(new Input("big", Type.of(DType.F32, 1 << 24 | 1))));
        assertEquals("argmax(big): argmax of an f32 value over 16777217 positions: f32 holds whole numbers exactly only up to "
                + "2^24 = 16777216; take it of the value in f64", e.detail());
        assertEquals(Type.of(DType.F32), argmax(new Input("fits", Type.of(DType.F32, 1 << 24))).type());
    }

    @Example
    void aScalarHasIndexZero() {
        Input s = input("s");
        assertEquals(List.of(Tensor.scalar(0), Tensor.scalar(0)),
                Compiler.compile(List.of(s), List.of(argmax(s), argmin(s))).call(Tensor.scalar(-3)));
    }

    @Example
    void anEmptyAxisIsAShapeErrorWhenItsSizeIsKnown() {
        Input e = input("e", 2, 0);
        assertEquals("argmax(e): attempt to get argmax of an empty sequence: axis 1 of [2, 0] has size 0",
                assertThrows(ShapeError.class, () -> argmax(e, 1)).getMessage());
        assertEquals("argmin(e): attempt to get argmin of an empty sequence: axis 1 of [2, 0] has size 0",
                assertThrows(ShapeError.class, () -> argmin(e)).getMessage());
        // along a non-empty axis there are no rows, so no indices: that is fine, as in NumPy
        Node rows = argmax(e, 0);
        assertEquals(Tensor.zeros(Shape.of(0)), Compiler.compile(List.of(e), List.of(rows)).call(Tensor.zeros(Shape.of(2, 0))).get(0));
    }

    @Example
    void anEmptyAxisOfSymbolicSizeIsAnErrorWhenTheValuesAreFed() {
        Input x = input("x", "n", 3);
        var f = Compiler.compile(List.of(x), List.of(argmax(x, 0)));
        assertEquals(Tensor.vector(1, 0, 0), f.call(Tensor.matrix(new double[] {0, 1, 1}, new double[] {1, 0, 0})).get(0));
        var e = assertThrows(GraftException.class, () -> f.call(Tensor.zeros(Shape.of(0, 3))));
        assertEquals("argmax(x): attempt to get argmax of an empty sequence: axis 0 of [0, 3] has size 0", e.getMessage());
    }

    @Property(tries = 100)
    void oneHotOfTheArgmaxPicksAMaximalElementOfEachRow(@ForAll("rowsWithTies") Tensor x) {
        int k = x.shape().dim(-1);
        Input in = new Input("x", Type.of(x));
        Node picked = sum(mul(oneHot(argmax(in, -1), k), in), -1);
        Node lowest = sum(mul(oneHot(argmin(in, -1), k), in), -1);
        Node ones = sum(oneHot(argmax(in, -1), k), -1);
        List<Tensor> out = Compiler.compile(List.of(in), List.of(picked, max(in, -1), lowest, min(in, -1), ones)).call(x);
        assertEquals(out.get(1), out.get(0));
        assertEquals(out.get(3), out.get(2));
        assertEquals(Tensor.ones(out.get(4).shape()), out.get(4));   // whole numbers in [0, k): one 1 per row
    }

    @Property(tries = 50)
    void theFlatIndexAddressesTheLargestElement(@ForAll("rowsWithTies") Tensor x) {
        Input in = new Input("x", Type.of(x));
        List<Tensor> out = Compiler.compile(List.of(in), List.of(argmax(in), max(in), argmin(in), min(in))).call(x);
        assertEquals(out.get(1).item(), x.getFlat((int) out.get(0).item()));
        assertEquals(out.get(3).item(), x.getFlat((int) out.get(2).item()));
    }

    @Property(tries = 50)
    void theGradientThroughArgmaxIsZero(@ForAll("rowsWithTies") Tensor x) {
        int k = x.shape().dim(-1);
        Input in = new Input("x", Type.of(x));
        Node hits = oneHot(argmax(in, -1), k);
        // the indices are held fixed: d/dx sum(onehot(argmax x) * x) is the one-hot mask itself
        Node masked = GradTable.grad(sum(mul(hits, in)), in);
        Node through = GradTable.grad(sum(mul(argmax(in, -1), argmin(in, -1))), in);
        Node flat = GradTable.grad(argmax(in), in);
        List<Tensor> out = Compiler.compile(List.of(in), List.of(hits, masked, through, flat)).call(x);
        assertEquals(out.get(0), out.get(1));
        assertEquals(Tensor.zeros(x.shape()), out.get(2));
        assertEquals(Tensor.zeros(x.shape()), out.get(3));
    }

    @Example
    void argmaxesCompareAsAccuracyDoes() {
        Input logits = input("logits", "n", 3), y = input("y", "n", 3);
        Node accuracy = mean(equal(argmax(logits, -1), argmax(y, -1)));
        Tensor z = Tensor.matrix(new double[] {2, 1, 0}, new double[] {0, 1, 2}, new double[] {0, 3, 1}, new double[] {5, 5, 0});
        Tensor t = Tensor.matrix(new double[] {1, 0, 0}, new double[] {1, 0, 0}, new double[] {0, 1, 0}, new double[] {0, 1, 0});
        assertEquals(Tensor.scalar(0.5), Compiler.compile(List.of(logits, y), List.of(accuracy)).call(z, t).get(0));
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

    /** Tensors of rank 1 to 3 of whole numbers in [-2, 2] (no -0), so rows often hold ties. */
    @Provide
    Arbitrary<Tensor> rowsWithTies() {
        return Tensors.withShapes(Tensors.shapes(3, 1, 4).filter(s -> s.rank() > 0)).between(-2, 2).map(t -> t.map(v -> Math.rint(v) + 0.0));
    }

    @Provide
    Arbitrary<Tensor> emptyCases() {
        return Tensors.withShapes(Tensors.shapes(3, 0, 3).filter(s -> s.rank() > 0 && s.dim(0) == 0)).any();
    }
}
