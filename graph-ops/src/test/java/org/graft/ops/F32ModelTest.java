package org.graft.ops;

import static org.graft.ops.Ops.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import net.jqwik.api.Example;

import org.graft.core.Graph;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.ShapeError;
import org.graft.core.Type;
import org.graft.core.grad.GradTable;
import org.graft.core.rewrite.Rewrite;
import org.graft.core.rewrite.Rewriter;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.ops.optim.Optimizer;

/**
 * An f32 model stays f32: every node of its gradient and of each optimizer's updates, the
 * constants the bprops, the optimizers and the rewrite rules make included, and every value a
 * training step computes.
 */
class F32ModelTest {
    private static final long SEED = 11;

    /** A two-layer net with sigmoid, tanh, exp and log in it, the naive cross-entropy, and an L2 penalty. */
    private static final class Mlp {
        final Input x = new Input("x", Type.f32("n", 4)), t = new Input("t", Type.f32("n", 3));
        final Param w1, b1, w2, b2;
        final Node cost;

        Mlp() {
            var random = new SplittableRandom(SEED);
            w1 = param("W1", Tensor.normal(DType.F32, Shape.of(4, 5), 0, 0.5, random));
            b1 = param("b1", Tensor.zeros(DType.F32, Shape.of(5)));
            w2 = param("W2", Tensor.normal(DType.F32, Shape.of(5, 3), 0, 0.5, random));
            b2 = param("b2", Tensor.zeros(DType.F32, Shape.of(3)));
            Node h = tanh(add(matmul(x, w1), b1));
            Node g = mul(sigmoid(h), log(add(1.0, exp(h))));        // log(1 + e^h) stabilizes to softplus
            Node logits = add(matmul(g, w2), b2);
            // -mean(sum(t log softmax)): stabilize turns it into softmax_cross_entropy
            Node ce = neg(mean(sum(mul(t, log(softmax(logits))), 1)));
            Node l2 = mul(1e-3, add(sum(square(w1)), sum(mul(w2, w2))));
            cost = add(ce, l2).named("cost");
        }

        List<Param> params() { return List.of(w1, b1, w2, b2); }
    }

    private static void assertAllF32(List<? extends Node> roots) {
        for (Node n : Graph.topologicalOrder(roots)) assertEquals(DType.F32, n.type().dtype(), () -> n + " is not f32");
    }

    @Example
    void theGradientOfAnF32CostIsF32Throughout() {
        var m = new Mlp();
        List<Node> grads = GradTable.grad(m.cost, m.params());
        assertAllF32(grads);
        Rewriter.Result rewritten = Rewriter.of(Rewriter.standard()).rewrite(grads);
        assertAllF32(rewritten.roots());
        // the rules that make constants of their own did fire
        List<String> fired = rewritten.log().stream().map(Rewrite::rule).toList();
        assertTrue(fired.contains("log(1+x) -> log1p(x)") && fired.contains("log(softmax(x)) -> log_softmax(x)"), fired::toString);
    }

    @Example
    void everyOptimizersUpdatesAreF32BeforeAndAfterRewriting() {
        // every optimizer, with every option on in one of them
        for (Optimizer optimizer : List.of(new Optimizer.Sgd(0.1, 0.01), Optimizer.momentum(0.1), new Optimizer.Nesterov(0.1, 0.9, 0.01),
                new Optimizer.Adam(0.01, 0.9, 0.999, 1e-8, 0.01, true), new Optimizer.AdamW(0.01, 0.9, 0.999, 1e-8, 0.01, true),
                new Optimizer.RmsProp(0.01, 0.9, 1e-8, 0.01, 0.5, true), new Optimizer.Adagrad(0.1, 0.1, 0.01, 0.1, 1e-10),
                new Optimizer.Adadelta(1, 0.9, 1e-6, 0.01))) {
            var m = new Mlp();
            Map<Param, Node> updates = optimizer.updates(m.cost, m.params());
            assertAllF32(new ArrayList<>(updates.values()));
            for (Param p : updates.keySet()) assertEquals(DType.F32, p.value().dtype(), p::label);
            var roots = new ArrayList<Node>(updates.values());
            roots.add(m.cost);
            assertAllF32(Rewriter.of(Rewriter.standard()).rewrite(roots).roots());
        }
    }

    @Example
    void trainingStepsComputeInF32AndLowerTheCost() {
        var random = new SplittableRandom(SEED);
        Tensor xs = Tensor.uniform(DType.F32, Shape.of(16, 4), -1, 1, random);
        double[] labels = new double[16 * 3];
        for (int i = 0; i < 16; i++) labels[i * 3 + (xs.get(i, 0) > 0 ? 0 : xs.get(i, 1) > 0 ? 1 : 2)] = 1;
        Tensor ts = Tensor.of(DType.F32, Shape.of(16, 3), labels);
        for (Optimizer optimizer : List.of(Optimizer.sgd(0.5), Optimizer.momentum(0.2), Optimizer.nesterov(0.2), Optimizer.adam(0.05),
                Optimizer.adamw(0.05), Optimizer.rmsprop(0.01), Optimizer.adagrad(0.5), Optimizer.adadelta())) {
            var m = new Mlp();
            Function step = Compiler.compile(List.of(m.x, m.t), List.of(m.cost), optimizer.updates(m.cost, m.params()));
            Tensor first = step.call(xs, ts).get(0);
            assertEquals(DType.F32, first.dtype());
            Tensor last = first;
            for (int i = 0; i < 50; i++) last = step.call(xs, ts).get(0);
            assertEquals(DType.F32, last.dtype());
            assertTrue(last.item() < 0.8 * first.item(), optimizer + ": " + first + " -> " + last);
            for (Param p : m.params()) assertEquals(DType.F32, p.value().dtype());
        }
    }

    @Example
    void aLearningRateOfAnotherDtypeIsRefusedNamingBoth() {
        var m = new Mlp();
        Param lr = new Param("lr", Tensor.scalar(0.1));
        var e = assertThrows(ShapeError.class, () -> Optimizer.sgd(0.1).updates(m.cost, m.params(), lr));
        assertEquals("sgd: the learning rate must have the cost's dtype f32, found lr: []", e.getMessage());
    }
}
