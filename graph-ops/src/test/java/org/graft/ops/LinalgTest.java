package org.graft.ops;

import static org.graft.ops.Ops.gemm;
import static org.graft.ops.Ops.scaledGemm;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.sigmoid;
import static org.graft.ops.Ops.solve;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.tanh;
import static org.graft.ops.Ops.transpose;
import static org.graft.ops.Ops.vdot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.GraftException;
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

class LinalgTest {

    @Property(tries = 100)
    void matmulGradientMatchesFiniteDifferencesForEveryRankPair(@ForAll("products") List<Tensor> ab) {
        GradCheck.of(Ops::matmul).at(ab.get(0), ab.get(1)).assertClose();
    }

    @Property(tries = 100)
    void transposeGradientMatchesFiniteDifferences(@ForAll("matrices") Tensor x) {
        GradCheck.of(v -> transpose(v)).at(x).assertClose();
    }

    @Property(tries = 100)
    void permutationGradientMatchesFiniteDifferences(@ForAll("permuted") Permuted c) {
        GradCheck.of(v -> transpose(v, c.perm())).at(c.x()).assertClose();
        GradCheck.of(v -> GradTable.grad(sum(square(transpose(v, c.perm()))), v)).at(c.x()).assertClose();
    }

    /**
     * An f32 vdot is the f64 kernel's sum over the same values rounded once, and that sum is within
     * the classical bound of the exact one, at lengths around its four running sums' period.
     */
    @Property(tries = 40)
    void anF32DotIsTheF64OneRoundedAndBothAreWithinRounding(@ForAll("dotLengths") int n, @ForAll long seed) {
        var random = new java.util.SplittableRandom(seed);
        Tensor a = Tensor.uniform(DType.F32, Shape.of(n), -1, 1, random), b = Tensor.uniform(DType.F32, Shape.of(n), -1, 1, random);
        Input x = new Input("x", Type.f32(n)), y = new Input("y", Type.f32(n));
        Input xd = new Input("x", Type.f64(n)), yd = new Input("y", Type.f64(n));
        Tensor f32 = Compiler.compile(List.of(x, y), List.of(vdot(x, y))).call(a, b).get(0);
        Tensor f64 = Compiler.compile(List.of(xd, yd), List.of(vdot(xd, yd))).call(a.astype(DType.F64), b.astype(DType.F64)).get(0);
        assertEquals(DType.F32, f32.dtype());
        assertEquals((float) f64.getFlat(0), (float) f32.getFlat(0));
        java.math.BigDecimal exact = java.math.BigDecimal.ZERO;
        double magnitude = 0;
        for (int i = 0; i < n; i++) {
            exact = exact.add(new java.math.BigDecimal(a.getFlat(i)).multiply(new java.math.BigDecimal(b.getFlat(i))));
            magnitude += Math.abs(a.getFlat(i) * b.getFlat(i));
        }
        double error = Math.abs(exact.subtract(new java.math.BigDecimal(f64.getFlat(0))).doubleValue());
        assertTrue(error <= n * Math.ulp(1.0) * magnitude, () -> "off by " + error);
    }

    /**
     * Lengths around the kernels' four running sums (below 256), their 256 lanes, their chunks of
     * 16,384 and the 65,536 from which the chunks are shared over the threads.
     */
    @Provide
    Arbitrary<Integer> dotLengths() {
        return Arbitraries.oneOf(Arbitraries.integers().between(0, 3000),
                Arbitraries.of(Linalg.DotSums.CHUNK, Linalg.DotSums.PARALLEL_FROM).flatMap(k -> Arbitraries.integers().between(k - 300, k + 300)),
                Arbitraries.integers().between(3 * Linalg.DotSums.CHUNK, 7 * Linalg.DotSums.CHUNK));
    }

    /** The chunks' sums are added in their order whichever thread computed them: the same bits on one thread and two. */
    @Property(tries = 20)
    void aDotGivesTheSameBitsOnOneThreadAndOnTwo(@ForAll("dotLengths") int n, @ForAll long seed) {
        assertEquals(2, org.graft.core.blas.Parallel.shared().parts(), "graph-ops's surefire runs set graft.threads=2");
        var random = new java.util.SplittableRandom(seed);
        double[] a = new double[n], b = new double[n];
        float[] af = new float[n], bf = new float[n];
        for (int i = 0; i < n; i++) {
            af[i] = (float) (random.nextDouble() * 2 - 1);
            bf[i] = (float) (random.nextDouble() * 2 - 1);
            a[i] = af[i];
            b[i] = bf[i];
        }
        var one = new Linalg.DotSums(n, null);
        var two = new Linalg.DotSums(n, org.graft.core.blas.Parallel.shared());
        assertEquals(Double.doubleToLongBits(one.of(a, b)), Double.doubleToLongBits(two.of(a, b)));
        assertEquals(Double.doubleToLongBits(one.of(a, a)), Double.doubleToLongBits(two.of(a, a)));
        // the floats' products are exact in double, so f32 sums are the f64 ones on the widened values, x·x too
        assertEquals(Double.doubleToLongBits(one.of(a, b)), Double.doubleToLongBits(two.of(af, bf)));
        assertEquals(Double.doubleToLongBits(one.of(a, a)), Double.doubleToLongBits(two.of(af, af)));
    }

    @Example
    void aPermutationMovesAxesAsNumpyDoes() {
        Tensor x = Tensor.of(IntStream.range(0, 24).asDoubleStream().toArray(), 2, 3, 4);
        Input in = input("x", 2, 3, 4);
        Tensor y = Compiler.compile(List.of(in), List.of(transpose(in, 2, 0, 1))).call(x).get(0);
        assertEquals(Shape.of(4, 2, 3), y.shape());
        assertEquals(x.get(1, 2, 3), y.get(3, 1, 2));  // y[k, i, j] = x[i, j, k]
        assertEquals(Type.f64("n", 4, 3), transpose(input("z", "n", 3, 4)).type());
    }

    // second order through matmul compositions: Hessian-vector products of small networks
    @Property(tries = 50)
    void gradientsOfMatmulCompositionsDifferentiateAgain(@ForAll("products") List<Tensor> ab) {
        GradCheck.of((a, b) -> GradTable.grad(sum(sigmoid(matmul(a, b))), b)).at(ab.get(0), ab.get(1)).assertClose();
        GradCheck.of((a, b) -> GradTable.grad(sum(tanh(matmul(a, b))), a)).at(ab.get(0), ab.get(1)).assertClose();
    }

    @Example
    void matmulTypesFollowNumpyForVectors() {
        Input m = input("m", "n", 3), v = input("v", 3), w = input("w", "n");
        assertEquals(Type.f64("n"), matmul(m, v).type());
        assertEquals(Type.f64(3), matmul(w, m).type());
        assertEquals(Type.f64(), matmul(v, v).type());
        assertEquals(Type.f64(3, 3), matmul(transpose(m), m).type());
    }

    @Example
    void mismatchedInnerDimensionsNameBothShapes() {
        Input h = input("h", "n", 128);
        Input w2 = input("W2", 64, 10);
        var e = assertThrows(ShapeError.class, () -> matmul(h, w2));
        assertEquals("matmul(h, W2): inner dimensions differ: [n, 128] @ [64, 10]", e.getMessage());
        assertThrows(ShapeError.class, () -> matmul(input("s"), w2));
    }

    @Example
    void aPermutationThatDoesNotFitSaysWhy() {
        Input v = input("v", 3), x = input("x", 2, 3);
        assertEquals("transpose(v): perm [1, 0] has 2 axes, but [3] has rank 1",
                assertThrows(ShapeError.class, () -> transpose(v)).getMessage());
        assertEquals("transpose(x): perm [0, 0] is not a permutation of the axes of [2, 3]",
                assertThrows(ShapeError.class, () -> transpose(x, 0, 0)).getMessage());
    }

    // ---- gemm and vdot, the specialized products ----------------------------------------------

    @Property(tries = 100)
    void gemmGradientMatchesFiniteDifferencesForEveryFlagAndBias(@ForAll("gemms") GemmCase g) {
        GradCheck.ofList(g::build).at(g.values().toArray(new Tensor[0])).assertClose();
    }

    // its bprop is built of GEMMs again, so a second derivative goes through it twice
    @Property(tries = 50)
    void gemmGradientsDifferentiateAgain(@ForAll("gemms") GemmCase g) {
        GradCheck.ofList(in -> GradTable.grad(sum(sigmoid(g.build(in))), in.get(0))).at(g.values().toArray(new Tensor[0]))
                .assertClose();
    }

    @Property(tries = 100)
    void vdotGradientMatchesFiniteDifferences(@ForAll("sameShapePairs") List<Tensor> xy) {
        GradCheck.of(Ops::vdot).at(xy.get(0), xy.get(1)).assertClose();
        GradCheck.of(v -> GradTable.grad(vdot(v, tanh(v)), v)).at(xy.get(0)).assertClose();
    }

    @Example
    void gemmIsTheMatmulOfItsOperandsAsTheFlagsTransposeThemPlusTheBias() {
        Tensor a = Tensor.matrix(new double[] {1, 2}, new double[] {3, 4}, new double[] {5, 6});   // [3, 2]
        Tensor b = Tensor.matrix(new double[] {1, 0, -1}, new double[] {2, 1, 0});                // [2, 3]
        Tensor c = Tensor.vector(10, 20, 30);
        Input x = input("a", 3, 2), y = input("b", 2, 3), z = input("c", 3);
        var f = Compiler.compile(List.of(x, y, z), List.of(gemm(x, y, z, false, false), gemm(y, x, true, true),
                gemm(x, x, true, false), gemm(y, y, false, true)));
        List<Tensor> out = f.call(a, b, c);
        assertEquals(a.matmul(b).add(c), out.get(0));
        assertEquals(b.transpose().matmul(a.transpose()), out.get(1));
        assertEquals(a.transpose().matmul(a), out.get(2));
        assertEquals(b.matmul(b.transpose()), out.get(3));
        assertEquals("gemm{transA=true, transB=false}", new Linalg.Gemm(true, false).describe());
        assertEquals("gemm{transA=false, transB=true, alpha=-2.0, scaled}", new Linalg.Gemm(false, true, -2, true).describe());
        assertEquals(Type.f64("n", "m"), gemm(input("p", 5, "n"), input("q", "m", 5), input("r", 1, "m"), true, true).type());
    }

    @Example
    void aScaledGemmMultipliesTheProductByAlphaTimesTheScaleItReadsWhenItRunsInEitherDtype() {
        Tensor a = Tensor.matrix(new double[] {1, 2}, new double[] {3, 4}, new double[] {5, 6});   // [3, 2]
        Tensor b = Tensor.matrix(new double[] {1, 0, -1}, new double[] {2, 1, 0});                // [2, 3]
        Tensor c = Tensor.vector(10, 20, 30);
        for (DType dtype : DType.values()) {
            Input x = new Input("a", Type.of(dtype, 3, 2)), y = new Input("b", Type.of(dtype, 2, 3)), z = new Input("c", Type.of(dtype, 3));
            Input s = new Input("s", Type.of(dtype));
            var f = Compiler.compile(List.of(x, y, z, s), List.of(scaledGemm(x, y, s, z, false, false, -2), scaledGemm(y, x, s, true, true, 1)));
            for (double scale : new double[] {3, 0.5}) {
                List<Tensor> out = f.call(a.astype(dtype), b.astype(dtype), c.astype(dtype), Tensor.scalar(dtype, scale));
                assertEquals(a.matmul(b).map(v -> -2 * scale * v).add(c).astype(dtype), out.get(0), dtype + " at " + scale);
                assertEquals(b.transpose().matmul(a.transpose()).map(v -> scale * v).astype(dtype), out.get(1), dtype + " at " + scale);
            }
        }
        assertEquals("gemm(a, b, c): the scale [3] is not a scalar of the product's dtype f64",
                assertThrows(ShapeError.class, () -> scaledGemm(input("a", 2, 2), input("b", 2, 2), input("c", 3), false, false, 1)).getMessage());
    }

    @Example
    void vdotIsTheSumOfTheElementwiseProductsForEveryShape() {
        Input x = input("x", 2, 2), s = input("s"), e = input("e", 0, 3);
        var f = Compiler.compile(List.of(x, s, e), List.of(vdot(x, x), vdot(s, s), vdot(e, e)));
        List<Tensor> out = f.call(Tensor.matrix(new double[] {1, 2}, new double[] {3, 4}), Tensor.scalar(-3),
                Tensor.zeros(Shape.of(0, 3)));
        assertEquals(List.of(Tensor.scalar(30), Tensor.scalar(9), Tensor.scalar(0)), out);
        assertEquals("vdot", vdot(x, x).op().name());
    }

    @Example
    void gemmAndVdotShapeErrorsNameTheOperandsAsTheyAreRead() {
        Input a = input("a", 2, 3), b = input("b", 3, 2), v = input("v", 3), w = input("w", "n", 3);
        assertEquals("gemm(a, b): inner dimensions differ: [2, 3].T @ [3, 2]",
                assertThrows(ShapeError.class, () -> gemm(a, b, true, false)).getMessage());
        assertEquals("gemm(a, v): takes operands of rank 2, found [2, 3] @ [3].T",
                assertThrows(ShapeError.class, () -> gemm(a, v, false, true)).getMessage());
        assertEquals("gemm(a, b, a): the bias [2, 3] does not broadcast to the product's [2, 2]",
                assertThrows(ShapeError.class, () -> gemm(a, b, a, false, false)).getMessage());
        assertEquals("gemm(a, b, w): the bias [n, 3] does not broadcast to the product's [3, 3]",
                assertThrows(ShapeError.class, () -> gemm(a, b, w, true, true)).getMessage());
        assertEquals("vdot(a, b): takes operands of the same type, found [2, 3] and [3, 2]",
                assertThrows(ShapeError.class, () -> vdot(a, b)).getMessage());
        assertThrows(ShapeError.class, () -> vdot(v, input("u", "n")));
    }

    @Property(tries = 100)
    void solveGradientMatchesFiniteDifferences(@ForAll("systems") List<Tensor> ab) {
        GradCheck.of(Ops::solve).at(ab.get(0), ab.get(1)).assertClose();
    }

    @Property(tries = 50)
    void solveGradientsDifferentiateAgain(@ForAll("systems") List<Tensor> ab) {
        GradCheck.of((a, b) -> GradTable.grad(sum(square(solve(a, b))), a)).at(ab.get(0), ab.get(1)).assertClose();
    }

    @Property(tries = 100)
    void solveFindsTheXThatTheMatrixMultipliesBackIntoB(@ForAll("systems") List<Tensor> ab) {
        Input a = new Input("a", Type.of(ab.get(0))), b = new Input("b", Type.of(ab.get(1)));
        List<Tensor> out = Compiler.compile(List.of(a, b), List.of(matmul(a, solve(a, b)))).call(ab.get(0), ab.get(1));
        assertTrue(out.get(0).allClose(ab.get(1), 1e-12, 1e-12), () -> out.get(0) + " for " + ab.get(1));
    }

    @Example
    void solveAndItsGradientRunOnKernelsInEitherDtype() {
        for (var dtype : List.of(org.graft.core.tensor.DType.F64, org.graft.core.tensor.DType.F32)) {
            Input a = new Input("a", Type.of(dtype, 2, 2)), b = new Input("b", Type.of(dtype, 2, 3));
            var f = Compiler.compile(List.of(a, b), GradTable.grad(sum(square(solve(a, b))), List.of(a, b)));
            f.run(Tensor.matrix(new double[] {2, 1}, new double[] {1, 3}).astype(dtype), Tensor.ones(Shape.of(2, 3)).astype(dtype));
            assertEquals(List.of(), f.fallbacks(), dtype.toString());
        }
    }

    @Example
    void solvePivotsPastAZeroOnTheDiagonal() {
        // [[0, 1], [1, 0]] x = [2, 3]: the first column's pivot is in the second row
        Input a = input("a", 2, 2), b = input("b", 2);
        Tensor x = Compiler.compile(List.of(a, b), List.of(solve(a, b))).call(Tensor.matrix(new double[] {0, 1}, new double[] {1, 0}),
                Tensor.vector(2, 3)).get(0);
        assertEquals(Tensor.vector(3, 2), x);
    }

    @Example
    void aSingularMatrixIsAnErrorWhenTheValuesAreFed() {
        Input a = input("a", 2, 2), b = input("b", 2);
        var f = Compiler.compile(List.of(a, b), List.of(solve(a, b)));
        var e = assertThrows(GraftException.class, () -> f.call(Tensor.matrix(new double[] {1, 2}, new double[] {2, 4}), Tensor.vector(1, 1)));
        assertEquals("solve(a, b): a is singular: elimination finds no nonzero pivot in column 1", e.getMessage());
    }

    @Example
    void solveShapeErrorsSayWhatDoesNotFit() {
        Input a = input("a", 2, 3), s = input("s", "n", "n"), b = input("b", 3), c = input("c", 2, 2, 2);
        assertEquals("solve(a, b): a must be a square matrix, found [2, 3]", assertThrows(ShapeError.class, () -> solve(a, b)).getMessage());
        assertEquals("solve(s, b): a [n, n] has n rows, b [3] has 3", assertThrows(ShapeError.class, () -> solve(s, b)).getMessage());
        assertEquals("solve(s, c): b must be a vector or a matrix, found [2, 2, 2]",
                assertThrows(ShapeError.class, () -> solve(s, c)).getMessage());
        assertEquals(Type.f64("n", 4), solve(s, input("d", "n", 4)).type());
    }

    /**
     * A GEMM's operands as stored, its flags, whether a scalar scales it (the third value, with an
     * alpha of -1.5 beside it), and whether it has a bias (the value after).
     */
    record GemmCase(List<Tensor> values, boolean transA, boolean transB, boolean scaled) {
        Node build(List<Node> in) {
            Node a = in.get(0), b = in.get(1);
            if (scaled) {
                return in.size() == 3 ? scaledGemm(a, b, in.get(2), transA, transB, -1.5) : scaledGemm(a, b, in.get(2), in.get(3), transA, transB, -1.5);
            }
            return in.size() == 2 ? gemm(a, b, transA, transB) : gemm(a, b, in.get(2), transA, transB);
        }
    }

    @Provide
    Arbitrary<GemmCase> gemms() {
        var dim = Arbitraries.integers().between(1, 4);
        var flag = Arbitraries.of(false, true);
        return Combinators.combine(dim, dim, dim, flag, flag, Arbitraries.integers().between(0, 9)).flatAs((m, k, n, ta, tb, kind) -> {
            int bias = kind % 5;
            boolean scaled = kind >= 5;
            var shapes = new ArrayList<>(List.of(ta ? Shape.of(k, m) : Shape.of(m, k), tb ? Shape.of(n, k) : Shape.of(k, n)));
            if (scaled) shapes.add(Shape.scalar());
            if (bias < 4) shapes.add(List.of(Shape.of(n), Shape.of(1, n), Shape.of(m, 1), Shape.of(m, n)).get(bias));
            return Combinators.combine(shapes.stream().map(s -> Tensors.withShape(s).any()).toList())
                    .as(values -> new GemmCase(values, ta, tb, scaled));
        });
    }

    /**
     * A well-conditioned system a x = b, b a vector or a matrix: a's rows are those of a
     * diagonally dominant matrix, rotated, so elimination must pivot.
     */
    @Provide
    Arbitrary<List<Tensor>> systems() {
        var dim = Arbitraries.integers().between(1, 4);
        return Combinators.combine(dim, Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 3)).flatAs((n, k, shift) ->
                Combinators.combine(Tensors.withShape(Shape.of(n, n)).between(-1, 1),
                        Tensors.withShape(k == 0 ? Shape.of(n) : Shape.of(n, k)).any()).as((d, b) -> {
                    double[] a = new double[n * n];
                    for (int r = 0; r < n; r++) {
                        int from = (r + shift) % n;
                        for (int c = 0; c < n; c++) a[r * n + c] = d.get(from, c) + (c == from ? n + 1 : 0);
                    }
                    return List.of(Tensor.of(a, n, n), b);
                }));
    }

    @Provide
    Arbitrary<List<Tensor>> sameShapePairs() {
        return Tensors.shapes(3, 0, 4).flatMap(s -> Combinators.combine(Tensors.withShape(s).any(), Tensors.withShape(s).any()).as(List::of));
    }

    record Permuted(Tensor x, int[] perm) {}

    @Provide
    Arbitrary<Permuted> permuted() {
        return Tensors.withShapes(Tensors.shapes(4, 1, 3)).any().flatMap(x -> Arbitraries.shuffle(
                IntStream.range(0, x.rank()).boxed().toList()).map(p -> new Permuted(x, p.stream().mapToInt(Integer::intValue).toArray())));
    }

    /** Operand pairs of every rank combination: [m,k]@[k,n], [k]@[k,n], [m,k]@[k], [k]@[k]. */
    @Provide
    Arbitrary<List<Tensor>> products() {
        var dim = Arbitraries.integers().between(1, 4);
        return Combinators.combine(dim, dim, dim, Arbitraries.integers().between(0, 3)).flatAs((m, k, n, ranks) -> {
            Shape a = (ranks & 1) == 0 ? Shape.of(m, k) : Shape.of(k);
            Shape b = (ranks & 2) == 0 ? Shape.of(k, n) : Shape.of(k);
            return Combinators.combine(Tensors.withShape(a).any(), Tensors.withShape(b).any()).as(List::of);
        });
    }

    @Provide
    Arbitrary<Tensor> matrices() { return Tensors.withShapes(Tensors.shapes(4, 1, 4).filter(s -> s.rank() >= 2)).any(); }
}
