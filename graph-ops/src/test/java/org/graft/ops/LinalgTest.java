package org.graft.ops;

import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.sigmoid;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.tanh;
import static org.graft.ops.Ops.transpose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

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
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

class LinalgTest {

    @Property(tries = 100)
    void matmulGradientMatchesFiniteDifferencesForEveryRankPair(@ForAll("products") List<Tensor> ab) {
        GradCheck.of(Ops::matmul).at(ab.get(0), ab.get(1)).assertClose();
    }

    @Property(tries = 100)
    void transposeGradientMatchesFiniteDifferences(@ForAll("matrices") Tensor x) {
        GradCheck.of(Ops::transpose).at(x).assertClose();
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
        assertThrows(ShapeError.class, () -> transpose(input("v", 3)));
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
