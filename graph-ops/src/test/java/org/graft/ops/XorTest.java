package org.graft.ops;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.log;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.mean;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.neg;
import static org.graft.ops.Ops.param;
import static org.graft.ops.Ops.sigmoid;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sub;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import net.jqwik.api.Example;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.ops.optim.Optimizer;

/** The lecture notes' XOR network, 2-5-1 with sigmoid units, trained by plain gradient descent. */
class XorTest {
    private static final long SEED = 7;

    @Example
    void gradientDescentLearnsXor() {
        var random = new SplittableRandom(SEED);
        Input x = input("x", "n", 2), t = input("t", "n", 1);
        Param w1 = param("W1", Tensor.normal(Shape.of(2, 5), 0, 1, random));
        Param b1 = param("b1", Tensor.zeros(Shape.of(5)));
        Param w2 = param("W2", Tensor.normal(Shape.of(5, 1), 0, 1, random));
        Param b2 = param("b2", Tensor.zeros(Shape.of(1)));
        Node h = sigmoid(add(matmul(x, w1), b1));
        Node p = sigmoid(add(matmul(h, w2), b2));
        // cross-entropy -[t log p + (1 - t) log(1 - p)], averaged over the examples
        Node cost = neg(mean(add(mul(t, log(p)), mul(sub(1.0, t), log(sub(1.0, p))))));
        Node mse = mean(square(sub(p, t)));

        Map<Param, Node> updates = Optimizer.sgd(2.0).updates(cost, List.of(w1, b1, w2, b2));
        Function step = Compiler.compile(List.of(x, t), List.of(cost, mse), updates);

        Tensor xs = Tensor.matrix(new double[] {0, 0}, new double[] {0, 1}, new double[] {1, 0}, new double[] {1, 1});
        Tensor ts = Tensor.matrix(new double[] {0}, new double[] {1}, new double[] {1}, new double[] {0});
        double first = step.call(xs, ts).get(1).item();
        for (int epoch = 0; epoch < 3000; epoch++) step.call(xs, ts);

        Function predict = Compiler.compile(List.of(x, t), List.of(p, mse));
        List<Tensor> out = predict.call(xs, ts);
        double last = out.get(1).item();
        assertTrue(last < 0.01, "mean squared error " + last + " after training (seed " + SEED + "), " + first + " before");
        for (int i = 0; i < 4; i++) assertEquals(ts.getFlat(i), Math.rint(out.get(0).getFlat(i)));
    }
}
