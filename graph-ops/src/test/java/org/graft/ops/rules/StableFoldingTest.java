package org.graft.ops.rules;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.constant;
import static org.graft.ops.Ops.exp;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.log;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.oneHot;
import static org.graft.ops.Ops.sigmoid;
import static org.graft.ops.Ops.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;

import org.graft.core.Constant;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.rewrite.Rewrite;
import org.graft.core.rewrite.Rewriter;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.Tensor;

/**
 * Constant folding computes what the stable form computes: a constant subexpression is folded
 * as a whole, after the pipeline's rules have rewritten it, so a constant {@code -800} under
 * {@code log(sigmoid(.))} folds to -800, not to the -inf that folding node by node gives.
 */
class StableFoldingTest {

    private static Rewriter.Result rewrite(Node... roots) { return Rewriter.of(Rewriter.standard()).rewrite(List.of(roots)); }

    private static double folded(Node root) {
        Node r = rewrite(root).roots().get(0);
        assertTrue(r instanceof Constant, () -> "not folded: " + r);
        return ((Constant) r).value().item();
    }

    @Example
    void aConstantUnderAnUnstableFormFoldsToTheStableValue() {
        assertEquals(-800.0, folded(log(sigmoid(constant(-800)))));  // -softplus(800), not log(0)
        assertEquals(1e-18, folded(log(add(1.0, constant(1e-18)))), 1e-34);   // log1p, not log(1)
        assertEquals(800.0, folded(log(add(1.0, exp(constant(800))))));      // softplus, not log(inf)
    }

    @Example
    void aConstantReadByAnUnknownValueFoldsWhereItIsRead() {
        Input x = input("x");
        Node y = mul(x, log(sigmoid(constant(-800))));
        var result = rewrite(y);
        List<Tensor> out = Compiler.compile(List.of(x), result.roots(), Options.NONE).call(Tensor.scalar(2));
        assertEquals(-1600.0, out.get(0).item());
        assertEquals(1, result.log().stream().filter(r -> r.rule().equals("constant folding")).count(), () -> show(result));
    }

    @Example
    void aConstantReadTwiceIsFoldedOnce() {
        Input x = input("x");
        Node c = log(sigmoid(constant(-800)));
        var result = rewrite(add(mul(x, c), mul(c, c)));
        long folds = result.log().stream().filter(r -> r.rule().equals("constant folding")).count();
        assertEquals(2, folds, () -> show(result)); // c on its own, then c * c on the folded c
        List<Tensor> out = Compiler.compile(List.of(x), result.roots(), Options.NONE).call(Tensor.scalar(1));
        assertEquals(-800.0 + 640000.0, out.get(0).item());
    }

    @Example
    void aValueThatDependsOnAnInputIsNotFolded() {
        Input x = input("x");
        var result = rewrite(log(sigmoid(add(x, constant(-800)))));
        assertFalse(result.roots().get(0) instanceof Constant);
        assertFalse(result.log().stream().anyMatch(r -> r.rule().equals("constant folding")), () -> show(result));
    }

    /** A constant whose computation fails is left as it is written: the error belongs to the run, at the node. */
    @Example
    void aConstantThatCannotBeComputedIsLeftForTheRunToReport() {
        Node bad = sum(oneHot(constant(Tensor.vector(1, 7)), 3));
        var result = rewrite(bad);
        assertFalse(result.roots().get(0) instanceof Constant);
        var e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> Compiler.compile(List.of(), result.roots(), Options.NONE).call());
        assertTrue(e.getMessage().contains("label 7"), e.getMessage());
    }

    /** Folding changes no value where the naive form is accurate: the constant is what the unfolded graph computes. */
    @Property(tries = 200)
    void aFoldedConstantIsWhatTheRewrittenGraphComputesFromAnInput(@ForAll @DoubleRange(min = -50, max = 50) double v) {
        Input x = input("x");
        Node f = log(add(1.0, exp(mul(x, 2.0))));
        double fromInput = Compiler.compile(List.of(x), List.of(f)).call(Tensor.scalar(v)).get(0).item();
        Node onConstant = log(add(1.0, exp(mul(constant(v), 2.0))));
        assertEquals(fromInput, folded(onConstant));
    }

    private static String show(Rewriter.Result r) {
        return String.join("\n", r.log().stream().map(Rewrite::toString).toList());
    }
}
