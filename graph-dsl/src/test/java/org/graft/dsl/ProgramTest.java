package org.graft.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.graft.core.GraftException;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.ops.optim.Optimizer;

class ProgramTest {
    private static final String GENERIC = """
            input x: [n, d]
            input y: [n]
            param w: [d] = normal(0, 1)
            param b: [] = constant(0.5)
            p = sigmoid(x @ w + b)
            loss = mean(binary_cross_entropy(p, y))
            output p
            maximize -loss with sgd(lr = 0.5)
            """;

    @Test
    void paramsWithSymbolicDimsTakeTheirSizeFromTheSetValuesAndTheSeed() {
        Tensor x = Tensor.matrix(new double[] {1, 0, 2}, new double[] {0, 1, -1});
        Program a = Graft.compile("g.graft", GENERIC, Map.of("x", x));
        a.initialize(7);
        Param w = a.params().get(0);
        assertEquals(Shape.of(3), w.value().shape());
        assertEquals(Tensor.scalar(0.5), a.params().get(1).value());
        Tensor first = w.value();
        a.initialize(7);
        assertEquals(first, w.value());                       // the same seed, the same bits
        a.initialize(8);
        assertNotEquals(first, w.value());
    }

    @Test
    void aParamWhoseDimNoValueFixesIsAnErrorAtTheParam() {
        Program p = Graft.compile("g.graft", GENERIC);
        var e = assertThrows(GraftException.class, () -> p.initialize(0));
        assertEquals("g.graft:3:7: error: param w: the size of dim d is not known; give a value to an input that has it (--set)",
                Graft.format(e));
        p.initialize(0, Map.of("d", 4));                      // a data set's width will do
        assertEquals(Shape.of(4), p.params().get(0).value().shape());
        assertThrows(GraftException.class, () -> Graft.compile("g.graft", GENERIC,
                Map.of("x", Tensor.zeros(Shape.of(2, 3)))).initialize(0, Map.of("d", 4)));
    }

    @Test
    void maximizeClimbsItsObjective() {
        Tensor x = Tensor.matrix(new double[] {1, 2}, new double[] {-1, -2}, new double[] {2, 1});
        Tensor y = Tensor.vector(1, 0, 1);
        Program p = Graft.compile("g.graft", GENERIC, Map.of("x", x, "y", y));
        p.initialize(1);
        Node loss = p.bindings().get("loss");
        Function step = Compiler.compile(p.inputs(), List.of(loss), p.updates());
        double before = step.call(x, y).get(0).item();
        double after = before;
        for (int i = 0; i < 50; i++) after = step.call(x, y).get(0).item();
        assertTrue(after < before / 2, before + " -> " + after);   // maximizing -loss lowers the loss
    }

    @Test
    void theSummarySaysWhatTheProgramDeclaresAndTrains() {
        assertEquals("g.graft: ok: 2 inputs, 2 params, 1 output; maximizes -loss with sgd(lr = 0.5)",
                Graft.compile("g.graft", GENERIC).summary());
        assertEquals("h.graft: ok: 0 inputs, 1 param (6 numbers), 0 outputs",
                Graft.compile("h.graft", "param W: [2, 3] = zeros\n").summary());
    }

    @Test
    void rootsAreTheOutputsAndObjectiveElseTheBindingsNothingUses() {
        Program p = Graft.compile("r.graft", """
                input x: [3]
                a = exp(x)
                b = sum(a)
                c = log(x)
                """);
        assertEquals(List.of("b", "c"), p.roots().stream().map(Node::label).toList());
        Program q = Graft.compile("q.graft", "input x: [3]\ns = sum(x)\nt = s * 2\noutput t\nminimize s with sgd(0.1)\n");
        assertEquals(List.of("t", "s"), q.roots().stream().map(Node::label).toList());
        assertThrows(GraftException.class, () -> Graft.compile("n.graft", "input x: [3]\n").updates());
    }

    // ---- state updates and metrics --------------------------------------------------------------

    /** Persistent contrastive divergence in miniature: a mean-field chain that each step carries on from where the last left it. */
    private static final String PCD = """
            input v: [n, d]
            param W: [d, h] = normal(0, 0.5)
            param b: [d]    = zeros
            param c: [h]    = zeros
            param chain: [n, d] = zeros

            fn gibbs(x) = sigmoid(sigmoid(x @ W + c) @ W.T + b)
            fn F(x) = -(x @ b) - sum(softplus(x @ W + c), axis = 1)

            vk   = iterate(gibbs, chain, 2)
            loss = mean(F(v)) - mean(F(stop_gradient(vk)))

            update chain = stop_gradient(vk)
            minimize loss with sgd(lr = 0.1)
            """;

    private static List<String> labels(Collection<? extends Node> nodes) { return nodes.stream().map(Node::label).toList(); }

    @Test
    void anUpdatedParamIsStateAndTheOptimizerTrainsTheOthers() {
        Program p = Graft.compile("pcd.graft", PCD);
        p.initialize(3, Map.of("n", 3, "d", 4, "h", 2));
        assertEquals(List.of("W", "b", "c", "chain"), labels(p.params()));
        assertEquals(List.of("W", "b", "c"), labels(p.trainedParams()));
        assertEquals(List.of("chain"), labels(p.stateUpdates().keySet()));
        Map<Param, Node> updates = p.updates();
        assertEquals(List.of("W", "b", "c", "chain"), labels(updates.keySet()));
        assertEquals(p.stateUpdates().get(p.params().get(3)), updates.get(p.params().get(3)));
        assertEquals(List.of("loss", "update chain"), labels(p.roots()));
    }

    @Test
    void aTrainingStepSetsStateFromTheOldValuesWhileTheOptimizerMovesTheTrainedParams() {
        Program p = Graft.compile("pcd.graft", PCD);
        p.initialize(3, Map.of("n", 3, "d", 4, "h", 2));
        Param W = p.params().get(0), b = p.params().get(1), c = p.params().get(2), chain = p.params().get(3);
        Node loss = p.bindings().get("loss"), vk = p.bindings().get("vk");
        var reference = new ArrayList<Node>(List.of(vk));
        reference.addAll(GradTable.grad(loss, List.of(W, b, c)));
        Function before = Compiler.compile(p.inputs(), reference);
        Function step = Compiler.compile(p.inputs(), List.of(loss), p.updates());
        Tensor v = Tensor.matrix(new double[] {1, 0, 1, 0}, new double[] {0, 1, 1, 0}, new double[] {1, 1, 0, 0});
        for (int i = 0; i < 2; i++) {
            List<Tensor> expected = before.call(v);                  // from the values before the step
            List<Tensor> old = List.of(W.value(), b.value(), c.value());
            Tensor oldChain = chain.value();
            step.call(v);
            assertClose(expected.get(0), chain.value());             // the chain carries on from its old self, under the old W
            assertFalse(oldChain.allClose(chain.value(), 0, 1e-6), "the chain moved");
            for (int k = 0; k < 3; k++) {
                Tensor g = expected.get(k + 1);
                assertClose(old.get(k).sub(g.map(x -> 0.1 * x)), p.trainedParams().get(k).value()); // sgd: p - lr g
            }
        }
    }

    @Test
    void theOptimizerKeepsNoStateForAStateParam() {
        Program p = Graft.compile("s.graft", """
                input x: [n, 2]
                param w: [2] = ones
                param steps: [] = zeros
                loss = mean(square(x @ w))
                update steps = steps + 1
                minimize loss with adam(lr = 0.01)
                """);
        p.initialize(0);
        assertEquals(List.of("w", "w.m", "w.v", "adam.beta1^t", "adam.beta2^t", "steps"), labels(p.updates().keySet()));
        assertEquals(List.of("w", "w.m", "w.v", "adam.beta1^t", "adam.beta2^t"), labels(p.objectiveUpdates(null).keySet()));
    }

    @Test
    void aProgramWithUpdatesButNoObjectiveHasJustTheStateUpdates() {
        Program p = Graft.compile("s.graft", """
                input x: [n, 3]
                param avg: [3] = zeros
                param seen: [] = zeros
                update avg = 0.9 * avg + 0.1 * mean(x, axis = 0)
                update seen = seen + 1
                """);
        p.initialize(0);
        assertEquals(p.stateUpdates(), p.updates());
        assertEquals(List.of(), p.trainedParams());
        Function step = Compiler.compile(p.inputs(), List.of(), p.updates());
        step.call(Tensor.matrix(new double[] {10, 20, 30}, new double[] {30, 40, 50}));
        step.call(Tensor.matrix(new double[] {0, 0, 0}, new double[] {0, 0, 0}));
        assertClose(Tensor.vector(1.8, 2.7, 3.6), p.params().get(0).value());  // 0.9 * (0.1 * [20, 30, 40])
        assertEquals(Tensor.scalar(2), p.params().get(1).value());
    }

    @Test
    void anObjectiveWithEveryParamStateHasNothingToTrain() {
        Program p = Graft.compile("s.graft", "input x: [3]\nparam s: [] = zeros\nupdate s = s + 1\nminimize sum(x) * s with sgd(0.1)\n");
        p.initialize(0);
        assertEquals("s.graft:4:1: error: minimize: no param to train; every param is state, set by an update statement",
                Graft.format(assertThrows(GraftException.class, p::updates)));
    }

    @Test
    void setGivesAStateParamItsStartingValue() {
        Program p = Graft.compile("s.graft", "input x: [n, 3]\nparam avg: [3] = zeros\nupdate avg = mean(x, axis = 0)\n",
                Map.of("avg", Tensor.vector(1, 2, 3)));
        p.initialize(0);
        assertEquals(Tensor.vector(1, 2, 3), p.params().get(0).value());
    }

    @Test
    void aMetricIsABindingToo() {
        Program p = Graft.compile("m.graft", """
                input logits: [n, 3]
                input y: [n, 3]
                metric accuracy = mean(argmax(logits, axis = -1) == argmax(y, axis = -1))
                metric error = 1 - accuracy
                output error
                """);
        assertEquals(List.of("accuracy", "error"), List.copyOf(p.metrics().keySet()));
        assertEquals(p.bindings().get("accuracy"), p.metrics().get("accuracy"));
        assertEquals(p.outputs().get("error"), p.metrics().get("error"));
        assertEquals(List.of("error", "accuracy"), labels(p.roots()));
        Tensor z = Tensor.matrix(new double[] {2, 1, 0}, new double[] {0, 1, 2}, new double[] {0, 3, 1});
        Tensor t = Tensor.matrix(new double[] {1, 0, 0}, new double[] {1, 0, 0}, new double[] {0, 1, 0});
        List<Tensor> out = Compiler.compile(p.inputs(), List.copyOf(p.metrics().values())).call(z, t);
        assertClose(Tensor.scalar(2.0 / 3), out.get(0));
        assertClose(Tensor.scalar(1.0 / 3), out.get(1));
    }

    /** The language's defaults are the Java factories' (which OptimizerGoldenTest holds to torch.optim's). */
    @Test
    void anOptimizerGivenOnlyItsLearningRateHasTheDefaultsOfItsJavaFactory() {
        var factories = Map.<String, Optimizer>of("sgd", Optimizer.sgd(0.1), "momentum", Optimizer.momentum(0.1),
                "nesterov", Optimizer.nesterov(0.1), "adam", Optimizer.adam(0.1), "adamw", Optimizer.adamw(0.1),
                "rmsprop", Optimizer.rmsprop(0.1), "adagrad", Optimizer.adagrad(0.1), "adadelta", new Optimizer.Adadelta(0.1, 0.9, 1e-6, 0));
        assertEquals(Builtins.OPTIMIZERS.keySet(), factories.keySet());
        for (var f : factories.entrySet()) assertEquals(f.getValue(), objective("minimize sum(w) with " + f.getKey() + "(0.1)"));
        assertEquals(Optimizer.adadelta(), objective("minimize sum(w) with adadelta()"));
    }

    @Test
    void everyOptionOfAnOptimizerIsGivenByItsName() {
        assertEquals(new Optimizer.Sgd(0.1, 1e-4), objective("minimize sum(w) with sgd(0.1, weight_decay = 1e-4)"));
        assertEquals(new Optimizer.Adam(0.1, 0.8, 0.9, 1e-6, 1e-4, true),
                objective("minimize sum(w) with adam(0.1, beta1 = 0.8, beta2 = 0.9, eps = 1e-6, weight_decay = 1e-4, amsgrad = true)"));
        assertEquals(new Optimizer.RmsProp(0.1, 0.9, 1e-6, 1e-4, 0.5, true),
                objective("minimize sum(w) with rmsprop(0.1, alpha = 0.9, eps = 1e-6, weight_decay = 1e-4, momentum = 0.5, centered = true)"));
        assertEquals(new Optimizer.Adagrad(0.1, 0.01, 1e-4, 0.1, 1e-6), objective(
                "minimize sum(w) with adagrad(0.1, lr_decay = 0.01, weight_decay = 1e-4, initial_accumulator_value = 0.1, eps = 1e-6)"));
        assertEquals(new Optimizer.Adadelta(0.5, 0.95, 1e-5, 1e-4),
                objective("minimize sum(w) with adadelta(0.5, 0.95, 1e-5, 1e-4)"));   // positional, in torch.optim's order
    }

    private static Optimizer objective(String line) {
        return Graft.compile("o.graft", "param w: [2] = zeros\n" + line + "\n").objective().orElseThrow().optimizer();
    }

    @Test
    void theSummaryCountsStateParamsAndMetrics() {
        assertEquals("s.graft: ok: 1 input, 2 params (1 state, 4 numbers), 0 outputs, 1 metric; minimizes sum(x * w) with sgd(lr = 0.1)",
                Graft.compile("s.graft", """
                        input x: [3]
                        param w: [3] = ones
                        param steps: [] = zeros
                        update steps = steps + 1
                        metric total = sum(x * w)
                        minimize sum(x * w) with sgd(0.1)
                        """).summary());
        assertEquals("p.graft: ok: 1 input, 4 params (1 state), 0 outputs; minimizes loss with sgd(lr = 0.1)",
                Graft.compile("p.graft", PCD).summary());
    }

    private static void assertClose(Tensor expected, Tensor actual) {
        assertTrue(expected.allClose(actual, 1e-12, 1e-12), () -> "expected " + expected + ", found " + actual);
    }
}
