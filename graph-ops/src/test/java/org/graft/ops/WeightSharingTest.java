package org.graft.ops;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import net.jqwik.api.Example;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
import org.graft.core.tensor.Tensor;

/** A weight used in two places gets the gradient of both uses (the lecture notes' weight sharing). */
class WeightSharingTest {

    @Example
    void aSharedWeightGetsTheSumOfBothContributions() {
        Input w = input("W", 2, 3), x = input("x", 3), y = input("y", 3);
        Node f = add(sum(matmul(w, x)), sum(matmul(w, y)));
        Node dW = GradTable.grad(f, w);
        Tensor xv = Tensor.vector(1, 2, 3), yv = Tensor.vector(0.5, -4, 10);
        Tensor got = Compiler.compile(List.of(w, x, y), List.of(dW))
                .call(Tensor.matrix(new double[] {7, 8, 9}, new double[] {1, 1, 1}), xv, yv).get(0);
        // dW = 1 xᵀ + 1 yᵀ: every row is x + y
        assertEquals(Tensor.matrix(new double[] {1.5, -2, 13}, new double[] {1.5, -2, 13}), got);
        assertEquals("dcost/dW", dW.name().orElseThrow());
    }

    @Example
    void aNodeUsedTwiceByOneOpGetsBothTerms() {
        Input x = input("x", 2);
        Node dx = GradTable.grad(sum(Ops.mul(x, x)), x);  // d/dx x·x = 2x
        Tensor got = Compiler.compile(List.of(x), List.of(dx)).call(Tensor.vector(3, -1)).get(0);
        assertEquals(Tensor.vector(6, -2), got);
    }
}
