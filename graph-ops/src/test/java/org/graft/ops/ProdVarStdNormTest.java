package org.graft.ops;

import static org.graft.ops.OpRuns.assertKernelsMatchReference;
import static org.graft.ops.OpRuns.gradientOfSum;
import static org.graft.ops.OpRuns.value;
import static org.graft.ops.Ops.grad;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.norm;
import static org.graft.ops.Ops.prod;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.std;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.var;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.IntStream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

import org.graft.core.Input;
import org.graft.core.ShapeError;
import org.graft.core.check.GradCheck;
import org.graft.core.check.Tensors;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/** The reductions of issue 16: prod, var, std and norm. */
class ProdVarStdNormTest {

    /** A tensor and the axes to reduce (one, several or every one, some written negative), keeping them or not. */
    record Case(Tensor x, int[] axes, boolean keepdims) {
        @Override public String toString() { return x + " over " + Arrays.toString(axes) + (keepdims ? " kept" : ""); }

        /** How many elements each output reduces. */
        int count() { return Arrays.stream(axes).map(a -> x.shape().dim(a)).reduce(1, (p, d) -> p * d); }
    }

    // ---- prod ---------------------------------------------------------------------------------------

    // a quarter of the elements are 0, so lanes hold no zero, one or several: where prod / x would break
    @Property(tries = 300)
    void prodGradientMatchesFiniteDifferencesWithZerosToo(@ForAll("withZeros") Case c) {
        GradCheck.of(x -> prod(x, c.axes(), c.keepdims())).at(c.x()).assertClose();
    }

    @Property(tries = 100)
    void prodHasCorrectSecondDerivatives(@ForAll("withZeros") Case c) {
        GradCheck.of(x -> grad(sum(square(prod(x, c.axes(), c.keepdims()))), x)).at(c.x()).assertClose();
    }

    @Example
    void prodsGradientIsTheProductOfTheOthersAsPyTorchsIs() {
        assertEquals(Tensor.vector(6, 3, 2), gradientOfSum(Ops::prod, Tensor.vector(1, 2, 3)));
        assertEquals(Tensor.vector(0, 6, 0), gradientOfSum(Ops::prod, Tensor.vector(2, 0, 3)));   // the zero's is the rest's product
        assertEquals(Tensor.vector(0, 0, 0), gradientOfSum(Ops::prod, Tensor.vector(0, 0, 3)));   // two zeros: every product has one
        Tensor m = Tensor.matrix(new double[] {2, 0, 3}, new double[] {0, 0, 3});
        assertEquals(Tensor.matrix(new double[] {0, 6, 0}, new double[] {0, 0, 0}), gradientOfSum(x -> prod(x, 1), m));
        // over both axes: d/dx_01 of 2 * 0 * 3 * 4 is 2 * 3 * 4
        assertEquals(Tensor.matrix(new double[] {0, 24}, new double[] {0, 0}),
                gradientOfSum(Ops::prod, Tensor.matrix(new double[] {2, 0}, new double[] {3, 4})));
        // an infinite element: the others' product, where PyTorch's prod / x gives NaN
        assertEquals(Tensor.vector(6, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY),
                gradientOfSum(Ops::prod, Tensor.vector(Double.POSITIVE_INFINITY, 2, 3)));
    }

    @Example
    void prodOverAnEmptyAxisIsOne() {
        assertEquals(Tensor.vector(1, 1), value(x -> prod(x, 1), Tensor.zeros(Shape.of(2, 0))));
        assertEquals(Tensor.vector(24, 6), value(x -> prod(x, 0), Tensor.matrix(new double[] {4, 3}, new double[] {6, 2})));
    }

    // ---- var and std --------------------------------------------------------------------------------

    @Property(tries = 200)
    void varGradientMatchesFiniteDifferences(@ForAll("cases") Case c, @ForAll @IntRange(max = 2) int ddof) {
        if (c.count() <= ddof) return; // no finite value: ddof >= N is checked below
        GradCheck.of(x -> var(x, c.axes(), c.keepdims(), ddof)).at(c.x()).assertClose();
        GradCheck.of(x -> grad(sum(square(var(x, c.axes(), c.keepdims(), ddof))), x)).at(c.x()).assertClose();
    }

    // std has a kink where every element reduced is equal (std = 0): its domain is elements apart, or a lone element
    @Property(tries = 200)
    void stdGradientMatchesFiniteDifferencesAwayFromEqualElements(@ForAll("apart") Case c, @ForAll @IntRange(max = 2) int ddof) {
        if (c.count() <= ddof) return;
        GradCheck.of(x -> std(x, c.axes(), c.keepdims(), ddof)).at(c.x()).assertClose();
        GradCheck.of(x -> grad(sum(square(std(x, c.axes(), c.keepdims(), ddof))), x)).at(c.x()).assertClose();
    }

    @Example
    void varDividesByNMinusDdofAsNumPyAndPyTorch() {
        Tensor v = Tensor.vector(1, 2, 3);
        assertEquals(2.0 / 3, value(Ops::var, v).item(), 1e-16);
        assertEquals(1.0, value(x -> var(x, new int[] {0}, false, 1), v).item());
        assertEquals(2.0, value(x -> var(x, new int[] {0}, false, 2), v).item());
        assertEquals(Math.sqrt(2.0 / 3), value(Ops::std, v).item(), 1e-16);
        assertEquals(Tensor.matrix(new double[] {0.25}, new double[] {1}),
                value(x -> var(x, new int[] {1}, true, 0), Tensor.matrix(new double[] {1, 2}, new double[] {3, 5})));
    }

    @Example
    void ddofAtOrAboveTheCountDividesByZero() {
        Tensor v = Tensor.vector(1, 2, 3);
        double inf = Double.POSITIVE_INFINITY;
        assertEquals(inf, value(x -> var(x, new int[] {0}, false, 3), v).item());
        assertEquals(inf, value(x -> std(x, new int[] {0}, false, 4), v).item());
        assertTrue(Double.isNaN(value(x -> var(x, new int[] {0}, false, 1), Tensor.vector(5)).item()));   // 0 / 0
        assertTrue(Double.isNaN(value(Ops::var, Tensor.zeros(Shape.of(0))).item()));                      // the mean of nothing
        // 2 (x - mean) / 0, as PyTorch
        assertEquals(Tensor.vector(-inf, Double.NaN, inf), gradientOfSum(x -> var(x, new int[] {0}, false, 3), v));
    }

    @Example
    void stdsGradientIsZeroWhereEveryElementIsEqual() {
        assertEquals(Tensor.vector(0, 0, 0), gradientOfSum(Ops::std, Tensor.vector(2, 2, 2)));
        assertEquals(Tensor.vector(0), gradientOfSum(Ops::std, Tensor.vector(7)));
    }

    @Example
    void aNegativeDdofIsRefused() {
        Input x = input("x", 3);
        assertEquals("var(x): ddof must be 0 or more, found -1",
                assertThrows(ShapeError.class, () -> var(x, new int[] {0}, false, -1)).getMessage());
    }

    // ---- norm ---------------------------------------------------------------------------------------

    @Property(tries = 200)
    void normGradientsMatchFiniteDifferencesAwayFromTheirKinks(@ForAll("distinctMagnitudes") Case c) {
        for (double p : new double[] {1, 2, Double.POSITIVE_INFINITY}) {
            GradCheck.of(x -> norm(x, p, c.axes(), c.keepdims())).at(c.x()).assertClose();
        }
        GradCheck.of(x -> grad(sum(square(norm(x, 2, c.axes(), c.keepdims()))), x)).at(c.x()).assertClose();
        GradCheck.of(x -> grad(sum(mul(norm(x, 2, c.axes(), c.keepdims()), sum(x))), x)).at(c.x()).assertClose();
    }

    @Example
    void normsOfAVectorAndAMatrix() {
        Tensor v = Tensor.vector(3, -4);
        assertEquals(5.0, value(Ops::norm, v).item());
        assertEquals(7.0, value(x -> norm(x, 1), v).item());
        assertEquals(4.0, value(x -> norm(x, Double.POSITIVE_INFINITY), v).item());
        Tensor m = Tensor.matrix(new double[] {1, 2}, new double[] {-3, 4});
        assertEquals(Math.sqrt(30), value(Ops::norm, m).item());             // Frobenius
        assertEquals(Tensor.vector(4, 6), value(x -> norm(x, 1, 0), m));
        assertEquals(Tensor.matrix(new double[] {2}, new double[] {4}), value(x -> norm(x, Double.POSITIVE_INFINITY, new int[] {1}, true), m));
    }

    @Example
    void theTwoNormRescalesWhereTheSquaresOverOrUnderflow() {
        assertEquals(5e200, value(Ops::norm, Tensor.vector(3e200, -4e200)).item(), 1e185);      // Σx² is inf
        assertEquals(5e-200, value(Ops::norm, Tensor.vector(3e-200, 4e-200)).item(), 1e-215);   // Σx² is 0
        assertEquals(Double.MAX_VALUE, value(Ops::norm, Tensor.vector(Double.MAX_VALUE, 0)).item());
        assertTrue(Tensor.vector(5, 5e200).allClose(value(x -> norm(x, 2, 1), Tensor.matrix(new double[] {3, 4}, new double[] {3e200, 4e200})),
                1e-15, 0));
        assertEquals(Double.POSITIVE_INFINITY, value(Ops::norm, Tensor.vector(Double.NEGATIVE_INFINITY, 1)).item());
        assertTrue(Double.isNaN(value(Ops::norm, Tensor.vector(Double.NaN, Double.POSITIVE_INFINITY)).item()));
        assertEquals(Tensor.vector(0, 0), value(x -> norm(x, 2, 1), Tensor.zeros(Shape.of(2, 0))));
        assertEquals(Tensor.vector(0, 0), value(x -> norm(x, Double.POSITIVE_INFINITY, 1), Tensor.zeros(Shape.of(2, 0))));
    }

    @Example
    void atTheKinksTheGradientIsPyTorchsSubgradient() {
        assertEquals(Tensor.vector(0, 0, 0), gradientOfSum(Ops::norm, Tensor.zeros(Shape.of(3))));
        assertEquals(Tensor.vector(0, 0, 1), gradientOfSum(x -> norm(x, 1), Tensor.vector(0, 0, 2)));
        assertEquals(Tensor.vector(0, -0.5, 0.5, 0), gradientOfSum(x -> norm(x, Double.POSITIVE_INFINITY), Tensor.vector(1, -3, 3, 2)));
        assertEquals(Tensor.vector(0, 0), gradientOfSum(x -> norm(x, Double.POSITIVE_INFINITY), Tensor.zeros(Shape.of(2))));
        assertTrue(Tensor.vector(0.6, -0.8).allClose(gradientOfSum(Ops::norm, Tensor.vector(3e200, -4e200)), 1e-15, 0));
    }

    @Example
    void onlyTheOneTwoAndInfinityNormsAreTaken() {
        Input x = input("x", 3);
        assertEquals("norm(x): p must be 1, 2 or inf, found 3", assertThrows(ShapeError.class, () -> norm(x, 3)).getMessage());
    }

    // ---- every kernel -------------------------------------------------------------------------------

    @Property(tries = 100)
    void theKernelsComputeWhatTheReferenceComputes(@ForAll("withZeros") Case c, @ForAll @IntRange(max = 2) int ddof) {
        assertKernelsMatchReference(in -> prod(in.get(0), c.axes(), c.keepdims()), c.x());
        assertKernelsMatchReference(in -> var(in.get(0), c.axes(), c.keepdims(), ddof), c.x());
        assertKernelsMatchReference(in -> std(in.get(0), c.axes(), c.keepdims(), ddof), c.x());
        for (double p : new double[] {1, 2, Double.POSITIVE_INFINITY}) {
            assertKernelsMatchReference(in -> norm(in.get(0), p, c.axes(), c.keepdims()), c.x());
            assertKernelsMatchReference(in -> norm(in.get(0), p, c.axes(), c.keepdims()), c.x().map(v -> v * 1e200));
            assertKernelsMatchReference(in -> norm(in.get(0), p, c.axes(), c.keepdims()), c.x().map(v -> v * 1e-200));
        }
    }

    // ---- cases and helpers --------------------------------------------------------------------------

    @Provide
    Arbitrary<Case> cases() { return cases(Arbitraries.doubles().between(-3, 3).ofScale(6)); }

    @Provide
    Arbitrary<Case> withZeros() {
        return cases(Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.doubles().between(-2, 2).ofScale(6)), Tuple.of(1, Arbitraries.just(0.0))));
    }

    /** Elements at least 0.05 apart: no group of two or more has a standard deviation near 0. */
    @Provide
    Arbitrary<Case> apart() {
        return cases(Arbitraries.just(0.0)).flatMap(c -> Arbitraries.shuffle(IntStream.range(0, c.x().size()).mapToObj(i -> i * 0.05 - 1)
                .toList()).map(values -> new Case(Tensor.of(c.x().shape(), values.stream().mapToDouble(Double::doubleValue).toArray()),
                c.axes(), c.keepdims())));
    }

    /** Elements of distinct magnitudes, at least 0.05 from 0 and from each other's magnitudes, of either sign: no norm has a kink near. */
    @Provide
    Arbitrary<Case> distinctMagnitudes() {
        return apart().flatMap(c -> Arbitraries.of(1.0, -1.0).list().ofSize(c.x().size()).map(signs -> {
            double[] v = c.x().toArray();
            for (int i = 0; i < v.length; i++) v[i] = signs.get(i) * (v[i] + 1.05);
            return new Case(Tensor.of(c.x().shape(), v), c.axes(), c.keepdims());
        }));
    }

    private static Arbitrary<Case> cases(Arbitrary<Double> element) {
        return Tensors.shapes(3, 1, 4).flatMap(shape -> {
            int rank = shape.rank();
            Arbitrary<int[]> axes = Arbitraries.integers().between(0, (1 << rank) - 1).map(mask -> IntStream.range(0, rank)
                    .filter(a -> (mask >> a & 1) == 1).map(a -> a % 2 == 1 ? a - rank : a).toArray());
            return Combinators.combine(element.list().ofSize(shape.size()), axes, Arbitraries.of(true, false)).as((values, a, keep) ->
                    new Case(Tensor.of(shape, values.stream().mapToDouble(Double::doubleValue).toArray()), a, keep));
        });
    }
}
