package org.graft.core.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import org.graft.core.check.Tensors;

class TensorTest {

    // ---- zip and broadcasting -----------------------------------------------------------------

    // edge cases off: flatMapped arbitraries have thousands; the random shapes reach the corners
    @Property(tries = 500, seed = "201", edgeCases = EdgeCasesMode.NONE)
    void zipBroadcastsLikeANestedLoop(@ForAll("broadcastableTensors") List<Tensor> ab) {
        Tensor a = ab.get(0), b = ab.get(1);
        Tensor got = a.zip(b, (x, y) -> 10 * x - y); // not symmetric, so swapped operands show
        Shape out = Shape.broadcast(a.shape(), b.shape());
        assertEquals(out, got.shape());
        for (int[] index : indices(out)) {
            double want = 10 * a.get(broadcastIndex(index, a.shape())) - b.get(broadcastIndex(index, b.shape()));
            assertEquals(want, got.get(index), 0.0);
        }
    }

    @Example
    void addBroadcastsARowOverAMatrix() {
        Tensor m = Tensor.matrix(new double[] {1, 2, 3}, new double[] {4, 5, 6});
        assertEquals(Tensor.matrix(new double[] {11, 22, 33}, new double[] {14, 25, 36}),
                m.add(Tensor.vector(10, 20, 30)));
        assertEquals(Tensor.matrix(new double[] {0, 1, 2}, new double[] {3, 4, 5}), m.sub(Tensor.scalar(1)));
        assertEquals(Tensor.matrix(new double[] {1, 2, 3}, new double[] {8, 10, 12}),
                m.mul(Tensor.of(new double[] {1, 2}, 2, 1)));
        assertEquals(Tensor.matrix(new double[] {0.5, 1, 1.5}, new double[] {2, 2.5, 3}), m.div(Tensor.scalar(2)));
    }

    @Example
    void zipOfShapesThatDoNotBroadcastIsAnError() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(Shape.of(2, 3)).add(Tensor.zeros(Shape.of(4))));
        assertEquals("cannot broadcast [2, 3] with [4]", e.getMessage());
    }

    @Example
    void broadcastToRepeatsAlongTheNewAxes() {
        Tensor col = Tensor.of(new double[] {1, 2}, 2, 1);
        assertEquals(Tensor.matrix(new double[] {1, 1, 1}, new double[] {2, 2, 2}), col.broadcastTo(Shape.of(2, 3)));
        assertEquals(Shape.of(0, 2, 3), col.broadcastTo(Shape.of(0, 2, 3)).shape());
        assertThrows(IllegalArgumentException.class, () -> col.broadcastTo(Shape.of(3, 3)));
        assertThrows(IllegalArgumentException.class, () -> col.broadcastTo(Shape.of(2)));
    }

    // ---- reductions -------------------------------------------------------------------------

    @Property(tries = 1000, seed = "202")
    void sumOverAxesMatchesANestedLoop(@ForAll("anyWithEmpty") Tensor t, @ForAll @IntRange(max = 7) int axisMask,
                                       @ForAll boolean negativeAxes, @ForAll boolean keepdims) {
        int rank = t.rank();
        var axes = new ArrayList<Integer>();
        boolean[] reduced = new boolean[rank];
        for (int a = 0; a < rank; a++) {
            if ((axisMask >> a & 1) == 1) {
                axes.add(negativeAxes ? a - rank : a);
                reduced[a] = true;
            }
        }
        Tensor got = t.sum(axes.stream().mapToInt(Integer::intValue).toArray(), keepdims);

        int[] kept = t.shape().dims();
        for (int a = 0; a < rank; a++) if (reduced[a]) kept[a] = 1;
        Shape keptShape = Shape.of(kept);
        double[] want = new double[keptShape.size()];
        for (int[] index : indices(t.shape())) {
            int[] to = index.clone();
            for (int a = 0; a < rank; a++) if (reduced[a]) to[a] = 0;
            want[flat(to, keptShape)] += t.get(index);
        }
        Shape wantShape = keepdims ? keptShape : t.shape().reduce(axes.stream().mapToInt(a -> a < 0 ? a + rank : a).toArray(), false);
        assertEquals(wantShape, got.shape());
        assertArrayEquals(want, got.toArray(), 1e-12);
    }

    @Example
    void sumOfAnEmptyAxisIsZero() {
        Tensor t = Tensor.zeros(Shape.of(3, 0));
        assertEquals(Tensor.zeros(Shape.of(3)), t.sum(new int[] {1}, false));
        assertEquals(Shape.of(0), t.sum(new int[] {0}, false).shape());
        assertEquals(0.0, t.sum());
    }

    @Example
    void aRepeatedOrOutOfRangeAxisIsAnError() {
        Tensor t = Tensor.zeros(Shape.of(2, 3));
        var e = assertThrows(IllegalArgumentException.class, () -> t.sum(new int[] {1, -1}, false));
        assertEquals("axis -1 is repeated in [1, -1]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.sum(new int[] {2}, false));
    }

    @Example
    void reduceFoldsWithTheGivenOperator() {
        Tensor m = Tensor.matrix(new double[] {1, 5, 3}, new double[] {4, 2, 6});
        assertEquals(Tensor.vector(5, 6), m.reduce(new int[] {1}, false, Double.NEGATIVE_INFINITY, Math::max));
        assertEquals(Tensor.of(new double[] {4, 10, 18}, 1, 3), m.reduce(new int[] {0}, true, 1, (x, y) -> x * y));
        assertEquals(21.0, m.sum());
    }

    // <broadcastTo(a), b> = <a, sumTo(b)>: sumTo is the adjoint (transpose) of broadcastTo
    @Property(tries = 500, seed = "203", edgeCases = EdgeCasesMode.NONE)
    void sumToIsTheAdjointOfBroadcastTo(@ForAll("adjointCases") List<Tensor> ab) {
        Tensor a = ab.get(0), b = ab.get(1);
        double lhs = a.broadcastTo(b.shape()).dot(b);
        double rhs = a.dot(b.sumTo(a.shape()));
        assertEquals(lhs, rhs, 1e-9 * (1 + Math.abs(lhs)));
        assertEquals(a.shape(), b.sumTo(a.shape()).shape());
    }

    @Example
    void sumToAddsUpTheBroadcastAxes() {
        Tensor m = Tensor.matrix(new double[] {1, 2, 3}, new double[] {4, 5, 6});
        assertEquals(Tensor.vector(5, 7, 9), m.sumTo(Shape.of(3)));
        assertEquals(Tensor.of(new double[] {6, 15}, 2, 1), m.sumTo(Shape.of(2, 1)));
        assertEquals(Tensor.scalar(21), m.sumTo(Shape.scalar()));
        assertThrows(IllegalArgumentException.class, () -> m.sumTo(Shape.of(2)));
    }

    @Example
    void dotNeedsEqualShapes() {
        assertEquals(32.0, Tensor.vector(1, 2, 3).dot(Tensor.vector(4, 5, 6)));
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.vector(1, 2).dot(Tensor.vector(1, 2, 3)));
        assertEquals("dot of tensors of shapes [2] and [3]", e.getMessage());
    }

    // ---- matmul -------------------------------------------------------------------------------

    @Example
    void matmulOfMatricesAndVectors() {
        Tensor a = Tensor.matrix(new double[] {1, 2}, new double[] {3, 4});
        Tensor v = Tensor.vector(5, 6);
        assertEquals(Tensor.matrix(new double[] {19, 22}, new double[] {43, 50}),
                a.matmul(Tensor.matrix(new double[] {5, 6}, new double[] {7, 8})));
        assertEquals(Tensor.vector(17, 39), a.matmul(v));         // [2, 2] @ [2] -> [2]
        assertEquals(Tensor.vector(23, 34), v.matmul(a));         // [2] @ [2, 2] -> [2]
        assertEquals(Tensor.scalar(61), v.matmul(v));             // [2] @ [2] -> []
    }

    @Property(tries = 500, seed = "204", edgeCases = EdgeCasesMode.NONE)
    void matmulMatchesATripleLoop(@ForAll("matmulOperands") List<Tensor> ab) {
        Tensor a = ab.get(0), b = ab.get(1);
        // a rank-1 left operand is a row, a rank-1 right operand a column
        Tensor a2 = a.rank() == 2 ? a : a.reshape(Shape.of(1, a.size()));
        Tensor b2 = b.rank() == 2 ? b : b.reshape(Shape.of(b.size(), 1));
        int rows = a2.shape().dim(0), cols = b2.shape().dim(1);
        Shape wantShape = a.rank() == 2 && b.rank() == 2 ? Shape.of(rows, cols)
                : a.rank() == 2 ? Shape.of(rows)
                : b.rank() == 2 ? Shape.of(cols)
                : Shape.scalar();

        Tensor got = a.matmul(b);
        assertEquals(wantShape, got.shape());
        assertArrayEquals(naiveMatmul(a2, b2).toArray(), got.toArray(), 1e-12);
    }

    @Example
    void aLargeMatmulMatchesATripleLoop() {
        var random = new SplittableRandom(205);
        Tensor a = Tensor.uniform(Shape.of(37, 53), -1, 1, random);
        Tensor b = Tensor.uniform(Shape.of(53, 29), -1, 1, random);
        Tensor got = a.matmul(b);
        assertEquals(Shape.of(37, 29), got.shape());
        assertArrayEquals(naiveMatmul(a, b).toArray(), got.toArray(), 1e-12);
        // the operands are wrapped, not copied: they must be left as they were
        assertEquals(Tensor.uniform(Shape.of(37, 53), -1, 1, new SplittableRandom(205)), a);
    }

    @Example
    void matmulWithAnEmptyInnerDimIsZeros() {
        assertEquals(Tensor.zeros(Shape.of(2, 3)), Tensor.zeros(Shape.of(2, 0)).matmul(Tensor.zeros(Shape.of(0, 3))));
        assertEquals(Tensor.scalar(0), Tensor.vector().matmul(Tensor.vector()));
    }

    @Example
    void matmulRefusesOtherRanksAndInnerDimsThatDiffer() {
        Tensor m = Tensor.zeros(Shape.of(2, 3));
        var e = assertThrows(IllegalArgumentException.class, () -> m.matmul(Tensor.zeros(Shape.of(2, 3))));
        assertEquals("matmul: inner dimensions differ: [2, 3] @ [2, 3]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.scalar(1).matmul(m));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(Shape.of(1, 2, 3)).matmul(m));
    }

    // ---- gemm ---------------------------------------------------------------------------------

    @Property(tries = 300, seed = "207", edgeCases = EdgeCasesMode.NONE)
    void gemmIsTheMatmulOfTheOperandsAsTheFlagsTransposeThemPlusTheBias(@ForAll("gemmOperands") Gemm g) {
        Tensor a = g.transA() ? g.a().transpose() : g.a(), b = g.transB() ? g.b().transpose() : g.b();
        Tensor want = naiveMatmul(a, b);
        if (g.c() != null) want = want.add(g.c());
        Tensor got = g.c() == null ? Tensor.gemm(g.a(), g.transA(), g.b(), g.transB())
                : Tensor.gemm(g.a(), g.transA(), g.b(), g.transB(), g.c());
        assertEquals(want.shape(), got.shape());
        assertArrayEquals(want.toArray(), got.toArray(), 1e-12);
    }

    // the reference's products are EJML's (Blas.reference()), which below 10 rows reads b
    // transposed as stored and from there on transposes it first
    @Example
    void gemmWithBTransposedAgreesOnEitherSideOfTheRowsWhereItTransposesBFirst() {
        var random = new SplittableRandom(208);
        Tensor b = Tensor.uniform(Shape.of(29, 53), -1, 1, random);
        Tensor bias = Tensor.uniform(Shape.of(29), -1, 1, random);
        for (int m : new int[] {1, 9, 10, 37}) {
            Tensor a = Tensor.uniform(Shape.of(m, 53), -1, 1, random), at = a.transpose();
            Tensor want = naiveMatmul(a, b.transpose());
            assertArrayEquals(want.toArray(), Tensor.gemm(a, false, b, true).toArray(), 1e-12);
            assertArrayEquals(want.toArray(), Tensor.gemm(at, true, b, true).toArray(), 1e-12);
            assertArrayEquals(want.add(bias).toArray(), Tensor.gemm(at, true, b, true, bias).toArray(), 1e-12);
        }
        assertEquals(Tensor.uniform(Shape.of(29, 53), -1, 1, new SplittableRandom(208)), b);  // read, not changed
    }

    @Example
    void gemmLeavesItsBiasAsItWasAndAddsItOverAnEmptyInnerDim() {
        Tensor c = Tensor.matrix(new double[] {1, 2}, new double[] {3, 4});
        Tensor i = Tensor.matrix(new double[] {1, 0}, new double[] {0, 1});
        assertEquals(Tensor.matrix(new double[] {2, 2}, new double[] {3, 5}), Tensor.gemm(i, false, i, true, c));
        assertEquals(Tensor.matrix(new double[] {1, 2}, new double[] {3, 4}), c);
        assertEquals(Tensor.matrix(new double[] {5, 6}, new double[] {5, 6}),
                Tensor.gemm(Tensor.zeros(Shape.of(0, 2)), true, Tensor.zeros(Shape.of(0, 2)), false, Tensor.vector(5, 6)));
    }

    @Example
    void gemmRefusesOtherRanksInnerDimsThatDifferAndABiasThatWouldGrowTheProduct() {
        Tensor m = Tensor.zeros(Shape.of(2, 3));
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.gemm(m, true, Tensor.zeros(Shape.of(3, 2)), false));
        assertEquals("gemm: inner dimensions differ: [2, 3].T @ [3, 2]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.gemm(m, false, Tensor.vector(1, 2, 3), false));
        assertEquals("gemm takes operands of rank 2, found [2, 3] @ [3]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.gemm(m, false, m, true, Tensor.zeros(Shape.of(3, 2, 2))));
        assertThrows(IllegalArgumentException.class, () -> Tensor.gemm(m, false, m, true, Tensor.vector(1, 2, 3)));
    }

    // ---- transpose and reshape ---------------------------------------------------------------

    @Property(tries = 500, seed = "206", edgeCases = EdgeCasesMode.NONE)
    void transposeMovesAxisPermIToAxisI(@ForAll("permutedTensors") Permuted c) {
        Tensor t = c.tensor();
        int rank = t.rank();
        int[] perm = c.perm();
        int[] axes = new int[rank];
        for (int i = 0; i < rank; i++) axes[i] = perm[i] < 0 ? perm[i] + rank : perm[i];

        Tensor got = t.transpose(perm);
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) dims[i] = t.shape().dim(axes[i]);
        assertEquals(Shape.of(dims), got.shape());
        for (int[] index : indices(got.shape())) {
            int[] from = new int[rank];
            for (int i = 0; i < rank; i++) from[axes[i]] = index[i];
            assertEquals(t.get(from), got.get(index), 0.0);
        }
    }

    @Property(tries = 200, seed = "207")
    void transposingTwiceIsTheIdentity(@ForAll("matricesAndUp") Tensor t) {
        assertEquals(t, t.transpose().transpose());
    }

    @Example
    void transposeSwapsTheLastTwoAxes() {
        Tensor m = Tensor.matrix(new double[] {1, 2, 3}, new double[] {4, 5, 6});
        assertEquals(Tensor.matrix(new double[] {1, 4}, new double[] {2, 5}, new double[] {3, 6}), m.transpose());
        assertEquals(Shape.of(2, 4, 3), Tensor.zeros(Shape.of(2, 3, 4)).transpose().shape());
        assertThrows(IllegalArgumentException.class, () -> Tensor.vector(1, 2).transpose());
        assertThrows(IllegalArgumentException.class, () -> m.transpose(0));
        assertThrows(IllegalArgumentException.class, () -> m.transpose(1, 1));
    }

    @Example
    void reshapeKeepsTheRowMajorOrder() {
        Tensor m = Tensor.matrix(new double[] {1, 2, 3}, new double[] {4, 5, 6});
        Tensor r = m.reshape(Shape.of(3, 2));
        assertEquals(Tensor.matrix(new double[] {1, 2}, new double[] {3, 4}, new double[] {5, 6}), r);
        assertArrayEquals(m.toArray(), r.toArray());
        assertEquals(Tensor.scalar(7), Tensor.vector(7).reshape(Shape.scalar()));
        var e = assertThrows(IllegalArgumentException.class, () -> m.reshape(Shape.of(4)));
        assertEquals("cannot reshape [2, 3] (6 elements) to [4] (4 elements)", e.getMessage());
    }

    // ---- slicing and concatenation ----------------------------------------------------------------

    @Property(tries = 300, seed = "208", edgeCases = EdgeCasesMode.NONE)
    void sliceReadsStartPlusIStepAlongEachAxis(@ForAll("strided") Strided c) {
        Tensor t = c.tensor();
        Tensor got = t.slice(c.start(), c.step(), c.count());
        assertEquals(Shape.of(c.count()), got.shape());
        for (int[] index : indices(got.shape())) {
            int[] from = new int[index.length];
            for (int i = 0; i < index.length; i++) from[i] = c.start()[i] + index[i] * c.step()[i];
            assertEquals(t.get(from), got.get(index), 0.0);
        }
    }

    // <slice(a), b> = <a, unslice(b)>: unslice is the adjoint (transpose) of slice
    @Property(tries = 300, seed = "209", edgeCases = EdgeCasesMode.NONE)
    void unsliceIsTheAdjointOfSlice(@ForAll("strided") Strided c) {
        Tensor a = c.tensor();
        Tensor b = Tensor.uniform(Shape.of(c.count()), -1, 1, new SplittableRandom(a.size()));
        double lhs = a.slice(c.start(), c.step(), c.count()).dot(b);
        double rhs = a.dot(b.unslice(a.shape(), c.start(), c.step()));
        assertEquals(lhs, rhs, 1e-9 * (1 + Math.abs(lhs)));
    }

    @Example
    void sliceReadsBackwardsWithANegativeStep() {
        Tensor m = Tensor.matrix(new double[] {1, 2, 3}, new double[] {4, 5, 6});
        assertEquals(Tensor.matrix(new double[] {6, 4}, new double[] {3, 1}),
                m.slice(new int[] {1, 2}, new int[] {-1, -2}, new int[] {2, 2}));
        assertEquals(Tensor.matrix(new double[] {2, 2, 2}), m.slice(new int[] {0, 1}, new int[] {1, 0}, new int[] {1, 3}));
        assertEquals(Shape.of(0, 3), m.slice(new int[] {7, 0}, new int[] {1, 1}, new int[] {0, 3}).shape());
        assertEquals(Tensor.scalar(7), Tensor.scalar(7).slice(new int[0], new int[0], new int[0]));
    }

    @Example
    void unsliceAddsUpPositionsThatCoincide() {
        Tensor v = Tensor.vector(1, 2, 3);
        assertEquals(Tensor.vector(0, 3, 0, 2, 0, 1), v.unslice(Shape.of(6), new int[] {5}, new int[] {-2}));
        assertEquals(Tensor.vector(0, 6), v.unslice(Shape.of(2), new int[] {1}, new int[] {0}));
    }

    @Example
    void sliceAndUnsliceRefusePositionsOutsideTheShape() {
        Tensor m = Tensor.zeros(Shape.of(2, 3));
        var e = assertThrows(IndexOutOfBoundsException.class,
                () -> m.slice(new int[] {0, 1}, new int[] {1, 2}, new int[] {2, 2}));
        assertEquals("slice: axis 1 reads 1 to 3 in steps of 2, outside [2, 3]", e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> m.slice(new int[] {0, 0}, new int[] {-1, 1}, new int[] {2, 1}));
        var u = assertThrows(IndexOutOfBoundsException.class,
                () -> Tensor.vector(1, 2).unslice(Shape.of(3), new int[] {2}, new int[] {1}));
        assertEquals("unslice: axis 0 reads 2 to 3 in steps of 1, outside [3]", u.getMessage());
        var r = assertThrows(IllegalArgumentException.class, () -> m.slice(new int[] {0}, new int[] {1}, new int[] {1}));
        assertEquals("slice of rank 2 with start [0], step [1] and count [1]", r.getMessage());
    }

    @Property(tries = 200, seed = "210", edgeCases = EdgeCasesMode.NONE)
    void concatPlacesEachPartAfterThePreviousOnes(@ForAll("concatenable") List<Tensor> parts, @ForAll boolean negative) {
        int rank = parts.get(0).rank();
        int axis = rank - 1;
        Tensor got = Tensor.concat(parts, negative ? -1 : axis);
        int offset = 0;
        for (Tensor p : parts) {
            for (int[] index : indices(p.shape())) {
                int[] to = index.clone();
                to[axis] += offset;
                assertEquals(p.get(index), got.get(to), 0.0);
            }
            offset += p.shape().dim(axis);
        }
        assertEquals(offset, got.shape().dim(axis));
    }

    @Example
    void concatJoinsAlongTheGivenAxis() {
        Tensor a = Tensor.matrix(new double[] {1, 2}, new double[] {3, 4});
        Tensor b = Tensor.matrix(new double[] {5}, new double[] {6});
        assertEquals(Tensor.matrix(new double[] {1, 2, 5}, new double[] {3, 4, 6}), Tensor.concat(List.of(a, b), 1));
        assertEquals(Tensor.matrix(new double[] {1, 2}, new double[] {3, 4}, new double[] {1, 2}, new double[] {3, 4}),
                Tensor.concat(List.of(a, a), -2));
        assertEquals(a, Tensor.concat(List.of(Tensor.zeros(Shape.of(0, 2)), a), 0));
    }

    @Example
    void concatRefusesPartsThatDoNotFit() {
        Tensor a = Tensor.zeros(Shape.of(2, 3));
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.concat(List.of(a, Tensor.zeros(Shape.of(3, 3))), 1));
        assertEquals("cannot concatenate [2, 3] and [3, 3] along axis 1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.concat(List.of(a, Tensor.zeros(Shape.of(3))), 0));
        assertThrows(IllegalArgumentException.class, () -> Tensor.concat(List.of(Tensor.scalar(1)), 0));
        var none = assertThrows(IllegalArgumentException.class, () -> Tensor.concat(List.of(), 0));
        assertEquals("concat of no tensors", none.getMessage());
    }

    // ---- reading -----------------------------------------------------------------------------

    @Example
    void getReadsRowMajor() {
        Tensor t = Tensor.of(new double[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 2, 3, 2);
        assertEquals(9.0, t.get(1, 1, 1));
        assertEquals(9.0, t.getFlat(9));
        assertEquals(2.5, Tensor.scalar(2.5).get());
    }

    @Example
    void getRefusesIndicesOfTheWrongLengthOrOutsideTheShape() {
        Tensor t = Tensor.zeros(Shape.of(2, 3));
        var e = assertThrows(IllegalArgumentException.class, () -> t.get(1));
        assertEquals("index [1] has 1 components; the tensor has shape [2, 3]", e.getMessage());
        var o = assertThrows(IndexOutOfBoundsException.class, () -> t.get(0, 3));
        assertEquals("index [0, 3] is outside shape [2, 3]", o.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(-1, 0));
    }

    @Example
    void itemNeedsExactlyOneElement() {
        assertEquals(4.0, Tensor.scalar(4).item());
        assertEquals(4.0, Tensor.of(new double[] {4}, 1, 1).item());
        var e = assertThrows(IllegalStateException.class, () -> Tensor.vector(1, 2).item());
        assertEquals("item() of a tensor of shape [2]", e.getMessage());
        assertThrows(IllegalStateException.class, () -> Tensor.vector().item());
    }

    @Example
    void tensorsCopyWhatTheyAreGivenAndWhatTheyHandOut() {
        double[] data = {1, 2};
        Tensor t = Tensor.vector(data);
        data[0] = 9;
        t.toArray()[1] = 9;
        assertEquals(Tensor.vector(1, 2), t);
    }

    @Example
    void constructionChecksTheNumberOfValues() {
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new double[] {1, 2, 3}, 2, 2));
        assertEquals("3 values do not fill a tensor of shape [2, 2] (4 elements)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.matrix(new double[] {1, 2}, new double[] {3}));
    }

    @Example
    void randomTensorsAreReproducibleFromTheirSeed() {
        Tensor a = Tensor.normal(Shape.of(3, 4), 2, 0.5, new SplittableRandom(7));
        assertEquals(a, Tensor.normal(Shape.of(3, 4), 2, 0.5, new SplittableRandom(7)));
        Tensor u = Tensor.uniform(Shape.of(1000), -2, 3, new SplittableRandom(8));
        for (double v : u.toArray()) assertTrue(v >= -2 && v < 3, () -> v + " is outside [-2, 3)");
    }

    // ---- allClose ------------------------------------------------------------------------------

    @Example
    void allCloseToleratesAtolPlusRtolTimesTheSecondOperand() {
        Tensor b = Tensor.vector(100, 0);
        assertTrue(Tensor.vector(100.5, 0).allClose(b, 1e-2, 0));         // 0.5 <= 0.01 * 100
        assertFalse(Tensor.vector(101.5, 0).allClose(b, 1e-2, 0));        // 1.5 > 1
        assertTrue(Tensor.vector(100, 1e-9).allClose(b, 0, 1e-8));        // 1e-9 <= atol
        assertFalse(Tensor.vector(100, 1e-7).allClose(b, 1e-2, 1e-8));    // rtol * 0 does not help at 0
        assertTrue(Tensor.vector(101.5, 0).allClose(b, 1e-2, 0.5));       // 1.5 <= 0.5 + 1
    }

    @Example
    void allCloseMatchesNaNWithNaNOnly() {
        assertTrue(Tensor.vector(Double.NaN, 1).allClose(Tensor.vector(Double.NaN, 1), 0, 0));
        assertFalse(Tensor.vector(Double.NaN).allClose(Tensor.vector(1), 1, 1));
        assertFalse(Tensor.vector(1).allClose(Tensor.vector(Double.NaN), 1, 1));
    }

    @Example
    void allCloseMatchesAnInfinityWithItselfOnly() {
        double inf = Double.POSITIVE_INFINITY;
        assertTrue(Tensor.vector(inf, -inf).allClose(Tensor.vector(inf, -inf), 0, 0));
        assertFalse(Tensor.vector(inf).allClose(Tensor.vector(-inf), 1e-5, 1e-8));
        assertFalse(Tensor.vector(1).allClose(Tensor.vector(inf), 1e-5, 1e-8));
        assertFalse(Tensor.vector(inf).allClose(Tensor.vector(1), 1e-5, 1e-8));
        assertFalse(Tensor.vector(Double.MAX_VALUE).allClose(Tensor.vector(inf), 1e-5, 1e-8));
    }

    @Example
    void allCloseIsFalseForShapesThatDiffer() {
        assertFalse(Tensor.vector(1, 2).allClose(Tensor.of(new double[] {1, 2}, 1, 2), 1, 1));
        assertFalse(Tensor.scalar(1).allClose(Tensor.vector(1), 1, 1));   // even where broadcasting would fit
        assertTrue(Tensor.vector().allClose(Tensor.vector(), 0, 0));
    }

    // ---- equality and printing -----------------------------------------------------------------

    @Example
    void equalTensorsHaveEqualHashCodes() {
        Tensor a = Tensor.matrix(new double[] {1, Double.NaN}, new double[] {3, 4});
        Tensor b = Tensor.of(new double[] {1, Double.NaN, 3, 4}, 2, 2);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, a.reshape(Shape.of(4)));                 // same values, another shape
        assertNotEquals(a, Tensor.of(new double[] {1, Double.NaN, 3, 5}, 2, 2));
        assertNotEquals(Tensor.zeros(Shape.of(0)), Tensor.zeros(Shape.of(0, 0)));
    }

    @Example
    void tensorsPrintLikeNestedLists() {
        assertEquals("[[1, 2.5], [3, 4]]", Tensor.matrix(new double[] {1, 2.5}, new double[] {3, 4}).toString());
        assertEquals("7", Tensor.scalar(7).toString());
        assertEquals("[-3, 0.1, 1e-7, 1.23457e8]", Tensor.vector(-3, 0.1, 1e-7, 123456789.5).toString());
        assertEquals("[[[1]]]", Tensor.of(new double[] {1}, 1, 1, 1).toString());
    }

    @Example
    void specialValuesPrintReadably() {
        assertEquals("[-0, 0, NaN, Infinity, -Infinity]",
                Tensor.vector(-0.0, 0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY).toString());
        assertEquals("1e15", Tensor.scalar(1e15).toString());
        assertEquals("123456789012345", Tensor.scalar(123456789012345.0).toString());
    }

    @Example
    void emptyTensorsPrintAsEmptyLists() {
        assertEquals("[]", Tensor.vector().toString());
        assertEquals("[[], []]", Tensor.zeros(Shape.of(2, 0)).toString());
        assertEquals("[]", Tensor.zeros(Shape.of(0, 2)).toString());
    }

    @Example
    void longAxesAreElidedInTheMiddle() {
        double[] ten = new double[10];
        for (int i = 0; i < ten.length; i++) ten[i] = i;
        assertEquals("[0, 1, 2, ..., 7, 8, 9]", Tensor.vector(ten).toString());
        assertEquals("[0, 1, 2, 3, 4, 5, 6]", Tensor.vector(0, 1, 2, 3, 4, 5, 6).toString()); // 7: nothing to elide
        assertEquals("[0, 1, 2, ..., 5, 6, 7]", Tensor.vector(0, 1, 2, 3, 4, 5, 6, 7).toString());
        String big = Tensor.zeros(Shape.of(10, 10)).toString();
        assertEquals("[[0, 0, 0, ..., 0, 0, 0], [0, 0, 0, ..., 0, 0, 0], [0, 0, 0, ..., 0, 0, 0], ..., "
                + "[0, 0, 0, ..., 0, 0, 0], [0, 0, 0, ..., 0, 0, 0], [0, 0, 0, ..., 0, 0, 0]]", big);
    }

    // ---- f32 --------------------------------------------------------------------------------------

    private static final Shape FOUR = Shape.of(4);

    @Example
    void anF32TensorHoldsEachValueRoundedToTheNearestFloat() {
        double[] values = {0.1, 1 + 0x1p-30, 1e40, -1e-50, Double.NaN, -0.0};
        Tensor t = Tensor.of(DType.F32, Shape.of(6), values);
        assertEquals(DType.F32, t.dtype());
        assertArrayEquals(new double[] {(float) 0.1, 1, Double.POSITIVE_INFINITY, -0.0, Double.NaN, -0.0}, t.toArray());
        assertEquals(0.1, values[0]); // the array given is copied, not rounded in place
        assertEquals((float) 0.1, Tensor.scalar(DType.F32, 0.1).item());
        assertEquals((float) 0.3, Tensor.full(DType.F32, FOUR, 0.3).getFlat(3));
    }

    // rounding the double result once is IEEE float arithmetic for + - * / and sqrt, because a
    // double carries more than 2p + 2 bits of a float's p = 24 (Figueroa 1995)
    @Property(tries = 100, seed = "801")
    void f32ArithmeticIsIeeeFloatArithmetic(@ForAll float a, @ForAll float b) {
        Tensor x = Tensor.scalar(DType.F32, a), y = Tensor.scalar(DType.F32, b);
        assertEquals(a + b, (float) x.add(y).item());
        assertEquals(a - b, (float) x.sub(y).item());
        assertEquals(a * b, (float) x.mul(y).item());
        assertEquals(a / b, (float) x.div(y).item());
    }

    @Example
    void everyOperationKeepsTheF32Dtype() {
        Tensor m = Tensor.of(DType.F32, Shape.of(2, 3), new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6});
        Tensor row = Tensor.of(DType.F32, Shape.of(3), new double[] {1.1, 2.2, 3.3});
        var results = List.of(m.map(Math::exp), m.zip(row, Math::pow), m.add(row), m.sub(row), m.mul(row), m.div(row),
                row.broadcastTo(Shape.of(2, 3)), m.reduce(new int[] {1}, true, 0, Double::sum), m.sum(new int[] {0}, false),
                m.sumTo(Shape.of(3)), m.matmul(m.transpose()), row.matmul(row), Tensor.gemm(m, false, m, true),
                Tensor.gemm(m, true, m, false, row), m.transpose(), m.transpose(1, 0), m.reshape(Shape.of(6)),
                m.slice(new int[] {0, 2}, new int[] {1, -1}, new int[] {2, 2}),
                row.unslice(Shape.of(5), new int[] {1}, new int[] {1}), Tensor.concat(List.of(m, m), 0),
                m.astype(DType.F64).astype(DType.F32));
        for (Tensor r : results) assertEquals(DType.F32, r.dtype(), r::toString);
        for (Tensor r : results) assertEquals(r, r.astype(DType.F64).astype(DType.F32)); // only floats inside
    }

    @Example
    void resultsAreRoundedOnceFromTheDoubleComputation() {
        Tensor third = Tensor.of(DType.F32, FOUR, new double[] {1, 1, 1, 1}).map(v -> v / 3);
        assertEquals((float) (1.0 / 3), third.getFlat(0));
        // the sum is accumulated in double and rounded once: 2^24 + 1 + 1 is exact there, not in float
        Tensor big = Tensor.of(DType.F32, Shape.of(3), new double[] {0x1p24, 1, 1});
        assertEquals(0x1p24 + 2, big.sum(new int[] {0}, false).item());
        assertEquals(0x1p24 + 2, big.sum());
    }

    @Example
    void tensorsOfTwoDtypesAreAnErrorNamingBoth() {
        Tensor a = Tensor.zeros(DType.F32, Shape.of(2, 3)), b = Tensor.zeros(Shape.of(3));
        assertEquals("zip of tensors of different dtypes: f32[2, 3] and [3]",
                assertThrows(IllegalArgumentException.class, () -> a.add(b)).getMessage());
        assertEquals("matmul of tensors of different dtypes: f32[2, 3] and [3, 2]",
                assertThrows(IllegalArgumentException.class, () -> a.matmul(Tensor.zeros(Shape.of(3, 2)))).getMessage());
        assertEquals("gemm of tensors of different dtypes: f32[2, 3] and [3]", assertThrows(IllegalArgumentException.class,
                () -> Tensor.gemm(a, false, a, true, b)).getMessage());
        assertEquals("concat of tensors of different dtypes: f32[2, 3] and [3]",
                assertThrows(IllegalArgumentException.class, () -> Tensor.concat(List.of(a, b), 0)).getMessage());
        assertEquals("dot of tensors of different dtypes: [3] and f32[2, 3]",
                assertThrows(IllegalArgumentException.class, () -> b.dot(a)).getMessage());
    }

    @Example
    void astypeRoundsToF32AndWidensToF64Exactly() {
        Tensor t = Tensor.vector(0.1, 1e40, 3);
        Tensor f = t.astype(DType.F32);
        assertEquals(Tensor.of(DType.F32, Shape.of(3), new double[] {0.1, 1e40, 3}), f);
        assertArrayEquals(new double[] {(float) 0.1, Double.POSITIVE_INFINITY, 3}, f.astype(DType.F64).toArray());
        assertEquals(DType.F64, f.astype(DType.F64).dtype());
        assertSame(t, t.astype(DType.F64));
        assertSame(f, f.astype(DType.F32));
    }

    @Example
    void factoriesTakeADtype() {
        assertEquals(DType.F32, Tensor.zeros(DType.F32, FOUR).dtype());
        assertEquals(Tensor.full(DType.F32, FOUR, 1), Tensor.ones(DType.F32, FOUR));
        assertEquals(DType.F64, Tensor.zeros(FOUR).dtype());
        assertEquals(DType.F64, Tensor.full(FOUR, 2).dtype());
        assertEquals(DType.F64, Tensor.vector(1, 2).dtype());
    }

    @Example
    void f32DrawsAreTheF64DrawsOfTheSameStreamRounded() {
        Shape s = Shape.of(50);
        assertEquals(Tensor.normal(s, 1, 2, new SplittableRandom(3)).astype(DType.F32),
                Tensor.normal(DType.F32, s, 1, 2, new SplittableRandom(3)));
        assertEquals(Tensor.uniform(s, -1, 1, new SplittableRandom(4)).astype(DType.F32),
                Tensor.uniform(DType.F32, s, -1, 1, new SplittableRandom(4)));
    }

    @Example
    void anF32UniformDrawNeverReachesTheUpperBound() {
        // the largest double below 1, which rounds up to the float 1
        RandomGenerator highest = new RandomGenerator() {
            public long nextLong() { return -1L; }
            public double nextDouble() { return Math.nextDown(1.0); }
        };
        assertEquals(Math.nextDown(1f), Tensor.uniform(DType.F32, FOUR, 0, 1, highest).getFlat(0));
        assertEquals(Math.nextDown(1.0), Tensor.uniform(FOUR, 0, 1, highest).getFlat(0));
        assertTrue(Tensor.uniform(DType.F32, FOUR, 0, 0.1, highest).getFlat(0) < 0.1);
    }

    @Example
    void equalityTellsTheDtypesApart() {
        Tensor f64 = Tensor.vector(1, 2), f32 = f64.astype(DType.F32);
        assertNotEquals(f64, f32);
        assertNotEquals(f64.hashCode(), f32.hashCode());
        assertEquals(f32, Tensor.of(DType.F32, Shape.of(2), new double[] {1, 2}));
    }

    @Example
    void anF32TensorSaysItsDtypeWhenPrinted() {
        assertEquals("[[1, 2.5], [0.1, 4]] (f32)",
                Tensor.of(DType.F32, Shape.of(2, 2), new double[] {1, 2.5, 0.1, 4}).toString());
        assertEquals("7 (f32)", Tensor.scalar(DType.F32, 7).toString());
        assertEquals("[1, 2]", Tensor.vector(1, 2).toString());
    }

    // ---- arbitraries ------------------------------------------------------------------------------

    @Provide
    Arbitrary<List<Tensor>> broadcastableTensors() {
        return Tensors.broadcastablePairs().flatMap(p -> Combinators
                .combine(Tensors.withShape(p.get(0)).any(), Tensors.withShape(p.get(1)).any()).as(List::of));
    }

    /** A tensor {@code a} and a tensor {@code b} of a shape that {@code a} broadcasts to. */
    @Provide
    Arbitrary<List<Tensor>> adjointCases() {
        return Tensors.broadcastablePairs().flatMap(p -> Combinators
                .combine(Tensors.withShape(p.get(0)).any(),
                        Tensors.withShape(Shape.broadcast(p.get(0), p.get(1))).any())
                .as(List::of));
    }

    /** Operands of ranks 1 and 2 whose inner dims agree; any dim may be 0. */
    @Provide
    Arbitrary<List<Tensor>> matmulOperands() {
        var dim = Arbitraries.integers().between(0, 5);
        return Combinators.combine(dim, dim, dim, Arbitraries.of(1, 2), Arbitraries.of(1, 2))
                .as((m, k, n, leftRank, rightRank) -> List.of(
                        leftRank == 2 ? Shape.of(m, k) : Shape.of(k),
                        rightRank == 2 ? Shape.of(k, n) : Shape.of(k)))
                .flatMap(s -> Combinators.combine(Tensors.withShape(s.get(0)).any(), Tensors.withShape(s.get(1)).any())
                        .as(List::of));
    }

    /** Operands of a GEMM as stored, its flags, and a bias (null for none) that broadcasts to the product. */
    record Gemm(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c) {}

    @Provide
    Arbitrary<Gemm> gemmOperands() {
        var dim = Arbitraries.integers().between(0, 5);
        var flag = Arbitraries.of(false, true);
        return Combinators.combine(dim, dim, dim, flag, flag, Arbitraries.integers().between(0, 5)).flatAs((m, k, n, ta, tb, bias) -> {
            Shape a = ta ? Shape.of(k, m) : Shape.of(m, k), b = tb ? Shape.of(n, k) : Shape.of(k, n);
            Shape[] biases = {Shape.of(n), Shape.of(1, n), Shape.of(m, 1), Shape.scalar(), Shape.of(m, n)};
            Arbitrary<Tensor> c = bias == 5 ? Arbitraries.just(null) : Tensors.withShape(biases[bias]).any();
            return Combinators.combine(Tensors.withShape(a).any(), Tensors.withShape(b).any(), c)
                    .as((x, y, z) -> new Gemm(x, ta, y, tb, z));
        });
    }

    /** A tensor and a permutation of its axes, written with negative axes some of the time. */
    record Permuted(Tensor tensor, int[] perm) {}

    @Provide
    Arbitrary<Permuted> permutedTensors() {
        return Tensors.smallShapesWithEmpty().any().flatMap(t -> {
            var axes = new ArrayList<Integer>();
            for (int a = 0; a < t.rank(); a++) axes.add(a);
            return Combinators.combine(Arbitraries.shuffle(axes), Arbitraries.of(false, true))
                    .as((p, negative) -> new Permuted(t,
                            p.stream().mapToInt(a -> negative ? a - t.rank() : a).toArray()));
        });
    }

    /** A tensor and, per axis, a start, a step (any sign, or 0) and a count that stay inside it. */
    record Strided(Tensor tensor, int[] start, int[] step, int[] count) {}

    @Provide
    Arbitrary<Strided> strided() {
        return Tensors.smallShapesWithEmpty().any().flatMap(t -> {
            var axes = new ArrayList<Arbitrary<int[]>>();
            for (int a = 0; a < t.rank(); a++) axes.add(stridedAxis(t.shape().dim(a)));
            return Combinators.combine(axes).as(list -> new Strided(t,
                    list.stream().mapToInt(s -> s[0]).toArray(),
                    list.stream().mapToInt(s -> s[1]).toArray(),
                    list.stream().mapToInt(s -> s[2]).toArray()));
        });
    }

    /** {start, step, count} for an axis of size n. */
    private static Arbitrary<int[]> stridedAxis(int n) {
        var step = Arbitraries.integers().between(-3, 3);
        if (n == 0) return step.map(s -> new int[] {0, s, 0});
        return Combinators.combine(Arbitraries.integers().between(0, n - 1), step).as((start, s) -> new int[] {start, s})
                .flatMap(ss -> {
                    int start = ss[0], s = ss[1];
                    int max = s > 0 ? (n - 1 - start) / s + 1 : s < 0 ? start / -s + 1 : 4;
                    return Arbitraries.integers().between(0, max).map(count -> new int[] {start, s, count});
                });
    }

    /** One to three tensors of one rank (1 to 3) whose dims agree except on the last axis. */
    @Provide
    Arbitrary<List<Tensor>> concatenable() {
        return Tensors.shapes(3, 0, 3).filter(s -> s.rank() > 0).flatMap(base ->
                Arbitraries.integers().between(0, 3).list().ofMinSize(1).ofMaxSize(3).flatMap(lasts -> {
                    var parts = new ArrayList<Arbitrary<Tensor>>();
                    for (int last : lasts) {
                        int[] dims = base.dims();
                        dims[dims.length - 1] = last;
                        parts.add(Tensors.withShape(Shape.of(dims)).any());
                    }
                    return Combinators.combine(parts).as(List::copyOf);
                }));
    }

    @Provide
    Arbitrary<Tensor> anyWithEmpty() { return Tensors.smallShapesWithEmpty().any(); }

    @Provide
    Arbitrary<Tensor> matricesAndUp() { return Tensors.withShapes(Tensors.shapes(4, 0, 4).filter(s -> s.rank() >= 2)).any(); }

    // ---- naive references -------------------------------------------------------------------------

    /** Every index of a shape, in row-major order. */
    private static List<int[]> indices(Shape shape) {
        var out = new ArrayList<int[]>();
        if (shape.size() == 0) return out;
        int[] index = new int[shape.rank()];
        while (true) {
            out.add(index.clone());
            int axis = shape.rank() - 1;
            while (axis >= 0 && ++index[axis] == shape.dim(axis)) index[axis--] = 0;
            if (axis < 0) return out;
        }
    }

    /** The index into an operand of shape {@code s} read at {@code index} of the broadcast result. */
    private static int[] broadcastIndex(int[] index, Shape s) {
        int shift = index.length - s.rank();
        int[] out = new int[s.rank()];
        for (int i = 0; i < out.length; i++) out[i] = s.dim(i) == 1 ? 0 : index[i + shift];
        return out;
    }

    private static int flat(int[] index, Shape shape) {
        int f = 0;
        for (int i = 0; i < index.length; i++) f = f * shape.dim(i) + index[i];
        return f;
    }

    private static Tensor naiveMatmul(Tensor a, Tensor b) {
        int m = a.shape().dim(0), k = a.shape().dim(1), n = b.shape().dim(1);
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int l = 0; l < k; l++) s += a.get(i, l) * b.get(l, j);
                out[i * n + j] = s;
            }
        }
        return Tensor.of(out, m, n);
    }
}
