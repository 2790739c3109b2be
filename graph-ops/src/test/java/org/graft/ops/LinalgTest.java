package org.graft.ops;

import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.sigmoid;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.tanh;
import static org.graft.ops.Ops.transpose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.IntStream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.Input;
import org.graft.core.ShapeError;
import org.graft.core.Type;
import org.graft.core.check.GradCheck;
import org.graft.core.check.Tensors;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
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
