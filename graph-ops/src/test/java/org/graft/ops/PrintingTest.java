package org.graft.ops;

import static org.graft.core.print.DebugPrint.debugprint;
import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.grad;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.mean;
import static org.graft.ops.Ops.param;
import static org.graft.ops.Ops.relu;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sub;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * A 4-3-2 MLP and its gradients as {@code graft print} will show them. When an op's bprop
 * changes, the gradient text here changes with it: read the new tree before updating it.
 */
class PrintingTest {
    private final Input x = input("x", "n", 4), t = input("t", "n", 2);
    private final Param w1 = param("W1", Tensor.zeros(Shape.of(4, 3))), b1 = param("b1", Tensor.zeros(Shape.of(3)));
    private final Param w2 = param("W2", Tensor.zeros(Shape.of(3, 2))), b2 = param("b2", Tensor.zeros(Shape.of(2)));
    private final Node h = relu(add(matmul(x, w1), b1)).named("h");
    private final Node y = add(matmul(h, w2), b2).named("y");
    private final Node cost = mean(square(sub(y, t))).named("cost");

    private static String lines(String... lines) { return String.join("\n", lines) + "\n"; }

    @Test
    void aTwoLayerMlpPrintsAsItIsWritten() {
        assertEquals(lines(
                "mean{axes=[0, 1], keepdims=false} : []  'cost'",
                " |square : [n, 2]",
                " | |sub : [n, 2]",
                " | | |add : [n, 2]  'y'",
                " | | | |matmul : [n, 2]",
                " | | | | |relu : [n, 3]  'h'",
                " | | | | | |add : [n, 3]",
                " | | | | | | |matmul : [n, 3]",
                " | | | | | | | |input x : [n, 4]",
                " | | | | | | | |param W1 : [4, 3]",
                " | | | | | | |param b1 : [3]",
                " | | | | |param W2 : [3, 2]",
                " | | | |param b2 : [2]",
                " | | |input t : [n, 2]"), debugprint(cost));
    }

    // The error backpropagated to a layer's pre-activation (#1, #3) is shared by the gradients
    // of its weights and its bias, and h (#6) by the forward pass and dcost/dW2: each is written once.
    @Test
    void itsGradientsAreNamedAndShareTheBackpropagatedErrors() {
        assertEquals(lines(
                "matmul : [4, 3]  'dcost/dW1'",
                " |transpose{perm=[1, 0]} : [4, n]",
                " | |input x : [n, 4]",
                " |relu_grad : [n, 3]  #1",
                " | |add : [n, 3]  #2",
                " | | |matmul : [n, 3]",
                " | | | |input x : [n, 4]",
                " | | | |param W1 : [4, 3]",
                " | | |param b1 : [3]",
                " | |matmul : [n, 3]",
                " | | |mul : [n, 2]  #3",
                " | | | |div : [n, 2]",
                " | | | | |broadcast_to : [n, 2]",
                " | | | | | |expand_dims{axes=[0, 1]} : [1, 1]",
                " | | | | | | |constant 1.0 : []",
                " | | | | | |square : [n, 2]  #4",
                " | | | | | | |sub : [n, 2]  #5",
                " | | | | | | | |add : [n, 2]  'y'",
                " | | | | | | | | |matmul : [n, 2]",
                " | | | | | | | | | |relu : [n, 3]  'h'  #6",
                " | | | | | | | | | | |add : [n, 3]  #2 (above)",
                " | | | | | | | | | |param W2 : [3, 2]",
                " | | | | | | | | |param b2 : [2]",
                " | | | | | | | |input t : [n, 2]",
                " | | | | |count{axes=[0, 1]} : []",
                " | | | | | |square : [n, 2]  #4 (above)",
                " | | | |mul : [n, 2]",
                " | | | | |constant 2.0 : []",
                " | | | | |sub : [n, 2]  #5 (above)",
                " | | |transpose{perm=[1, 0]} : [2, 3]",
                " | | | |param W2 : [3, 2]",
                "sum_to{target=[3]} : [3]  'dcost/db1'",
                " |relu_grad : [n, 3]  #1 (above)",
                "matmul : [3, 2]  'dcost/dW2'",
                " |transpose{perm=[1, 0]} : [3, n]",
                " | |relu : [n, 3]  'h'  #6 (above)",
                " |mul : [n, 2]  #3 (above)",
                "sum_to{target=[2]} : [2]  'dcost/db2'",
                " |mul : [n, 2]  #3 (above)"), debugprint(grad(cost, List.of(w1, b1, w2, b2))));
    }
}
