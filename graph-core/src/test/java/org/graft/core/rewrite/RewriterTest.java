package org.graft.core.rewrite;

import static org.graft.core.rewrite.Pattern.on;
import static org.graft.core.rewrite.Pattern.scalar;
import static org.graft.core.rewrite.Pattern.var;
import static org.graft.core.rewrite.Rule.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Grad;
import org.graft.core.Graph;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.SourcePos;
import org.graft.core.Stochastic;
import org.graft.core.Type;
import org.graft.core.ops.Add;
import org.graft.core.ops.FillLike;
import org.graft.core.ops.StopGradient;
import org.graft.core.tensor.Tensor;

class RewriterTest {
    private static final Pattern.Var X = var("x");
    private static final SourcePos HERE = new SourcePos("r.graft", 3, 7);

    /** x + 0 -> x, the smallest rule there is. */
    private static final Rule PLUS_ZERO = rule("x + 0 -> x", on(Add.class, X, scalar(0)),
            m -> m.get(X).type().equals(m.node().type()) ? m.get(X) : null);

    /** Swaps the operands of an add: with itself, a rule that never settles. */
    private static final Rule SWAP = rule("a + b -> b + a", on(Add.class, X, var("y")),
            m -> Apply.of(new Add(), m.get(var("y")), m.get(X)));

    private final Input x = new Input("x", Type.f64(3));

    private static Node add(Node a, Node b) { return Apply.of(new Add(), a, b); }

    private static Constant zero() { return Constant.scalar(0); }

    private static Rewriter.Result run(Phase phase, Node... roots) { return Rewriter.of(List.of(phase)).rewrite(List.of(roots)); }

    @Test
    void aRuleFiresWhereItsPatternMatchesAndTheLogSaysWhere() {
        Node y = Apply.at(HERE, new Add(), List.of(x, zero()));
        var result = run(Phase.of("canonicalize", List.of(PLUS_ZERO)), add(y, y));
        assertEquals(List.of("x + 0 -> x"), result.log().stream().map(Rewrite::rule).distinct().toList());
        Node root = result.roots().get(0);
        assertSame(x, root.inputs().get(0));
        assertSame(x, root.inputs().get(1));
        Rewrite first = result.log().get(0);
        assertEquals(HERE, first.pos());
        assertEquals("add(x, 0)", first.before());
        assertEquals("x", first.after());
    }

    @Test
    void aGraphNoRuleMatchesComesBackAsTheSameNodes() {
        Node y = add(x, Constant.scalar(1));
        var result = run(Phase.of("canonicalize", List.of(PLUS_ZERO)), y);
        assertSame(y, result.roots().get(0));
        assertTrue(result.log().isEmpty());
    }

    @Test
    void aReplacementTakesThePositionAndNameOfTheNodeItReplaces() {
        Rule toNew = rule("x + 0 -> 0 + x", on(Add.class, X, scalar(0)), m -> add(zero(), m.get(X)));
        Node y = Apply.at(HERE, new Add(), List.of(x, zero())).named("y");
        Node root = run(Phase.of("p", List.of(toNew)), y).roots().get(0);
        assertEquals(HERE, root.pos());
        assertEquals("y", root.label());
    }

    @Test
    void mergeKeepsOneOfEachComputationAndConstantFoldingEvaluatesWhatIsKnown() {
        Node a = add(x, Constant.scalar(2)), b = add(x, Constant.scalar(2));
        Node folded = add(Constant.scalar(1), Constant.scalar(1));
        var result = run(new Phase("canonicalize", List.of(), true, true), add(a, b), folded);
        Node root = result.roots().get(0);
        assertSame(root.inputs().get(0), root.inputs().get(1));
        // x, 2, x + 2 (once) and the sum; 1 + 1 folds to a constant 2, which merges with the other
        assertEquals(4, Graph.topologicalOrder(result.roots()).size());
        assertSame(root.inputs().get(0).inputs().get(1), result.roots().get(1));
        assertTrue(result.roots().get(1) instanceof Constant c && c.isScalar(2));
        assertTrue(result.log().stream().anyMatch(r -> r.rule().equals("constant folding")));
        // the second x + 2 merged into the first, and the log says so; constants merge unlogged
        assertEquals(List.of("add(x, 2) => add(x, 2)"), result.log().stream().filter(r -> r.rule().equals("merge"))
                .map(r -> r.before() + " => " + r.after()).toList());
    }

    @Test
    void samplesAreNeverMergedNorFolded() {
        Op sample = new Sample();
        Node s1 = Apply.of(sample, Constant.scalar(1)), s2 = Apply.of(sample, Constant.scalar(1));
        var result = run(new Phase("canonicalize", List.of(), true, true), add(s1, s2));
        Node root = result.roots().get(0);
        assertTrue(root.inputs().get(0) != root.inputs().get(1));
        assertTrue(root.inputs().get(0) instanceof Apply);
    }

    @Test
    void foldingReadsTheValuesThatStopGradientPassesOn() {
        Node y = Apply.of(new StopGradient(), x);
        Node root = run(new Phase("canonicalize", List.of(), true, true), y).roots().get(0);
        assertSame(y, root);
    }

    @Test
    void foldingReadsOnlyTheShapeOfAShapeOnlyOperand() {
        Node root = run(new Phase("canonicalize", List.of(), true, true), Apply.of(new FillLike(7), x)).roots().get(0);
        assertTrue(root instanceof Constant c && c.value().equals(Tensor.full(c.value().shape(), 7)) && c.type().equals(x.type()));
    }

    @Test
    void rulesThatUndoEachOtherAreStoppedWithAnErrorNamingThem() {
        Node y = Apply.at(HERE, new Add(), List.of(x, Constant.scalar(1)));
        var e = assertThrows(RewriteError.class, () -> run(Phase.of("p", List.of(SWAP)), y));
        assertEquals("r.graft:3:7: rules undo each other: a + b -> b + a fired 65 times on one node", e.getMessage());
    }

    @Test
    void aReplacementContainingTheNodeItReplacesIsStoppedWithAnErrorNamingTheRule() {
        Rule wrapping = rule("x + 1 -> (x + 1) + 0", on(Add.class, X, scalar(1)), m -> add(m.node(), zero()));
        Node y = Apply.at(HERE, new Add(), List.of(x, Constant.scalar(1)));
        var e = assertThrows(RewriteError.class, () -> run(Phase.of("p", List.of(wrapping)), y));
        assertEquals("r.graft:3:7: rules keep rewriting the nodes they build: x + 1 -> (x + 1) + 0 nested 65 deep "
                + "(does a replacement contain the node it replaces?)", e.getMessage());
    }

    @Test
    void aRuleThatChangesTheTypeIsABugTheEngineNames() {
        Rule wrong = rule("x + 0 -> 0", on(Add.class, X, scalar(0)), m -> zero());
        var e = assertThrows(RewriteError.class, () -> run(Phase.of("p", List.of(wrong)), Apply.at(HERE, new Add(), List.of(x, zero()))));
        assertEquals("r.graft:3:7: rule x + 0 -> 0 changed the type of add(x, 0) from [3] to []", e.getMessage());
    }

    /** (x + 1) + 1 -> x + 2, only where nothing else reads x + 1: else the graph would grow. */
    private static final Pattern.Var INNER = var("inner");
    private static final Rule PLUS_TWO = rule("(x + 1) + 1 -> x + 2", on(Add.class, on(Add.class, X, scalar(1)).as(INNER), scalar(1)),
            m -> m.uses(m.get(INNER)) <= 1 ? add(m.get(X), Constant.scalar(2)) : null);

    @Test
    void aRuleCanAskHowManyNodesReadANode() {
        Phase p = Phase.of("p", List.of(PLUS_TWO));
        Node once = add(x, Constant.scalar(1)), root = add(x, Constant.scalar(1)), twice = add(x, Constant.scalar(1));
        assertEquals(1, run(p, add(once, Constant.scalar(1))).log().size());
        assertTrue(run(p, add(root, Constant.scalar(1)), root).log().isEmpty());
        assertTrue(run(p, add(add(twice, Constant.scalar(1)), twice)).log().isEmpty());
    }

    @Test
    void aReaderThatARuleBuiltEarlierInTheWalkCounts() {
        // stop_gradient(x) is settled first and becomes x + 1, which x + 1 below then merges with:
        // two nodes read it, though each read it once in the graph as written
        Rule stand = rule("stop_gradient(x) -> x + 1", on(StopGradient.class, X), m -> add(m.get(X), Constant.scalar(1)));
        Node inner = add(x, Constant.scalar(1));
        Node root = add(Apply.of(new StopGradient(), x), add(inner, Constant.scalar(1)));
        var result = run(new Phase("p", List.of(stand, PLUS_TWO), false, true), root);
        assertEquals(List.of("stop_gradient(x) -> x + 1", "merge"), result.log().stream().map(Rewrite::rule).toList());
    }

    @Test
    void aReaderInsideARuleReplacementCounts() {
        // the replacement reads its own x + 1 twice
        Rule stand = rule("stop_gradient(x) -> ((x + 1) + 1) + (x + 1)", on(StopGradient.class, X), m -> {
            Node inner = add(m.get(X), Constant.scalar(1));
            return add(add(inner, Constant.scalar(1)), inner);
        });
        var result = run(Phase.of("p", List.of(stand, PLUS_TWO)), Apply.of(new StopGradient(), x));
        assertEquals(List.of("stop_gradient(x) -> ((x + 1) + 1) + (x + 1)"), result.log().stream().map(Rewrite::rule).toList());
    }

    @Test
    void nodesNothingReachesAreDropped() {
        Node used = add(x, zero());
        Node root = run(Phase.of("p", List.of(PLUS_ZERO)), add(used, Constant.scalar(5))).roots().get(0);
        assertEquals(3, Graph.topologicalOrder(List.of(root)).size());   // x, 5, x + 5
    }

    @Test
    void aLongChainRewritesInTimeLinearInItsLength() {
        Node y = x;
        for (int i = 0; i < 20_000; i++) y = add(add(y, zero()), Constant.scalar(1));
        var result = run(new Phase("p", List.of(PLUS_ZERO), true, true), y);
        assertEquals(20_000, result.log().stream().filter(r -> r.rule().equals("x + 0 -> x")).count());
    }

    /** Absorbs an inner sum into the outer one, but only where nothing else reads the inner sum. */
    private static final Rule ABSORB = rule("(x + 1) + z -> x + (z + 1)",
            on(Add.class, on(Add.class, X, scalar(1)).as(var("p")), var("z")),
            m -> m.uses(var("p")) == 1 ? add(m.get(X), add(m.get(var("z")), Constant.scalar(1))) : null);

    @Test
    void aRuleSeesHowOftenTheGraphReadsANodeAlsoOnceItsInputsWereRewritten() {
        Input z = new Input("z", Type.f64(3));
        Node inner = add(add(x, zero()), Constant.scalar(1));    // rebuilt on x once x + 0 -> x fires
        Phase phase = Phase.of("p", List.of(PLUS_ZERO, ABSORB));
        var once = run(phase, add(inner, z));
        assertTrue(once.log().stream().anyMatch(r -> r.rule().equals(ABSORB.name())));
        assertSame(x, once.roots().get(0).inputs().get(0));

        var readTwice = run(phase, add(inner, z), inner);
        assertTrue(readTwice.log().stream().noneMatch(r -> r.rule().equals(ABSORB.name())));
        var readTwiceByOne = run(phase, add(add(inner, z), inner));
        assertTrue(readTwiceByOne.log().stream().noneMatch(r -> r.rule().equals(ABSORB.name())));
    }

    /** A stand-in sampler: constant folding and merging must leave it alone. */
    private record Sample() implements Stochastic {
        public Type type(List<Type> in) { return in.get(0); }
        public Tensor sample(List<Tensor> in, RandomGenerator stream) { return Tensor.scalar(stream.nextDouble()); }
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.notDifferentiable("a sample")); }
    }

    /** graph-core's tests run without graph-ops: the standard phases are not there, and asking for them says so. */
    @Test
    void withoutRegisteredRulesTheStandardPhasesAreAnErrorNotSilentlyNothing() {
        var e = assertThrows(IllegalStateException.class, Rewriter::standard);
        assertTrue(e.getMessage().startsWith("no rewrite rules are registered"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> org.graft.core.runtime.Compiler.compile(List.of(x), List.of(x)));
    }
}
