package org.graft.ops.rules;

import static org.graft.core.rewrite.Pattern.on;
import static org.graft.core.rewrite.Pattern.var;
import static org.graft.core.rewrite.Rule.rule;
import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.GraftException;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.grad.GradTable;
import org.graft.core.print.DebugPrint;
import org.graft.core.rewrite.Pattern;
import org.graft.core.rewrite.Phase;
import org.graft.core.rewrite.Rewrite;
import org.graft.core.rewrite.Rewriter;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.Tensor;
import org.graft.ops.Binary;
import org.graft.ops.rules.Expressions.Expression;

/**
 * Rewriting changes no value and no gradient. Over random well-typed graphs
 * ({@link Expressions}), the scalar cost, and its gradient with respect to every input, computed
 * after rewriting agree with the same computed from the graph as written ({@link Options#NONE}):
 * with the standard phases, and with each phase alone.
 *
 * <p>Agreement is within {@value #TOLERANCE} relative to the larger magnitude, or absolute
 * below magnitude 1 (a gradient element that sums to nearly 0 carries the rounding of its
 * terms). A value that is not finite as written may become finite (stabilizing is the point
 * of some rules); otherwise NaN must stay NaN and an infinity the same infinity, and a finite
 * value must never become NaN or infinite.
 *
 * <p>The rewritten graph is computed as {@code Compiler.compile} does it: the roots rewritten
 * by the phases, then compiled without further rewriting. The cost is rewritten on its own,
 * and again together with its gradients (as a training step compiles them, where merging
 * reaches across the two). A failure shows the expression, the input values and the rewrite
 * log.
 */
class RewritesPreserveValuesTest {
    static final double TOLERANCE = 1e-9;

    @Provide
    Arbitrary<Expression> expressions() { return Expressions.expressions(); }

    // edge cases off: those of a list of choices are a handful of tiny graphs
    @Property(tries = 1000, seed = "5001", edgeCases = EdgeCasesMode.NONE)
    void theStandardPhasesChangeNeitherTheCostNorItsGradients(@ForAll("expressions") Expression e) {
        assertUnchanged(e, Options.DEFAULT.phases(), "the standard phases");
    }

    @Property(tries = 300, seed = "5002", edgeCases = EdgeCasesMode.NONE)
    void eachPhaseAloneChangesNeitherTheCostNorItsGradients(@ForAll("expressions") Expression e) {
        for (Phase phase : Rewriter.standard()) assertUnchanged(e, onlyPhase(phase.name()), "phase " + phase.name() + " alone");
    }

    /** Without this the property above could hold by comparing NaN with NaN. */
    @Property(tries = 300, seed = "5003", edgeCases = EdgeCasesMode.NONE)
    void theGeneratedCostsAndTheirGradientsAreFiniteAsWritten(@ForAll("expressions") Expression e) {
        List<Node> roots = withGradients(e);
        List<Tensor> values = Compiler.compile(e.inputs(), roots, Options.NONE).call(e.values());
        for (int i = 0; i < roots.size(); i++) {
            Tensor v = values.get(i);
            int at = i;
            assertTrue(IntStream.range(0, v.size()).allMatch(k -> Double.isFinite(v.getFlat(k))),
                    () -> names(e).get(at) + " is not finite as written: " + v + "\n" + e);
        }
    }

    @Example
    void theGeneratorWritesEveryFormTheRulesLookForAndEveryKindOfOp() {
        var random = new Random(5004);
        var expressions = new ArrayList<Expression>();
        for (int i = 0; i < 2000; i++) {
            var choices = new ArrayList<Integer>();
            for (int c = random.nextInt(201); c > 0; c--) choices.add(random.nextInt(1 << 16));
            expressions.add(Expressions.build(choices, random.nextLong()));
        }
        Map<String, Long> tally = Expressions.tally(expressions);
        for (String name : Expressions.stepNames()) {
            assertTrue(tally.getOrDefault(name, 0L) >= 10, () -> name + " was written " + tally.getOrDefault(name, 0L)
                    + " times in 2000 expressions: " + tally);
        }
        assertTrue(Expressions.stepNames().containsAll(Expressions.TEMPLATES));
    }

    // ---- the check itself catches what it should ----------------------------------------------

    private static final Pattern.Var X = var("x");

    private static Expression sumOfSquares() {
        Input a = input("a", 3);
        return new Expression(List.of(a), List.of(Tensor.vector(1, 2, 3)), sum(mul(a, a)), List.of("x*x"));
    }

    @Example
    void aRuleThatChangesAValueIsCaughtAndTheFailureShowsTheExpressionAndTheLog() {
        Expression e = sumOfSquares();
        Phase broken = Phase.of("broken", List.of(rule("x*x -> x+x", on(Binary.Mul.class, X, X), m -> add(m.get(X), m.get(X)))));
        String failure = difference(e, List.of(broken), "the broken phase");
        assertTrue(failure.startsWith("the broken phase changed the cost: as written 14.0, rewritten 12.0 (difference 2.00e+00)\n"), failure);
        assertTrue(failure.contains(DebugPrint.debugprint(e.cost()) + "a = " + e.values().get(0)), failure);
        assertTrue(failure.contains("the rewrite log:\n") && failure.contains("broken  x*x -> x+x  mul(a, a) => add(a, a)\n"),
                failure);
    }

    @Example
    void aRuleThatBreaksTheEnginesContractIsReportedWithTheExpression() {
        Expression e = sumOfSquares();
        Phase broken = Phase.of("broken", List.of(rule("x*x -> sum(x)", on(Binary.Mul.class, X, X), m -> sum(m.get(X)))));
        String failure = difference(e, List.of(broken), "the broken phase");
        assertTrue(failure.startsWith("the broken phase could not rewrite the cost: rule x*x -> sum(x) changed the type"),
                failure);
        assertTrue(failure.contains(DebugPrint.debugprint(e.cost())), failure);
    }

    @Example
    void aGraphNoRuleChangesPasses() {
        assertNull(difference(sumOfSquares(), List.of(Phase.of("nothing", List.of())), "no rules"));
    }

    @Example
    void aValueNotFiniteAsWrittenMayBecomeFiniteButNoFiniteValueMayChange() {
        double nan = Double.NaN, inf = Double.POSITIVE_INFINITY;
        assertNull(difference(Tensor.vector(nan, -inf, inf), Tensor.vector(1, -800, inf)));
        assertNull(difference(Tensor.vector(1e-12, 5e9), Tensor.vector(1.5e-12, 5e9 + 4)));
        assertEquals("at [1]: as written 2.0, rewritten NaN", difference(Tensor.vector(1, 2), Tensor.vector(1, nan)));
        assertEquals("at []: as written NaN, rewritten Infinity", difference(Tensor.scalar(nan), Tensor.scalar(inf)));
        assertEquals("at [0]: as written 1.0, rewritten 1.000000002 (difference 2.00e-09)",
                difference(Tensor.vector(1), Tensor.vector(1.000000002)));
        assertEquals("shape [2] became [1, 2]", difference(Tensor.vector(1, 2), Tensor.of(new double[] {1, 2}, 1, 2)));
    }

    // ---- the check ----------------------------------------------------------------------------

    private static void assertUnchanged(Expression e, List<Phase> phases, String label) {
        String failure = difference(e, phases, label);
        if (failure != null) throw new AssertionError(failure);
    }

    /** The options that run only the standard phase {@code name}. */
    private static List<Phase> onlyPhase(String name) {
        Options options = Options.DEFAULT;
        for (Phase p : Rewriter.standard()) if (!p.name().equals(name)) options = options.without(p.name());
        return options.phases();
    }

    private static List<Node> withGradients(Expression e) {
        var roots = new ArrayList<Node>(List.of(e.cost()));
        roots.addAll(GradTable.grad(e.cost(), e.inputs(), GradTable.Disconnected.ZEROS));
        return roots;
    }

    private static List<String> names(Expression e) {
        var names = new ArrayList<>(List.of("the cost"));
        for (Input in : e.inputs()) names.add("dcost/d" + in.label());
        return names;
    }

    /** Null when rewriting by {@code phases} changes nothing the expression computes, else what changed, where. */
    static String difference(Expression e, List<Phase> phases, String label) {
        for (List<Node> roots : List.of(List.of(e.cost()), withGradients(e))) {
            List<Tensor> written = Compiler.compile(e.inputs(), roots, Options.NONE).call(e.values());
            String what = roots.size() == 1 ? "the cost" : "the cost with its gradients";
            Rewriter.Result result;
            List<Tensor> rewritten;
            try {
                result = Rewriter.of(phases).rewrite(roots);
                rewritten = Compiler.compile(e.inputs(), result.roots(), Options.NONE).call(e.values());
            } catch (GraftException ex) {
                return label + " could not rewrite " + what + ": " + ex.getMessage() + "\nthe expression:\n" + e;
            }
            for (int i = 0; i < roots.size(); i++) {
                String d = difference(written.get(i), rewritten.get(i));
                if (d != null) {
                    String where = roots.size() == 1 ? "" : " (rewritten with its gradients)";
                    return label + " changed " + names(e).get(i) + where + ": " + d.replaceFirst("^at \\[\\]: ", "")
                            + "\nthe expression:\n" + e + "the rewrite log:\n" + log(result.log());
                }
            }
        }
        return null;
    }

    /** Null when {@code rewritten} agrees with {@code written} element by element, else the first disagreement. */
    static String difference(Tensor written, Tensor rewritten) {
        if (!written.shape().equals(rewritten.shape())) return "shape " + written.shape() + " became " + rewritten.shape();
        for (int i = 0; i < written.size(); i++) {
            double a = written.getFlat(i), b = rewritten.getFlat(i);
            String at = "at " + Arrays.toString(written.shape().unravel(i)) + ": as written " + a + ", rewritten " + b;
            if (!Double.isFinite(a)) {
                if (Double.isFinite(b) || Double.compare(a, b) == 0) continue;
                return at;
            }
            if (!Double.isFinite(b)) return at;
            double diff = Math.abs(a - b);
            if (diff > TOLERANCE * Math.max(1, Math.max(Math.abs(a), Math.abs(b)))) {
                return at + String.format(Locale.ROOT, " (difference %.2e)", diff);
            }
        }
        return null;
    }

    private static String log(List<Rewrite> log) {
        if (log.isEmpty()) return "no rewrites fired\n";
        var text = new StringBuilder();
        for (Rewrite r : log) text.append("  ").append(r).append('\n');
        return text.toString();
    }
}
