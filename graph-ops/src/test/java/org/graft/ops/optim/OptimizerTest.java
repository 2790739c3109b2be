package org.graft.ops.optim;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.constant;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.mean;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.param;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sub;
import static org.graft.ops.Ops.sum;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import net.jqwik.api.Example;

import org.graft.core.GradientError;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.ShapeError;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.junit.jupiter.api.function.Executable;

class OptimizerTest {
    // the quadratic f(w) = sum((w - c)²): gradient 2 (w - c), minimum at c
    private static final double[] C = {0.5, 1.0, -3.0};
    private static final double[] W0 = {2.0, 3.0, -1.0};
    private static final long SEED = 11;

    @Example
    void sgdMatchesThreeStepsByHand() {
        double lr = 0.1;
        Param w = param("w", Tensor.vector(W0));
        Node cost = quadratic(w);
        run(cost, Optimizer.sgd(lr).updates(cost, List.of(w)), 3);

        double[] ws = W0.clone();
        for (int t = 1; t <= 3; t++) {
            for (int i = 0; i < ws.length; i++) {
                double g = 2 * (ws[i] - C[i]);
                ws[i] -= lr * g;
            }
        }
        assertClose(ws, w.value());
    }

    @Example
    void momentumMatchesThreeStepsByHand() {
        double lr = 0.1, mu = 0.7;
        Param w = param("w", Tensor.vector(W0));
        Node cost = quadratic(w);
        Map<Param, Node> updates = Optimizer.momentum(lr, mu).updates(cost, List.of(w));
        run(cost, updates, 3);

        double[] ws = W0.clone(), vs = new double[ws.length];
        for (int t = 1; t <= 3; t++) {
            for (int i = 0; i < ws.length; i++) {
                double g = 2 * (ws[i] - C[i]);
                vs[i] = mu * vs[i] - lr * g;
                ws[i] += vs[i];
            }
        }
        assertClose(ws, w.value());
        assertClose(vs, state(updates, "w.velocity").value());
    }

    @Example
    void adamMatchesThreeStepsOfAlgorithmOneByHand() {
        // eps this large so that a misplaced eps shows
        double lr = 0.05, beta1 = 0.8, beta2 = 0.99, eps = 1e-3;
        Param w = param("w", Tensor.vector(W0));
        Node cost = quadratic(w);
        Map<Param, Node> updates = Optimizer.adam(lr, beta1, beta2, eps).updates(cost, List.of(w));
        run(cost, updates, 3);

        double[] ws = W0.clone(), ms = new double[ws.length], vs = new double[ws.length];
        double beta1Power = 1, beta2Power = 1;   // beta^t as a running product, the form the optimizer keeps
        for (int t = 1; t <= 3; t++) {
            beta1Power *= beta1;
            beta2Power *= beta2;
            for (int i = 0; i < ws.length; i++) {
                double g = 2 * (ws[i] - C[i]);
                ms[i] = beta1 * ms[i] + (1 - beta1) * g;
                vs[i] = beta2 * vs[i] + (1 - beta2) * g * g;
                double mHat = ms[i] / (1 - beta1Power), vHat = vs[i] / (1 - beta2Power);
                ws[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
        }
        assertClose(ws, w.value());
        assertClose(ms, state(updates, "w.m").value());
        assertClose(vs, state(updates, "w.v").value());
        assertEquals(Math.pow(beta1, 3), state(updates, "adam.beta1^t").value().item(), 1e-15);
        assertEquals(Math.pow(beta2, 3), state(updates, "adam.beta2^t").value().item(), 1e-15);
    }

    @Example
    void adamsFirstStepMovesEveryWeightByTheLearningRate() {
        // at t = 1 the bias correction makes mHat = g and vHat = g², so the step is lr g / |g|
        double lr = 0.01;
        Param w = param("w", Tensor.vector(W0));
        Node cost = quadratic(w);
        run(cost, Optimizer.adam(lr).updates(cost, List.of(w)), 1);
        double[] moved = new double[W0.length];
        for (int i = 0; i < W0.length; i++) moved[i] = W0[i] - w.value().getFlat(i);
        assertTrue(Tensor.vector(moved).allClose(Tensor.vector(lr, lr, lr), 1e-8, 0), () -> "moved by " + Tensor.vector(moved));
    }

    @Example
    void sgdMinimizesALeastSquaresProblem() {
        assertSolvesLeastSquares(Optimizer.sgd(0.1), 300);
    }

    @Example
    void momentumMinimizesALeastSquaresProblem() {
        assertSolvesLeastSquares(Optimizer.momentum(0.05), 200);
    }

    @Example
    void adamMinimizesALeastSquaresProblem() {
        assertSolvesLeastSquares(Optimizer.adam(0.05), 1000);
    }

    @Example
    void twoParamsAreUpdatedTogetherFromTheirValuesBeforeTheStep() {
        // f(a, b) = (ab - 2)²: each gradient reads the other param, so updating one before
        // computing the other's update would give other numbers
        double lr = 0.05, mu = 0.5;
        Param a = param("a", Tensor.scalar(0.5)), b = param("b", Tensor.scalar(3.0));
        Node cost = square(sub(mul(a, b), 2.0));
        run(cost, Optimizer.momentum(lr, mu).updates(cost, List.of(a, b)), 3);

        double av = 0.5, bv = 3.0, va = 0, vb = 0;
        for (int t = 1; t <= 3; t++) {
            double r = av * bv - 2;
            double ga = 2 * r * bv, gb = 2 * r * av;
            va = mu * va - lr * ga;
            vb = mu * vb - lr * gb;
            av += va;
            bv += vb;
        }
        assertEquals(av, a.value().item(), 1e-15 * Math.abs(av));
        assertEquals(bv, b.value().item(), 1e-15 * Math.abs(bv));
    }

    @Example
    void theUpdatesHoldEachParamWithItsStateThenTheSharedState() {
        Param w = param("W", Tensor.ones(Shape.of(2, 3))), b = param("b", Tensor.ones(Shape.of(3)));
        Node cost = sum(square(add(w, b)));
        List<Param> params = List.of(w, b);

        assertEquals(List.of("W", "b"), labels(Optimizer.sgd(0.1).updates(cost, params)));
        assertEquals(List.of("W", "W.velocity", "b", "b.velocity"), labels(Optimizer.momentum(0.1).updates(cost, params)));
        Map<Param, Node> adam = Optimizer.adam(1e-3).updates(cost, params);
        assertEquals(List.of("W", "W.m", "W.v", "b", "b.m", "b.v", "adam.beta1^t", "adam.beta2^t"), labels(adam));

        assertEquals(List.of("W", "W.velocity", "b", "b.velocity"), labels(Optimizer.nesterov(0.1).updates(cost, params)));
        assertEquals(List.of("W", "W.m", "W.v", "W.v_max", "b", "b.m", "b.v", "b.v_max", "adamw.beta1^t", "adamw.beta2^t"),
                labels(new Optimizer.AdamW(1e-3, 0.9, 0.999, 1e-8, 0.01, true).updates(cost, params)));
        assertEquals(List.of("W", "W.square_avg", "b", "b.square_avg"), labels(Optimizer.rmsprop(0.01).updates(cost, params)));
        assertEquals(List.of("W", "W.square_avg", "W.grad_avg", "W.velocity", "b", "b.square_avg", "b.grad_avg", "b.velocity"),
                labels(new Optimizer.RmsProp(0.01, 0.99, 1e-8, 0, 0.9, true).updates(cost, params)));
        assertEquals(List.of("W", "W.sum", "b", "b.sum"), labels(Optimizer.adagrad(0.01).updates(cost, params)));
        assertEquals(List.of("W", "W.sum", "b", "b.sum", "adagrad.t"),
                labels(new Optimizer.Adagrad(0.01, 0.1, 0, 0, 1e-10).updates(cost, params)));
        assertEquals(List.of("W", "W.square_avg", "W.acc_delta", "b", "b.square_avg", "b.acc_delta"),
                labels(Optimizer.adadelta().updates(cost, params)));

        List<Param> keys = List.copyOf(adam.keySet());
        assertSame(w, keys.get(0));
        assertSame(b, keys.get(3));
        for (int i : new int[] {1, 2}) assertEquals(Tensor.zeros(Shape.of(2, 3)), keys.get(i).value());
        for (int i : new int[] {4, 5}) assertEquals(Tensor.zeros(Shape.of(3)), keys.get(i).value());
        for (int i : new int[] {6, 7}) assertEquals(Tensor.scalar(1.0), keys.get(i).value());
    }

    @Example
    void eachCallCreatesFreshState() {
        Param w = param("w", Tensor.vector(W0));
        Node cost = quadratic(w);
        Optimizer adam = Optimizer.adam(1e-3);
        Set<Param> first = identitySet(adam.updates(cost, List.of(w)).keySet());
        Set<Param> second = identitySet(adam.updates(cost, List.of(w)).keySet());
        first.retainAll(second);
        assertEquals(Set.of(w), first);
    }

    @Example
    void theShortFactoriesUseTheUsualDefaults() {
        assertEquals(new Optimizer.Momentum(0.1, 0.9, 0), Optimizer.momentum(0.1));
        assertEquals(new Optimizer.Nesterov(0.1, 0.9, 0), Optimizer.nesterov(0.1));
        assertEquals(new Optimizer.Adam(1e-3, 0.9, 0.999, 1e-8, 0, false), Optimizer.adam(1e-3));   // Kingma & Ba's
    }

    @Example
    void hyperParametersOutsideTheirRangeAreRefusedSayingWhatWasExpected() {
        assertRefused("sgd: expected a finite lr > 0, found 0.0", () -> Optimizer.sgd(0));
        assertRefused("sgd: expected a finite lr > 0, found NaN", () -> Optimizer.sgd(Double.NaN));
        assertRefused("sgd: expected a finite lr > 0, found Infinity", () -> Optimizer.sgd(Double.POSITIVE_INFINITY));
        assertRefused("momentum: expected a finite lr > 0, found -0.1", () -> Optimizer.momentum(-0.1));
        assertRefused("momentum: expected 0 <= mu < 1, found 1.0", () -> Optimizer.momentum(0.1, 1.0));
        assertRefused("momentum: expected 0 <= mu < 1, found -0.5", () -> Optimizer.momentum(0.1, -0.5));
        assertRefused("adam: expected a finite lr > 0, found -0.001", () -> Optimizer.adam(-1e-3));
        assertRefused("adam: expected 0 <= beta1 < 1, found 1.0", () -> Optimizer.adam(1e-3, 1.0, 0.999, 1e-8));
        assertRefused("adam: expected 0 <= beta2 < 1, found -0.1", () -> Optimizer.adam(1e-3, 0.9, -0.1, 1e-8));
        assertRefused("adam: expected a finite eps > 0, found 0.0", () -> Optimizer.adam(1e-3, 0.9, 0.999, 0));
    }

    @Example
    void theNewOptimizersRefuseHyperParametersOutsideTheirRanges() {
        assertRefused("sgd: expected a finite weight_decay >= 0, found -0.1", () -> new Optimizer.Sgd(0.1, -0.1));
        assertRefused("nesterov: expected 0 <= mu < 1, found 1.0", () -> Optimizer.nesterov(0.1, 1.0));
        assertRefused("adamw: expected a finite weight_decay >= 0, found Infinity",
                () -> new Optimizer.AdamW(1e-3, 0.9, 0.999, 1e-8, Double.POSITIVE_INFINITY, false));
        assertRefused("rmsprop: expected 0 <= alpha < 1, found 1.0", () -> new Optimizer.RmsProp(0.01, 1, 1e-8, 0, 0, false));
        assertRefused("rmsprop: expected 0 <= momentum < 1, found -0.5", () -> new Optimizer.RmsProp(0.01, 0.99, 1e-8, 0, -0.5, false));
        assertRefused("adagrad: expected a finite lr_decay >= 0, found NaN", () -> new Optimizer.Adagrad(0.01, Double.NaN, 0, 0, 1e-10));
        assertRefused("adagrad: expected a finite initial_accumulator_value >= 0, found -1.0",
                () -> new Optimizer.Adagrad(0.01, 0, 0, -1, 1e-10));
        assertRefused("adadelta: expected 0 <= rho < 1, found 1.0", () -> new Optimizer.Adadelta(1, 1, 1e-6, 0));
        assertRefused("adadelta: expected a finite eps > 0, found 0.0", () -> new Optimizer.Adadelta(1, 0.9, 0, 0));
    }

    @Example
    void eachOptimizerPrintsAsTheLanguageWritesItLeavingOutTheOptionsThatAreOff() {
        assertEquals("sgd(lr = 0.1)", Optimizer.sgd(0.1).toString());
        assertEquals("sgd(lr = 0.1, weight_decay = 1e-4)", new Optimizer.Sgd(0.1, 1e-4).toString());
        assertEquals("nesterov(lr = 0.1, mu = 0.9)", Optimizer.nesterov(0.1).toString());
        assertEquals("adam(lr = 0.001, beta1 = 0.9, beta2 = 0.999, eps = 1e-8)", Optimizer.adam(1e-3).toString());
        assertEquals("adam(lr = 0.001, beta1 = 0, beta2 = 0.999, eps = 1e-8, amsgrad = true)",
                new Optimizer.Adam(1e-3, 0, 0.999, 1e-8, 0, true).toString());   // a beta of 0 is a value, not an option that is off
        assertEquals("adamw(lr = 0.001, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.01)", Optimizer.adamw(1e-3).toString());
        assertEquals("rmsprop(lr = 0.01, alpha = 0.99, eps = 1e-8, momentum = 0.9, centered = true)",
                new Optimizer.RmsProp(0.01, 0.99, 1e-8, 0, 0.9, true).toString());
        assertEquals("adagrad(lr = 0.01, eps = 1e-10)", Optimizer.adagrad(0.01).toString());
        assertEquals("adadelta(lr = 1, rho = 0.9, eps = 1e-6)", Optimizer.adadelta().toString());
    }

    @Example
    void adagradsSumStartsAtTheInitialAccumulatorValue() {
        Param w = param("w", Tensor.vector(W0));
        Map<Param, Node> updates = new Optimizer.Adagrad(0.1, 0, 0, 0.25, 1e-10).updates(quadratic(w), List.of(w));
        assertEquals(Tensor.vector(0.25, 0.25, 0.25), state(updates, "w.sum").value());
    }

    @Example
    void theEdgesOfTheRangesAreAccepted() {
        assertDoesNotThrow(() -> Optimizer.momentum(0.1, 0));
        assertDoesNotThrow(() -> Optimizer.adam(1e-3, 0, 0, 1e-8));
    }

    @Example
    void aCostThatIsNotAScalarIsAnErrorGivingItsType() {
        Param w = param("w", Tensor.vector(W0));
        Node losses = square(sub(w, constant(Tensor.vector(C)))).named("losses");
        var e = assertThrows(ShapeError.class, () -> Optimizer.sgd(0.1).updates(losses, List.of(w)));
        assertEquals("sgd: the cost must be a scalar, found losses: [3]", e.getMessage());
    }

    @Example
    void aParamTheCostDoesNotReachIsAnError() {
        Param w = param("w", Tensor.vector(W0)), u = param("u", Tensor.vector(W0));
        var e = assertThrows(GradientError.class, () -> Optimizer.adam(1e-3).updates(quadratic(w), List.of(w, u)));
        assertTrue(e.getMessage().contains("does not depend on u"), e.getMessage());
    }

    @Example
    void aParamListedTwiceOrNoParamsAtAllAreErrors() {
        Param w = param("w", Tensor.vector(W0));
        Node cost = quadratic(w);
        assertRefused("momentum: param w is listed twice", () -> Optimizer.momentum(0.1).updates(cost, List.of(w, w)));
        assertRefused("sgd: expected params to train, found none", () -> Optimizer.sgd(0.1).updates(cost, List.of()));
    }

    /** {@code t = X w* + b*} exactly, so training from zeros must reach {@code (w*, b*)} and cost 0. */
    private static void assertSolvesLeastSquares(Optimizer optimizer, int steps) {
        var random = new SplittableRandom(SEED);
        Tensor xs = Tensor.normal(Shape.of(20, 3), 0, 1, random);
        Tensor wStar = Tensor.vector(1.5, -2.0, 0.5);
        double bStar = 0.7;
        Tensor ts = xs.matmul(wStar).add(Tensor.scalar(bStar));

        Input x = input("x", "n", 3), t = input("t", "n");
        Param w = param("w", Tensor.zeros(Shape.of(3))), b = param("b", Tensor.scalar(0));
        Node cost = mean(square(sub(add(matmul(x, w), b), t)));
        Function step = Compiler.compile(List.of(x, t), List.of(cost), optimizer.updates(cost, List.of(w, b)));
        double first = step.call(xs, ts).get(0).item();
        double last = first;
        for (int i = 1; i < steps; i++) last = step.call(xs, ts).get(0).item();

        String where = optimizer + " after " + steps + " steps (seed " + SEED + "): ";
        assertTrue(last < 1e-6 * first, where + "cost " + last + ", " + first + " at first");
        assertTrue(w.value().allClose(wStar, 0, 1e-3), where + "w = " + w.value());
        assertEquals(bStar, b.value().item(), 1e-3, where + "b");
    }

    private static Node quadratic(Param w) { return sum(square(sub(w, constant(Tensor.vector(C))))); }

    /** Calls a training step with no inputs {@code steps} times. */
    private static void run(Node cost, Map<Param, Node> updates, int steps) {
        Function step = Compiler.compile(List.of(), List.of(cost), updates);
        for (int i = 0; i < steps; i++) step.call();
    }

    private static Param state(Map<Param, Node> updates, String name) {
        return updates.keySet().stream().filter(p -> p.label().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no state param " + name + " among " + labels(updates)));
    }

    private static List<String> labels(Map<Param, Node> updates) {
        return updates.keySet().stream().map(Param::label).toList();
    }

    private static Set<Param> identitySet(Set<Param> params) {
        Set<Param> out = Collections.newSetFromMap(new IdentityHashMap<>());
        out.addAll(params);
        return out;
    }

    private static void assertClose(double[] expected, Tensor actual) {
        Tensor want = Tensor.vector(expected);
        assertTrue(actual.allClose(want, 1e-15, 0), () -> "expected " + want + ", found " + actual);
    }

    private static void assertRefused(String message, Executable call) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    @Example
    void aLearningRateNodeScalesEachStepByItsValueAtThatStep() {
        Param w = param("w", Tensor.vector(1, 2));
        Node cost = sum(square(w));                       // gradient 2w
        Param lr = param("lr", Tensor.scalar(0.1));
        Function step = Compiler.compile(List.of(), List.of(), Optimizer.sgd(5).updates(cost, List.of(w), lr));
        step.call();
        assertEquals(Tensor.vector(0.8, 1.6), w.value());   // w - 0.1 * 2w
        lr.set(Tensor.scalar(0.25));
        step.call();
        assertEquals(Tensor.vector(0.4, 0.8), w.value());   // w - 0.25 * 2w
        assertThrows(ShapeError.class, () -> Optimizer.adam(0.1).updates(cost, List.of(w), param("v", Tensor.vector(1, 2))));
    }
}
