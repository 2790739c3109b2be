package org.graft.ops;

import static org.graft.ops.OpRuns.assertKernelsMatchReference;
import static org.graft.ops.OpRuns.gradientOfSum;
import static org.graft.ops.OpRuns.value;
import static org.graft.ops.Ops.flip;
import static org.graft.ops.Ops.grad;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.pad;
import static org.graft.ops.Ops.padReflect;
import static org.graft.ops.Ops.repeat;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.tile;
import static org.graft.ops.Ops.tril;
import static org.graft.ops.Ops.triu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
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
import org.graft.core.check.GradCheck;
import org.graft.core.check.Tensors;
import org.graft.core.runtime.Compiler;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/** The gathers (tile, repeat, flip, pad, pad_reflect, tril, triu, the shift) and their adjoint, unremap. */
class RemapTest {

    /** A tensor and one of the gathers that fit it, with its arguments drawn. */
    record Case(Tensor x, String what, UnaryOperator<Node> op) {
        @Override public String toString() { return what + " of " + x.shape(); }
    }

    @Property(tries = 300)
    void everyGathersGradientMatchesFiniteDifferences(@ForAll("cases") Case c) {
        GradCheck.of(c.op()).at(c.x()).assertClose();
    }

    // sum(y³) is not linear in y, so the second derivative runs the gradient's own gradient: unremap's is the remap
    @Property(tries = 150)
    void everyGathersSecondDerivativeMatchesFiniteDifferences(@ForAll("cases") Case c) {
        GradCheck.of(x -> grad(sum(mul(c.op().apply(x), square(c.op().apply(x)))), x)).at(c.x()).assertClose();
    }

    @Property(tries = 200)
    void theKernelsComputeWhatTheReferenceComputes(@ForAll("cases") Case c) {
        assertKernelsMatchReference(in -> c.op().apply(in.get(0)), c.x());
    }

    @Example
    void tileAndRepeatCopyAsNumPyDoes() {
        Tensor v = Tensor.vector(1, 2), m = Tensor.matrix(new double[] {1, 2}, new double[] {3, 4});
        assertEquals(Tensor.vector(1, 2, 1, 2), value(x -> tile(x, 2), v));
        assertEquals(Tensor.matrix(new double[] {1, 2, 1, 2}, new double[] {1, 2, 1, 2}), value(x -> tile(x, 2, 2), v));
        assertEquals(Tensor.matrix(new double[] {1, 2}, new double[] {3, 4}, new double[] {1, 2}, new double[] {3, 4}),
                value(x -> tile(x, 2, 1), m));
        assertEquals(Tensor.matrix(new double[] {1, 2, 1, 2}, new double[] {3, 4, 3, 4}), value(x -> tile(x, 2), m)); // the last axis
        assertEquals(Tensor.of(new double[0], 2, 0), value(x -> tile(x, 0), m));
        assertEquals(Tensor.vector(1, 1, 2, 2, 3, 3, 4, 4), value(x -> repeat(x, 2), m));
        assertEquals(Tensor.matrix(new double[] {1, 2}, new double[] {1, 2}, new double[] {3, 4}, new double[] {3, 4}),
                value(x -> repeat(x, 2, 0), m));
        assertEquals(Tensor.matrix(new double[] {1, 1, 1, 2, 2, 2}, new double[] {3, 3, 3, 4, 4, 4}), value(x -> repeat(x, 3, -1), m));
        assertEquals(Tensor.vector(7, 7), value(x -> repeat(x, 2), Tensor.scalar(7)));
    }

    @Example
    void theGradientOfACopyIsTheSumOverItsCopies() {
        Tensor m = Tensor.matrix(new double[] {1, 2}, new double[] {3, 4});
        assertEquals(Tensor.full(Shape.of(2, 2), 6), gradientOfSum(x -> tile(x, 3, 2), m));
        assertEquals(Tensor.full(Shape.of(2, 2), 3), gradientOfSum(x -> repeat(x, 3), m));
        assertEquals(Tensor.full(Shape.of(2, 2), 0), gradientOfSum(x -> repeat(x, 0, 1), m));
        // [1, 2, 3] reflected by 2 on each side is [3, 2, 1, 2, 3, 2, 1]: 1 is read twice, 2 three times, 3 twice
        assertEquals(Tensor.vector(2, 3, 2), gradientOfSum(x -> padReflect(x, new int[][] {{2, 2}}), Tensor.vector(1, 2, 3)));
        assertEquals(Tensor.vector(1, 1, 1), gradientOfSum(x -> pad(x, new int[][] {{2, 1}}, 5), Tensor.vector(1, 2, 3)));
    }

    @Example
    void flipReversesTheAxesGiven() {
        Tensor m = Tensor.matrix(new double[] {1, 2, 3}, new double[] {4, 5, 6});
        assertEquals(Tensor.matrix(new double[] {6, 5, 4}, new double[] {3, 2, 1}), value(Ops::flip, m));
        assertEquals(Tensor.matrix(new double[] {3, 2, 1}, new double[] {6, 5, 4}), value(x -> flip(x, -1), m));
        assertEquals(Tensor.matrix(new double[] {4, 5, 6}, new double[] {1, 2, 3}), value(x -> flip(x, 0), m));
        assertEquals(Tensor.scalar(2), value(Ops::flip, Tensor.scalar(2)));
    }

    @Example
    void padAddsItsValueAndReflectMirrorsWithoutTheEdge() {
        Tensor v = Tensor.vector(1, 2, 3);
        assertEquals(Tensor.vector(9, 1, 2, 3, 9, 9), value(x -> pad(x, new int[][] {{1, 2}}, 9), v));
        assertEquals(Tensor.vector(3, 2, 1, 2, 3, 2, 1), value(x -> padReflect(x, new int[][] {{2, 2}}), v));
        Tensor m = Tensor.matrix(new double[] {1, 2}, new double[] {3, 4});
        assertEquals(Tensor.matrix(new double[] {0, 0, 0}, new double[] {0, 1, 2}, new double[] {0, 3, 4}),
                value(x -> pad(x, new int[][] {{1, 0}, {1, 0}}), m));
        assertEquals(Tensor.matrix(new double[] {4, 3, 4}, new double[] {2, 1, 2}, new double[] {4, 3, 4}),
                value(x -> padReflect(x, new int[][] {{1, 0}, {1, 0}}), m));
    }

    @Example
    void trilAndTriuKeepATriangleAndZeroTheRestEvenWhereItIsNaN() {
        Tensor m = Tensor.matrix(new double[] {1, 2, 3}, new double[] {4, 5, 6}, new double[] {7, 8, 9});
        assertEquals(Tensor.matrix(new double[] {1, 0, 0}, new double[] {4, 5, 0}, new double[] {7, 8, 9}), value(Ops::tril, m));
        assertEquals(Tensor.matrix(new double[] {0, 0, 0}, new double[] {4, 0, 0}, new double[] {7, 8, 0}), value(x -> tril(x, -1), m));
        assertEquals(Tensor.matrix(new double[] {1, 2, 0}, new double[] {4, 5, 6}, new double[] {7, 8, 9}), value(x -> tril(x, 1), m));
        assertEquals(Tensor.matrix(new double[] {0, 2, 3}, new double[] {0, 0, 6}, new double[] {0, 0, 0}), value(x -> triu(x, 1), m));
        assertEquals(Tensor.matrix(new double[] {1, 2, 3}, new double[] {0, 5, 6}, new double[] {0, 0, 9}), value(Ops::triu, m));
        Tensor wide = Tensor.matrix(new double[] {1, Double.NaN, Double.POSITIVE_INFINITY}, new double[] {4, 5, 6});
        assertEquals(Tensor.matrix(new double[] {1, 0, 0}, new double[] {4, 5, 0}), value(Ops::tril, wide));
        assertEquals(Tensor.matrix(new double[] {1, 0, 0}, new double[] {1, 1, 0}), gradientOfSum(Ops::tril, wide));
    }

    @Example
    void theShiftMovesAlongItsAxisAndFillsWhatIsLeft() {
        Tensor m = Tensor.matrix(new double[] {1, 2, 3}, new double[] {4, 5, 6});
        assertEquals(Tensor.matrix(new double[] {-1, 1, 2}, new double[] {-1, 4, 5}), value(x -> shift(x, 1, 1, -1), m));
        assertEquals(Tensor.matrix(new double[] {4, 5, 6}, new double[] {0, 0, 0}), value(x -> shift(x, 0, -1, 0), m));
    }

    @Example
    void aSymbolicDimIsGatheredForEverySizeFed() {
        Input x = input("x", "n", 3);
        for (Node y : List.of(flip(x), tril(x), tile(x, 1, 2), repeat(x, 2, 1), pad(x, new int[][] {{0, 0}, {1, 1}}),
                shift(x, 0, 1, 0))) {
            var f = Compiler.compile(List.of(x), List.of(y));
            for (int n : new int[] {1, 4}) {
                Tensor v = Tensor.uniform(Shape.of(n, 3), -1, 1, new java.util.SplittableRandom(n));
                assertEquals(((Apply) y).op().fprop(List.of(v)), f.call(v).get(0), y.toString());
            }
        }
    }

    @Example
    void shapesThatDoNotFitAreRefusedWithWhatIsWrong() {
        Input x = input("x", "n", 3), m = input("m", 2, 3), v = input("v", 3);
        assertShapeError("tile(x): axis 0 of [n, 3] is symbolic, so it can be tiled once only, found 2", () -> tile(x, 2, 1));
        assertShapeError("tile(m): reps [-1] must be 0 or more", () -> tile(m, -1));
        assertShapeError("repeat(x): axis 0 of [n, 3] is symbolic, so it can be repeated once only, found 3", () -> repeat(x, 3, 0));
        assertShapeError("repeat: without an axis x is flattened, which needs concrete dims, found [n, 3]", () -> repeat(x, 2));
        assertShapeError("repeat(m): axis 2 is out of range for [2, 3] (rank 2)", () -> repeat(m, 2, 2));
        assertShapeError("pad(m): widths [[1, 1]] has 1 pair for [2, 3] of rank 2; give one [before, after] per axis",
                () -> pad(m, new int[][] {{1, 1}}));
        assertShapeError("pad(m): widths [[1, 1], [-1, 0]] must be 0 or more", () -> pad(m, new int[][] {{1, 1}, {-1, 0}}));
        assertShapeError("pad(x): axis 0 of [n, 3] is symbolic, so its widths must be 0, found [1, 0]",
                () -> pad(x, new int[][] {{1, 0}, {0, 0}}));
        assertShapeError("pad_reflect(v): a reflection of 3 along axis 0 of [3] needs more than 3 elements there",
                () -> padReflect(v, new int[][] {{1, 3}}));
        assertShapeError("tril(v): needs rank 2 or more (matrices in the last two axes), found [3]", () -> tril(v));
        assertShapeError("flip(m): axis 1 is repeated in [1, -1]", () -> flip(m, 1, -1));
        assertThrows(IllegalArgumentException.class, () -> new Remap.Pad(List.of(List.of(1)), 0));
    }

    // ---- cases ----------------------------------------------------------------------------------

    @Provide
    Arbitrary<Case> cases() {
        return Tensors.withShapes(Tensors.shapes(3, 0, 3)).any().flatMap(x -> Arbitraries.oneOf(casesFor(x)));
    }

    /** The gathers that fit x, each with arguments drawn for it. */
    private static List<Arbitrary<Case>> casesFor(Tensor x) {
        int rank = x.rank();
        var out = new ArrayList<Arbitrary<Case>>();
        Arbitrary<Integer> small = Arbitraries.integers().between(0, 3);
        out.add(small.list().ofMaxSize(4).map(reps -> {
            int[] r = reps.stream().mapToInt(Integer::intValue).toArray();
            return new Case(x, "tile " + reps, v -> tile(v, r));
        }));
        out.add(small.map(r -> new Case(x, "repeat " + r, v -> repeat(v, r))));
        out.add(Arbitraries.integers().between(0, (1 << rank) - 1).map(mask -> {
            int[] axes = java.util.stream.IntStream.range(0, rank).filter(a -> (mask >> a & 1) == 1).map(a -> a % 2 == 0 ? a : a - rank)
                    .toArray();
            return new Case(x, "flip " + java.util.Arrays.toString(axes), v -> flip(v, axes));
        }));
        out.add(Combinators.combine(widths(x, false), Arbitraries.doubles().between(-2, 2)).as((w, value) ->
                new Case(x, "pad " + java.util.Arrays.deepToString(w) + " with " + value, v -> pad(v, w, value))));
        if (x.shape().size() > 0) out.add(widths(x, true).map(w -> new Case(x, "pad_reflect " + java.util.Arrays.deepToString(w),
                v -> padReflect(v, w))));
        if (rank >= 1) {
            out.add(Combinators.combine(small, Arbitraries.integers().between(-rank, rank - 1))
                    .as((r, axis) -> new Case(x, "repeat " + r + " along " + axis, v -> repeat(v, r, axis))));
            out.add(Combinators.combine(Arbitraries.integers().between(-rank, rank - 1), Arbitraries.integers().between(-3, 3),
                    Arbitraries.doubles().between(-2, 2)).as((axis, by, fill) ->
                    new Case(x, "shift " + by + " along " + axis, v -> shift(v, axis, by, fill))));
        }
        if (rank >= 2) {
            out.add(Arbitraries.integers().between(-3, 3).map(k -> new Case(x, "tril " + k, v -> tril(v, k))));
            out.add(Arbitraries.integers().between(-3, 3).map(k -> new Case(x, "triu " + k, v -> triu(v, k))));
        }
        return out;
    }

    /** A [before, after] pair per axis of x: up to 2, or to reflect, below the axis's size. */
    private static Arbitrary<int[][]> widths(Tensor x, boolean reflect) {
        var pairs = new ArrayList<Arbitrary<int[]>>();
        for (int d : x.shape().dims()) {
            Arbitrary<Integer> w = Arbitraries.integers().between(0, reflect ? d - 1 : 2);
            pairs.add(Combinators.combine(w, w).as((b, a) -> new int[] {b, a}));
        }
        return Combinators.combine(pairs).as(p -> p.toArray(int[][]::new));
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static Node shift(Node x, int axis, int by, double fill) { return Apply.of(new Remap.Shift(axis, by, fill), x); }

    private static void assertShapeError(String message, Runnable build) {
        assertEquals(message, assertThrows(ShapeError.class, build::run).getMessage());
    }
}
