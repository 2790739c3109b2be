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

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.Tensor;
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

    private static void assertMatches(Expression e, Options options, boolean guarded) {
        List<Node> roots = withGradients(e);
        Function f = Compiler.compile(e.inputs(), roots, options);
        List<Tensor> compiled;
        try {
            compiled = f.guardNonFinite(guarded).call(e.values());
        } catch (org.graft.core.runtime.NonFiniteError nonFinite) {
            return; // the guard stopped at a value the reference computes too; nothing to compare
        }
        var reference = new Reference(e);
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

    /** The graph evaluated node by node with the ops' fprops: the reference semantics. */
    private static final class Reference {
        private final Map<Node, Tensor> value = new IdentityHashMap<>();

        Reference(Expression e) {
            for (int i = 0; i < e.inputs().size(); i++) value.put(e.inputs().get(i), e.values().get(i));
        }

        Tensor eval(Node n) {
            Tensor v = value.get(n);
            if (v != null) return v;
            if (n instanceof Constant c) v = c.value();
            else if (n instanceof Apply a) v = a.op().fprop(a.inputs().stream().map(this::eval).toList());
            else throw new IllegalStateException("no value for " + (n instanceof Input in ? in.label() : n));
            value.put(n, v);
            return v;
        }
    }
}
