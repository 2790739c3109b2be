package org.graft.ops.rules;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.constant;
import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.exp;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.log;
import static org.graft.ops.Ops.logSoftmax;
import static org.graft.ops.Ops.max;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.neg;
import static org.graft.ops.Ops.sigmoid;
import static org.graft.ops.Ops.slice;
import static org.graft.ops.Ops.softmax;
import static org.graft.ops.Ops.sub;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.tanh;
import static org.graft.ops.rules.StabilizeTest.run;
import static org.graft.ops.rules.StabilizeTest.weighted;
import static org.graft.ops.rules.StabilizeTest.withGradient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Graph;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Type;
import org.graft.core.check.Tensors;
import org.graft.core.grad.GradTable;
import org.graft.core.rewrite.Rewriter;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;
import org.graft.ops.Neural;
import org.graft.ops.Slice;
import org.graft.ops.Unary;
import org.graft.ops.rules.StabilizeTest.Run;

/**
 * The stabilize rules for what users write by hand: a softmax written out, with the max
 * subtracted first or not, the log of a probability picked from a softmax, and the sigmoid
 * identities; each where it fires, where it must not, and a property that values and
 * gradients do not change where the naive form is finite.
 */
class StabilizeByHandTest {
    private static final String SOFTMAX = "exp(x) / sum(exp(x)) -> softmax(x)";
    private static final String SHIFT = "softmax(x - c) -> softmax(x), c constant along the axis";
    private static final String SUM_TO = "sum_to(a / sum(exp(x))) -> sum_to(a) / sum(exp(x)), constant along the summed axes";
    private static final String PICKED = "log(softmax(x)[i]) -> log_softmax(x)[i]";
    private static final String UNSLICE = "s unslice(a / s[i]) -> unslice(a), s > 0";
    private static final String ONE_MINUS = "1 - sigmoid(x) -> sigmoid(-x)";
    private static final String EXP_OVER = "exp(x) / (1 + exp(x)) -> sigmoid(x)";
    private static final String ONE_OVER = "1 / (1 + exp(-x)) -> sigmoid(x)";
    private static final String SIGMOID_EXP = "sigmoid(x) exp(-x) -> sigmoid(-x)";

    /** Logits 2000 apart in the first row, where e^x overflows and every naive form is NaN. */
    private static final Tensor LOGITS = Tensor.matrix(new double[] {1000, 0, -1000}, new double[] {1, 2, 3});

    private static Tensor scalar(double v) { return Tensor.scalar(v); }

    /** {@code Σ w f(x)} and its gradient, rewritten, next to {@code Σ w g(x)} and its gradient with g the op itself. */
    private static Run againstTheOp(Node hand, Node op, Input x, Tensor at) {
        Node cost = weighted(hand), reference = weighted(op);
        return run(List.of(x), List.of(cost, GradTable.grad(cost, x), reference, GradTable.grad(reference, x)), at);
    }

    private static void assertSameAsTheOp(Run r) {
        assertEquals(r.rewritten(2), r.rewritten(0), 1e-12 * Math.abs(r.rewritten(2)));
        assertTrue(r.rewritten().get(1).allClose(r.rewritten().get(3), 1e-12, 1e-15), r.rewritten().get(1) + " vs " + r.rewritten().get(3));
    }

    // ---- a softmax written out ----------------------------------------------------------------

    @Example
    void aSoftmaxWrittenOutIsTheOpWithAFiniteGradientWhereItsExpOverflows() {
        Input x = input("x", 2, 3);
        Run r = againstTheOp(div(exp(x), sum(exp(x), -1, true)), softmax(x), x, LOGITS);
        assertTrue(Double.isNaN(r.naive(0)));                               // inf / inf
        assertTrue(Double.isNaN(r.naive().get(1).get(0, 0)));
        assertSameAsTheOp(r);
        assertTrue(r.fired(SOFTMAX) && r.fired(SUM_TO), r.rules().toString());
    }

    @Example
    void aSoftmaxOverLeadingAxesOrEveryAxisLinesUpWithoutKeepdims() {
        Input x = input("x", 2, 3);
        Run leading = run(List.of(x), List.of(div(exp(x), sum(exp(x), 0)), softmax(x, 0)), LOGITS);
        assertTrue(leading.fired(SOFTMAX));
        assertTrue(leading.rewritten().get(0).allClose(leading.rewritten().get(1), 1e-15, 0));
        // over both axes: e^(x - logsumexp(x)), the form the gradient rules use for several axes
        Run all = run(List.of(x), List.of(div(exp(x), sum(exp(x)))), LOGITS);
        assertTrue(all.fired(SOFTMAX));
        assertEquals(1.0, all.rewritten().get(0).get(0, 0));
        assertEquals(0.0, all.rewritten().get(0).get(1, 2));
    }

    @Example
    void aQuotientThatIsNoSoftmaxIsLeftAlone() {
        Input x = input("x", 2, 2), y = input("y", 2, 2);
        Tensor a = Tensor.matrix(new double[] {0, 1}, new double[] {2, 3}), b = Tensor.matrix(new double[] {1, 1}, new double[] {0, 2});
        // summed along the last axis without keepdims, [2, 2] / [2] divides each row by the other rows' sums
        Run misaligned = run(List.of(x, y), List.of(div(exp(x), sum(exp(x), 1)), div(exp(x), sum(exp(y), -1, true)),
                div(mul(2.0, exp(x)), sum(exp(x), -1, true))), a, b);
        assertFalse(misaligned.fired(SOFTMAX));
        for (int i = 0; i < 3; i++) assertTrue(misaligned.rewritten().get(i).allClose(misaligned.naive().get(i), 1e-15, 0));
    }

    @Example
    void theMaxCarefulUsersSubtractFirstIsDroppedToo() {
        Input x = input("x", 2, 3);
        Node shifted = exp(sub(x, max(x, -1, true)));
        Run r = againstTheOp(div(shifted, sum(shifted, -1, true)), softmax(x), x, LOGITS);
        assertTrue(r.fired(SOFTMAX) && r.fired(SHIFT), r.rules().toString());
        assertSameAsTheOp(r);
        var softmaxes = Graph.topologicalOrder(r.roots()).stream().filter(n -> n instanceof Apply a && a.op() instanceof Neural.Softmax).toList();
        assertFalse(softmaxes.isEmpty());
        for (Node s : softmaxes) assertEquals(List.of(x), s.inputs());
    }

    @Example
    void aShiftThatVariesAlongTheAxisIsKept() {
        Input x = input("x", 2, 3), c = input("c", 2, 1), b = input("b", 3);
        Tensor col = Tensor.matrix(new double[] {5}, new double[] {-7}), row = Tensor.vector(1, 2, 3);
        Run r = run(List.of(x, c, b), List.of(softmax(sub(x, c)), softmax(add(c, x)), softmax(sub(x, b)), softmax(x, 0)),
                LOGITS, col, row);
        assertEquals(x, r.roots().get(0).inputs().get(0));           // x - c and c + x: c is one column
        assertEquals(x, r.roots().get(1).inputs().get(0));
        assertFalse(x == r.roots().get(2).inputs().get(0));          // b changes along the last axis
        assertTrue(r.rewritten().get(2).allClose(r.naive().get(2), 1e-15, 0));
    }

    // ---- the log of a picked probability ------------------------------------------------------

    @Example
    void theLogOfAPickedProbabilityIsFiniteWithAFiniteGradient() {
        Input x = input("x", 2, 3);
        Node picked = log(slice(softmax(x), Slice.all(), Slice.index(2)));
        Run r = againstTheOp(picked, slice(logSoftmax(x), Slice.all(), Slice.index(2)), x, LOGITS);
        assertTrue(Double.isInfinite(r.naive(0)));                          // log(0)
        assertTrue(Double.isNaN(r.naive().get(1).get(0, 0)));
        assertSameAsTheOp(r);
        assertTrue(r.fired(PICKED) && r.fired(UNSLICE), r.rules().toString());
    }

    @Example
    void theLogOfAProbabilityPickedTwiceOrWrittenOutIsFiniteToo() {
        Input x = input("x", 2, 3);
        Node probs = div(exp(x), sum(exp(x), -1, true));
        Run r = run(List.of(x), List.of(log(slice(slice(probs, Slice.range(0, 1)), Slice.all(), Slice.index(2)))), LOGITS);
        assertTrue(r.fired(SOFTMAX) && r.fired(PICKED), r.rules().toString());
        assertEquals(Tensor.vector(-2000), r.rewritten().get(0));
    }

    @Example
    void theLogOfASliceOfAnythingElseIsLeftAlone() {
        Input x = input("x", 3);
        Run r = run(List.of(x), List.of(log(slice(tanh(x), Slice.index(0))), log(slice(mul(2.0, softmax(x)), Slice.index(0)))),
                Tensor.vector(1, 2, 3));
        assertFalse(r.fired(PICKED));
    }

    // ---- the sigmoid identities ---------------------------------------------------------------

    @Example
    void oneMinusSigmoidOf40IsSigmoidOfMinus40ToTheLastDigit() {
        Input x = input("x");
        Run r = run(List.of(x), List.of(sub(1.0, sigmoid(x))), scalar(40));
        assertEquals(0.0, r.naive(0));                                      // σ(40) rounds to 1
        assertEquals(Math.exp(-40) / (1 + Math.exp(-40)), r.rewritten(0), Math.ulp(r.rewritten(0)));
        assertTrue(r.fired(ONE_MINUS));
    }

    @Example
    void oneMinusASigmoidReadElsewhereIsLeftAsItIs() {
        // σ' = σ (1 - σ) reads σ(x) twice; σ(-x) beside σ(x) would be a second exp for nothing
        Input x = input("x");
        Node s = sigmoid(x);
        assertFalse(run(List.of(x), List.of(mul(s, sub(1.0, s))), scalar(1)).fired(ONE_MINUS));
        assertFalse(run(List.of(x), List.of(sub(2.0, sigmoid(x))), scalar(1)).fired(ONE_MINUS));
    }

    @Example
    void expOverOnePlusExpIsTheSigmoidAt800WithItsGradient() {
        Input x = input("x");
        Node cost = div(exp(x), add(1.0, exp(x)));
        Run r = withGradient(cost, x, scalar(800));
        assertTrue(Double.isNaN(r.naive(0)));                               // inf / inf
        assertEquals(1.0, r.rewritten(0));
        assertEquals(0.0, r.rewritten(1));                                  // σ(800) σ(-800)
        // the gradient is e^x (σ(-x) - σ(-x)²), which distributes: e^x σ(-x) is σ(x)
        assertTrue(r.fired(EXP_OVER) && r.fired("s (a/s - c) -> a - s c, s > 0"), r.rules().toString());
    }

    @Example
    void oneOverOnePlusExpOfMinusXIsTheSigmoidWithAFiniteGradientAtMinus800() {
        Input x = input("x");
        Run r = withGradient(div(1.0, add(1.0, exp(neg(x)))), x, scalar(-800));
        assertEquals(0.0, r.naive(0));                                      // right: σ(-800) underflows
        assertTrue(Double.isNaN(r.naive(1)));                              // 0 · e^800
        assertEquals(0.0, r.rewritten(0));
        assertEquals(0.0, r.rewritten(1));
        assertTrue(r.fired(ONE_OVER) && r.fired(SIGMOID_EXP), r.rules().toString());
        assertEquals(new Unary.Sigmoid(), r.op(0));
        assertEquals(x, r.roots().get(0).inputs().get(0));                 // σ(-(-x)) is σ(x)
    }

    @Example
    void quotientsThatAreNoSigmoidAreLeftAlone() {
        Input x = input("x"), y = input("y");
        Run r = run(List.of(x, y), List.of(div(exp(x), add(2.0, exp(x))), div(exp(x), add(1.0, exp(y))),
                div(2.0, add(1.0, exp(neg(x)))), div(1.0, add(2.0, exp(neg(x))))), scalar(1), scalar(2));
        assertFalse(r.fired(EXP_OVER) || r.fired(ONE_OVER), r.rules().toString());
    }

    // ---- log(1 + exp(c)) for a large constant -------------------------------------------------

    /** The constant is folded after the rules have made it softplus(c), in f64 and in f32 (where e^c overflows past 88.7). */
    @Example
    void theLogOfOnePlusTheExpOfALargeConstantFoldsToTheConstant() {
        for (DType dtype : List.of(DType.F64, DType.F32)) {
            Node c = constant(Tensor.scalar(dtype, 100));
            for (Node f : List.of(log(add(1.0, exp(c))), log(add(exp(c), 1.0)))) {
                Node folded = Rewriter.of(Rewriter.standard()).rewrite(List.of(f)).roots().get(0);
                assertTrue(folded instanceof Constant k && k.value().item() == 100.0, () -> dtype + ": " + folded);
            }
        }
    }

    // ---- values and gradients do not change ---------------------------------------------------

    /** A hand-written form, the rules that must fire on it or on its gradient, and a name for reports. */
    record Formula(String name, List<String> rules, UnaryOperator<Node> f) {
        @Override
        public String toString() { return name; }
    }

    record Case(Formula formula, Tensor x) {}

    private static final List<Formula> FORMULAS = List.of(
            new Formula("exp(x) / sum(exp(x), -1, keepdims)", List.of(SOFTMAX), x -> div(exp(x), sum(exp(x), -1, true))),
            new Formula("exp(x) / sum(exp(x))", List.of(SOFTMAX), x -> div(exp(x), sum(exp(x)))),
            new Formula("exp(x - max x) / sum(exp(x - max x))", List.of(SOFTMAX, SHIFT), x -> {
                Node e = exp(sub(x, max(x, -1, true)));
                return div(e, sum(e, -1, true));
            }),
            new Formula("log(softmax(x)[0])", List.of(PICKED, UNSLICE), x -> log(slice(softmax(x), Slice.index(0)))),
            new Formula("1 - sigmoid(x)", List.of(ONE_MINUS), x -> sub(1.0, sigmoid(x))),
            new Formula("exp(x) / (1 + exp(x))", List.of(EXP_OVER), x -> div(exp(x), add(1.0, exp(x)))),
            new Formula("1 / (1 + exp(-x))", List.of(ONE_OVER, SIGMOID_EXP), x -> div(1.0, add(1.0, exp(neg(x))))));

    /** Each rule fires on the formula, or on its gradient; values and gradients are those of the naive form. */
    @Property(tries = 100)
    void theRewrittenFormsGiveTheSameValuesAndGradientsWhereTheNaiveOnesAreFinite(@ForAll("cases") Case c) {
        Input x = new Input("x", Type.of(c.x()));
        Node y = c.formula().f().apply(x);
        Run alone = run(List.of(x), List.of(y), c.x()), graded = withGradient(weighted(y), x, c.x());
        var fired = new ArrayList<>(alone.rules());
        fired.addAll(graded.rules());
        assertTrue(fired.containsAll(c.formula().rules()), c.formula() + ": " + fired);
        assertTrue(alone.rewritten().get(0).allClose(alone.naive().get(0), 1e-9, 1e-12), c.formula() + " at " + c.x());
        for (int i = 0; i < 2; i++) {
            assertTrue(graded.rewritten().get(i).allClose(graded.naive().get(i), 1e-9, 1e-12),
                    c.formula() + " at " + c.x() + ": " + graded.rewritten().get(i) + " vs " + graded.naive().get(i));
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        var values = Tensors.withShapes(Tensors.shapes(3, 1, 4).filter(s -> s.rank() >= 1)).awayFromZero(0.1, 5.0);
        return Combinators.combine(Arbitraries.of(FORMULAS), values).as(Case::new);
    }
}
