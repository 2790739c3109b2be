package org.graft.ops;

import static org.graft.ops.Ops.equal;
import static org.graft.ops.Ops.greater;
import static org.graft.ops.Ops.greaterEqual;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.less;
import static org.graft.ops.Ops.lessEqual;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.notEqual;
import static org.graft.ops.Ops.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.ShapeError;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

class CompareTest {

    @Test
    void eachRelationGivesOneWhereItHoldsAndNaNComparesFalse() {
        Input a = input("a", 4), b = input("b", 4);
        var f = Compiler.compile(List.of(a, b), List.of(less(a, b), lessEqual(a, b), greater(a, b), greaterEqual(a, b),
                equal(a, b), notEqual(a, b)));
        List<Tensor> out = f.call(Tensor.vector(1, 2, 3, Double.NaN), Tensor.vector(2, 2, 2, 0));
        assertEquals(Tensor.vector(1, 0, 0, 0), out.get(0));
        assertEquals(Tensor.vector(1, 1, 0, 0), out.get(1));
        assertEquals(Tensor.vector(0, 0, 1, 0), out.get(2));
        assertEquals(Tensor.vector(0, 1, 1, 0), out.get(3));
        assertEquals(Tensor.vector(0, 1, 0, 0), out.get(4));
        assertEquals(Tensor.vector(1, 0, 1, 1), out.get(5));
    }

    @Test
    void comparisonsBroadcastAndPassAZeroGradientToBothOperands() {
        Input x = input("x", 2, 3), t = input("t", 3);
        Node c = lessEqual(x, t);
        Node dx = GradTable.grad(sum(mul(c, x)), x);   // the mask is held fixed: d/dx (x <= t) x = (x <= t)
        Node dt = GradTable.grad(sum(c), t);            // a zero gradient, not an error
        var f = Compiler.compile(List.of(x, t), List.of(c, dx, dt));
        List<Tensor> out = f.call(Tensor.matrix(new double[] {0, 5, 1}, new double[] {3, 3, 3}), Tensor.vector(1, 4, 2));
        Tensor mask = Tensor.matrix(new double[] {1, 0, 1}, new double[] {0, 1, 0});
        assertEquals(mask, out.get(0));
        assertEquals(mask, out.get(1));
        assertEquals(Tensor.zeros(Shape.of(3)), out.get(2));
    }

    @Test
    void operandsThatDoNotBroadcastAreAShapeError() {
        var e = assertThrows(ShapeError.class, () -> less(input("a", 2, 3), input("b", 2)));
        assertEquals("less(a, b): cannot broadcast [2, 3] with [2]: dims 3 and 2 differ", e.getMessage());
    }
}
