package org.graft.ops.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.ops.Ops;
import org.graft.ops.optim.Optimizer;
import org.graft.ops.rules.Expressions.Expression;

/**
 * The compiled runtime computes what the ops' reference {@code fprop}s compute. Over random
 * well-typed graphs and their gradients ({@link Expressions}), every root of a compiled function
 * (planned buffers, fused elementwise chains, kernels) equals the root evaluated node by node
 * with {@code fprop}, with the graph as written and rewritten.
 *
 * <p>Equal means the same bits, except where a kernel sums in another order than the reference:
 * a matrix product, whose back end (a BLAS, or loops) adds its terms in an order of its own.
 * There the values agree within {@value #TOLERANCE} relative to the larger magnitude, or absolute
 * below magnitude 1, and NaN and infinities must match exactly.
 */
class CompiledMatchesReferenceTest {
    static final double TOLERANCE = 1e-12;

    @Provide
    Arbitrary<Expression> expressions() { return Expressions.expressions(); }

    @Property(tries = 500, seed = "7001", edgeCases = EdgeCasesMode.NONE)
    void theCompiledGraphAsWrittenComputesWhatTheReferenceComputes(@ForAll("expressions") Expression e) {
        assertMatches(e, Options.NONE, false);
    }

    @Property(tries = 500, seed = "7002", edgeCases = EdgeCasesMode.NONE)
    void theCompiledGraphRewrittenComputesWhatTheReferenceComputesOnTheSameGraph(@ForAll("expressions") Expression e) {
        assertMatches(e, Options.DEFAULT, false);
    }

    /** The guard runs every elementwise op on its own, so this checks the unfused path too. */
    @Property(tries = 200, seed = "7003", edgeCases = EdgeCasesMode.NONE)
    void theUnfusedPathOfTheGuardComputesTheSame(@ForAll("expressions") Expression e) {
        assertMatches(e, Options.DEFAULT, true);
    }

    /** A second call reuses the plan and its buffers, and must give the same values as the first. */
    @Property(tries = 200, seed = "7004", edgeCases = EdgeCasesMode.NONE)
    void aSecondCallGivesTheSameValuesAsTheFirst(@ForAll("expressions") Expression e) {
        Function f = Compiler.compile(e.inputs(), withGradients(e));
        List<Tensor> first = f.call(e.values());
        List<Tensor> second = f.call(e.values());
        assertEquals(first, second, () -> e.toString());
    }

    /** Every optimizer, with every option on in one of them. */
    private static final List<Optimizer> OPTIMIZERS = List.of(Optimizer.sgd(0.1), new Optimizer.Sgd(0.1, 0.01),
            Optimizer.momentum(0.1, 0.9), new Optimizer.Nesterov(0.1, 0.9, 0.01), Optimizer.adam(0.01),
            new Optimizer.Adam(0.01, 0.8, 0.6, 1e-3, 0.01, true), new Optimizer.AdamW(0.01, 0.8, 0.6, 1e-3, 0.1, true),
            new Optimizer.RmsProp(0.01, 0.9, 1e-3, 0.01, 0.5, true), new Optimizer.Adagrad(0.1, 0.3, 0.01, 0.1, 1e-3),
            new Optimizer.Adadelta(1, 0.9, 1e-6, 0.01));

    /**
     * Training steps, whose updates the plan writes over the params' storage or exchanges with
     * it, leave the params where the reference puts them: each update evaluated with fprop from
     * the params as they were before the step. Adam's moments are read by the weights' update
     * after their own update has been computed, so this checks that order too.
     */
    @Property(tries = 60, seed = "7005")   // 10 optimizers x 6 batch sizes: every pair
    void trainingStepsLeaveTheParamsWhereTheReferencePutsThem(@ForAll @IntRange(max = 9) int optimizer,
                                                              @ForAll @IntRange(min = 1, max = 6) int batch) {
        var random = Function.randomStream(optimizer * 10L + batch);
        Input x = Ops.input("x", "n", 5), t = Ops.input("t", "n", 3);
        Param w1 = Ops.param("W1", Tensor.normal(Shape.of(5, 4), 0, 0.5, random));
        Param b1 = Ops.param("b1", Tensor.normal(Shape.of(4), 0, 0.1, random));
        Param w2 = Ops.param("W2", Tensor.normal(Shape.of(4, 3), 0, 0.5, random));
        Node h = Ops.tanh(Ops.add(Ops.matmul(x, w1), b1));
        Node cost = Ops.mean(Ops.softmaxCrossEntropy(Ops.matmul(h, w2), t));
        Optimizer opt = OPTIMIZERS.get(optimizer);
        Map<Param, Node> updates = opt.updates(cost, List.of(w1, b1, w2));
        Function step = Compiler.compile(List.of(x, t), List.of(cost), updates);
        var rewritten = new ArrayList<Node>(updates.values());
        rewritten = new ArrayList<>(org.graft.core.rewrite.Rewriter.of(Options.DEFAULT.phases()).rewrite(rewritten).roots());
        Tensor xs = Tensor.normal(Shape.of(batch, 5), 0, 1, random);
        double[] onehot = new double[batch * 3];
        for (int i = 0; i < batch; i++) onehot[i * 3 + random.nextInt(3)] = 1;
        Tensor ts = Tensor.of(onehot, batch, 3);
        var params = new ArrayList<>(updates.keySet());
        for (int s = 0; s < 3; s++) {
            var reference = new Reference(List.of(x, t), List.of(xs, ts));
            var want = new ArrayList<Tensor>();
            for (Node u : rewritten) want.add(reference.eval(u));
            step.call(xs, ts);
            for (int k = 0; k < params.size(); k++) {
                Tensor got = params.get(k).value();
                for (int i = 0; i < got.size(); i++) {
                    double a = want.get(k).getFlat(i), b = got.getFlat(i);
                    int at = i, st = s, pk = k;
                    assertTrue(agree(a, b), () -> params.get(pk).label() + " after step " + (st + 1) + " at " + at
                            + ": reference " + a + ", compiled " + b);
                }
            }
        }
    }

    private static void assertMatches(Expression e, Options options, boolean guarded) {
        List<Node> roots = withGradients(e);
        Function f = Compiler.compile(e.inputs(), roots, options);
        List<Tensor> compiled;
        try {
            compiled = f.guardNonFinite(guarded).call(e.values());
        } catch (org.graft.core.runtime.NonFiniteError nonFinite) {
            return; // the guard stopped at a value the reference computes too; nothing to compare
        }
        var reference = new Reference(e.inputs(), e.values());
        for (int i = 0; i < roots.size(); i++) {
            Tensor want = reference.eval(f.outputs().get(i));
            Tensor got = compiled.get(i);
            int at = i;
            assertEquals(want.shape(), got.shape(), () -> "root " + at + " of\n" + e);
            for (int k = 0; k < want.size(); k++) {
                double a = want.getFlat(k), b = got.getFlat(k);
                int element = k;
                assertTrue(agree(a, b), () -> "root " + at + " at " + element + ": reference " + a + ", compiled " + b + "\n" + e);
            }
        }
    }

    private static boolean agree(double a, double b) {
        if (Double.compare(a, b) == 0 || (Double.isNaN(a) && Double.isNaN(b))) return true;
        if (!Double.isFinite(a) || !Double.isFinite(b)) return false;
        return Math.abs(a - b) <= TOLERANCE * Math.max(1, Math.max(Math.abs(a), Math.abs(b)));
    }

    private static List<Node> withGradients(Expression e) {
        var roots = new ArrayList<Node>(List.of(e.cost()));
        roots.addAll(GradTable.grad(e.cost(), e.inputs(), GradTable.Disconnected.ZEROS));
        return roots;
    }

    /** The graph evaluated node by node with the ops' fprops, params as they are now: the reference semantics. */
    private static final class Reference {
        private final Map<Node, Tensor> value = new IdentityHashMap<>();

        Reference(List<Input> inputs, List<Tensor> values) {
            for (int i = 0; i < inputs.size(); i++) value.put(inputs.get(i), values.get(i));
        }

        Tensor eval(Node n) {
            Tensor v = value.get(n);
            if (v != null) return v;
            if (n instanceof Constant c) v = c.value();
            else if (n instanceof Param p) v = p.value();
            else if (n instanceof Apply a) v = a.op().fprop(a.inputs().stream().map(this::eval).toList());
            else throw new IllegalStateException("no value for " + (n instanceof Input in ? in.label() : n));
            value.put(n, v);
            return v;
        }
    }
}
