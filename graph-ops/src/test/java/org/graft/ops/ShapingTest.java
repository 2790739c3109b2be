package org.graft.ops;

import static org.graft.ops.Ops.broadcastTo;
import static org.graft.ops.Ops.expandDims;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.squeeze;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.sumTo;
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

class ShapingTest {

    /** A small operand and a larger tensor it broadcasts to. */
    @Provide
    Arbitrary<List<Tensor>> broadcasts() {
        return Tensors.broadcastablePairs().flatMap(s -> {
            Shape big = Shape.broadcast(s.get(0), s.get(1));
            return Combinators.combine(Tensors.withShape(s.get(0)).any(), Tensors.withShape(big).any()).as(List::of);
        });
    }

    @Property(tries = 100)
    void broadcastToGradientMatchesFiniteDifferences(@ForAll("broadcasts") List<Tensor> xs) {
        // the second operand only lends its shape: its gradient is zero
        GradCheck.of(Ops::broadcastTo).at(xs.get(0), xs.get(1)).assertClose();
    }

    @Property(tries = 100)
    void sumToGradientMatchesFiniteDifferences(@ForAll("broadcasts") List<Tensor> xs) {
        Type small = Type.of(xs.get(0));
        GradCheck.of(big -> sumTo(big, small)).at(xs.get(1)).assertClose();
    }

    @Property(tries = 50)
    void broadcastAndItsAdjointDifferentiateAgain(@ForAll("broadcasts") List<Tensor> xs) {
        Type small = Type.of(xs.get(0));
        GradCheck.of((a, big) -> GradTable.grad(sum(mul(broadcastTo(mul(a, a), big), big)), a))
                .at(xs.get(0), xs.get(1)).assertClose();
        GradCheck.of((a, big) -> GradTable.grad(sum(mul(sumTo(mul(big, big), small), a)), big))
                .at(xs.get(0), xs.get(1)).assertClose();
    }

    @Property(tries = 100)
    void expandDimsAndSqueezeGradientsMatchFiniteDifferences(@ForAll("withAxis") Tensor x, @ForAll("positions") int where) {
        int axis = Math.min(where, x.rank());
        GradCheck.of(v -> expandDims(v, axis)).at(x).assertClose();
        Tensor expanded = x.reshape(withOne(x.shape(), axis));
        GradCheck.of(v -> squeeze(v, axis)).at(expanded).assertClose();
    }

    @Example
    void broadcastToASymbolicShapeTakesTheShapeOfItsSecondOperand() {
        Input b = input("b", 3), x = input("x", "n", 3);
        assertEquals(Type.f64("n", 3), broadcastTo(b, x).type());
        var e = assertThrows(ShapeError.class, () -> broadcastTo(x, b));
        assertEquals("broadcast_to(x, b): cannot broadcast [n, 3] to [3]", e.getMessage());
        assertThrows(ShapeError.class, () -> squeeze(x, 1));
        assertEquals(Type.f64("n", 1, 3), expandDims(x, 1).type());
    }

    private static Shape withOne(Shape s, int axis) {
        int[] dims = new int[s.rank() + 1];
        for (int i = 0, j = 0; i < dims.length; i++) dims[i] = i == axis ? 1 : s.dim(j++);
        return Shape.of(dims);
    }

    @Provide Arbitrary<Tensor> withAxis() { return Tensors.smallShapes().any(); }
    @Provide Arbitrary<Integer> positions() { return Arbitraries.integers().between(0, 3); }
}
