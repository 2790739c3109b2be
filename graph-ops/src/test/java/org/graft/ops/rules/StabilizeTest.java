package org.graft.ops.rules;

import static org.graft.ops.Ops.abs;
import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.binaryCrossEntropy;
import static org.graft.ops.Ops.broadcastTo;
import static org.graft.ops.Ops.constant;
import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.erf;
import static org.graft.ops.Ops.erfc;
import static org.graft.ops.Ops.exp;
import static org.graft.ops.Ops.expandDims;
import static org.graft.ops.Ops.expm1;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.log;
import static org.graft.ops.Ops.logSoftmax;
import static org.graft.ops.Ops.log1p;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.mean;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.neg;
import static org.graft.ops.Ops.param;
import static org.graft.ops.Ops.pow;
import static org.graft.ops.Ops.reciprocal;
import static org.graft.ops.Ops.relu;
import static org.graft.ops.Ops.sigmoid;
import static org.graft.ops.Ops.slice;
import static org.graft.ops.Ops.softmax;
import static org.graft.ops.Ops.softmaxCrossEntropy;
import static org.graft.ops.Ops.sqrt;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sub;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.tanh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.Apply;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.Type;
import org.graft.core.check.Tensors;
import org.graft.core.grad.GradTable;
import org.graft.core.rewrite.Rewrite;
import org.graft.core.rewrite.Rewriter;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.ops.Neural;
import org.graft.ops.Reduce;
import org.graft.ops.Slice;
import org.graft.ops.Unary;

class StabilizeTest {

    /** The outputs computed as written (-O0) and as compile rewrites them, with the rules that fired. */
    record Run(List<Tensor> naive, List<Tensor> rewritten, List<Node> roots, List<String> rules) {
        double naive(int i) { return naive.get(i).item(); }

        double rewritten(int i) { return rewritten.get(i).item(); }

        boolean fired(String rule) { return rules.contains(rule); }

        /** The op of the i-th rewritten output. */
        Object op(int i) { return ((Apply) roots.get(i)).op(); }
    }

    static Run run(List<Input> inputs, List<Node> outputs, Tensor... values) {
        List<Tensor> naive = Compiler.compile(inputs, outputs, Options.NONE).call(values);
        List<Tensor> rewritten = Compiler.compile(inputs, outputs).call(values);
        var result = Rewriter.of(Rewriter.standard()).rewrite(outputs);
        return new Run(naive, rewritten, result.roots(), result.log().stream().map(Rewrite::rule).distinct().toList());
    }

    /** {@code cost} and its gradient with respect to {@code x}, at {@code value}. */
    static Run withGradient(Node cost, Input x, Tensor value) {
        return run(List.of(x), List.of(cost, GradTable.grad(cost, x)), value);
    }

    /** {@code Σ w y} with distinct weights w, so that a gradient put in the wrong place shows. */
    static Node weighted(Node y) {
        Shape shape = y.type().shape();
        return sum(mul(y, constant(Tensor.of(shape, IntStream.range(0, shape.size()).mapToDouble(i -> 1 + 0.25 * i).toArray()))));
    }

    private static Tensor scalar(double v) { return Tensor.scalar(v); }

    // ---- log1p, expm1, softplus -------------------------------------------------------------

    @Example
    void log1pKeepsTheTinyXThatOnePlusXRoundsAwayInEitherOperandOrder() {
        Input x = input("x");
        for (Node f : List.of(log(add(1.0, x)), log(add(x, 1.0)))) {
            Run r = run(List.of(x), List.of(f), scalar(1e-18));
            assertEquals(0.0, r.naive(0));                  // 1 + 1e-18 is 1
            assertEquals(1e-18, r.rewritten(0), 1e-34);
            assertTrue(r.fired("log(1+x) -> log1p(x)"));
        }
    }

    @Example
    void log1pNeedsAOneAndBroadcastsToAWiderOne() {
        Input x = input("x", 3);
        assertFalse(run(List.of(x), List.of(log(add(2.0, x))), Tensor.vector(1, 2, 3)).fired("log(1+x) -> log1p(x)"));
        Node ones = constant(Tensor.ones(Shape.of(2, 3)));
        Run r = run(List.of(x), List.of(log(add(ones, x))), Tensor.vector(1e-18, 1, 2));
        assertTrue(r.fired("log(1+x) -> log1p(x)"));
        assertEquals(Shape.of(2, 3), r.rewritten.get(0).shape());
        assertEquals(1e-18, r.rewritten.get(0).get(1, 0), 1e-34);
        assertEquals(Math.log(3), r.rewritten.get(0).get(1, 2), 1e-15);
    }

    /** Canonicalize writes 1 + (-x) as 1 - x before stabilize sees it; either way log1p(-x) keeps x's digits. */
    @Example
    void log1pOfMinusXKeepsTheTinyXThatOneMinusXRoundsAway() {
        Input x = input("x");
        for (Node f : List.of(log(sub(1.0, x)), log(add(1.0, neg(x))))) {
            Run r = run(List.of(x), List.of(f), scalar(1e-18));
            assertEquals(0.0, r.naive(0));                  // 1 - 1e-18 is 1
            assertEquals(-1e-18, r.rewritten(0), 1e-34);
            assertTrue(r.fired("log(1-x) -> log1p(-x)"));
        }
        assertFalse(run(List.of(x), List.of(log(sub(2.0, x))), scalar(0.5)).fired("log(1-x) -> log1p(-x)"));
        assertFalse(run(List.of(x), List.of(log(sub(x, 1.0))), scalar(2)).fired("log(1-x) -> log1p(-x)"));
    }

    @Example
    void expm1KeepsTheTinyXThatExpMinusOneRoundsAway() {
        Input x = input("x");
        for (Node f : List.of(sub(exp(x), 1.0), add(exp(x), -1.0), add(-1.0, exp(x)))) {
            Run r = run(List.of(x), List.of(f), scalar(1e-18));
            assertEquals(0.0, r.naive(0));
            assertEquals(1e-18, r.rewritten(0), 1e-34);
            assertTrue(r.fired("exp(x)-1 -> expm1(x)"));
        }
        assertFalse(run(List.of(x), List.of(sub(exp(x), 2.0)), scalar(1)).fired("exp(x)-1 -> expm1(x)"));
        assertFalse(run(List.of(x), List.of(sub(1.0, exp(x))), scalar(1)).fired("exp(x)-1 -> expm1(x)"));
    }

    @Example
    void logOfOnePlusExpIsSoftplusWithAFiniteGradientAt800() {
        Input x = input("x");
        // with g = 1 the gradient's quotient is 1 / (1 + e^x), σ(-x) once rewritten, and σ(-x) e^x is σ(x)
        String unit = "sigmoid(x) exp(-x) -> sigmoid(-x)", scaled = "(g / (1 + exp(x))) * exp(x) -> g * sigmoid(x)";
        for (var c : List.of(new Object[] {log(add(1.0, exp(x))), 1.0, unit}, new Object[] {log1p(exp(x)), 1.0, unit},
                new Object[] {mul(3.0, log(add(1.0, exp(x)))), 3.0, scaled})) {
            double g = (Double) c[1];
            Run r = withGradient((Node) c[0], x, scalar(800));
            assertEquals(Double.POSITIVE_INFINITY, r.naive(0));
            assertTrue(Double.isNaN(r.naive(1)));           // g/(1 + inf) * inf
            assertEquals(800.0 * g, r.rewritten(0));
            assertEquals(g, r.rewritten(1));                 // g softplus' = g σ(800)
            assertTrue(r.fired("log1p(exp(x)) -> softplus(x)"));
            assertTrue(r.fired((String) c[2]), r.rules().toString());
        }
        assertFalse(run(List.of(x), List.of(log(add(2.0, exp(x)))), scalar(1)).fired("log1p(exp(x)) -> softplus(x)"));
    }

    // ---- log(sigmoid), log(1 - sigmoid), binary cross-entropy ---------------------------------

    @Example
    void logSigmoidOfMinus800IsMinus800WithGradientOne() {
        Input x = input("x");
        Run r = withGradient(log(sigmoid(x)), x, scalar(-800));
        assertEquals(Double.NEGATIVE_INFINITY, r.naive(0));
        assertTrue(Double.isNaN(r.naive(1)));               // (1 / σ) (σ (1 - σ)) with σ = 0
        assertEquals(-800.0, r.rewritten(0));
        assertEquals(1.0, r.rewritten(1));
        assertTrue(r.fired("log(sigmoid(x)) -> -softplus(-x)"));
        assertTrue(r.fired("a s / (b s) -> a / b, s > 0"));
    }

    @Example
    void logSigmoidOfANegatedInputLosesBothMinusSigns() {
        Input x = input("x");
        Run r = run(List.of(x), List.of(log(sigmoid(neg(x)))), scalar(800));
        assertEquals(-800.0, r.rewritten(0));
        assertEquals(new Unary.Neg(), r.op(0));
        assertEquals(List.of(x), r.roots().get(0).inputs().get(0).inputs());   // -softplus(x)
    }

    @Example
    void logOfOneMinusSigmoidOf800IsMinus800WithGradientMinusOne() {
        Input x = input("x");
        Run r = withGradient(log(sub(1.0, sigmoid(x))), x, scalar(800));
        assertEquals(Double.NEGATIVE_INFINITY, r.naive(0));
        assertTrue(Double.isNaN(r.naive(1)));
        assertEquals(-800.0, r.rewritten(0));
        assertEquals(-1.0, r.rewritten(1));
        assertTrue(r.fired("log(1 - sigmoid(x)) -> -softplus(x)"));
        Run p = run(List.of(x), List.of(log1p(neg(sigmoid(x)))), scalar(800));
        assertEquals(-800.0, p.rewritten(0));
        assertTrue(p.fired("log1p(-sigmoid(x)) -> -softplus(x)"));
        assertFalse(run(List.of(x), List.of(log(sub(2.0, sigmoid(x)))), scalar(1)).fired("log(1 - sigmoid(x)) -> -softplus(x)"));
    }

    @Example
    void logOfTanhIsNotTakenForLogOfSigmoid() {
        Input x = input("x");
        Run r = withGradient(log(tanh(x)), x, scalar(0.5));
        assertFalse(r.fired("log(sigmoid(x)) -> -softplus(-x)"));
        assertFalse(r.fired("a s / (b s) -> a / b, s > 0"));
        assertTrue(r.rewritten.get(1).allClose(r.naive.get(1), 0, 0));
    }

    @Example
    void binaryCrossEntropyOfASigmoidIsFiniteAtPlusAndMinus800() {
        Input z = input("z", 4), t = input("t", 4);
        Node cost = sum(binaryCrossEntropy(sigmoid(z), t));
        Run r = run(List.of(z, t), List.of(cost, GradTable.grad(cost, z)),
                Tensor.vector(800, -800, 800, -800), Tensor.vector(0, 1, 1, 0));
        assertEquals(Double.POSITIVE_INFINITY, r.naive(0));
        assertTrue(Double.isNaN(r.naive.get(1).getFlat(0)));
        assertEquals(1600.0, r.rewritten(0));                // 800 + 800 + 0 + 0
        assertEquals(Tensor.vector(1, -1, 0, 0), r.rewritten.get(1));   // σ(z) - t
        assertTrue(r.fired("binary_cross_entropy(sigmoid(z), t) -> bce_with_logits(z, t)"));
        assertTrue(r.fired("a s / (b s) -> a / b, s > 0"));
    }

    @Example
    void binaryCrossEntropyWrittenOutWithLogsOfSigmoidsIsFiniteAtPlusAndMinus800() {
        Input z = input("z", 4), t = input("t", 4);
        Node p = sigmoid(z);
        Node cost = sum(neg(add(mul(t, log(p)), mul(sub(1.0, t), log(sub(1.0, p))))));
        Run r = run(List.of(z, t), List.of(cost, GradTable.grad(cost, z)),
                Tensor.vector(800, -800, 800, -800), Tensor.vector(0, 1, 1, 0));
        assertTrue(Double.isNaN(r.naive(0)));               // 0 · log 0
        assertEquals(1600.0, r.rewritten(0));
        assertTrue(Tensor.vector(1, -1, 0, 0).allClose(r.rewritten.get(1), 0, 0), r.rewritten.get(1).toString()); // -0 is 0
    }

    @Example
    void binaryCrossEntropyOfProbabilitiesIsLeftAlone() {
        Input p = input("p", 2), t = input("t", 2);
        Node cost = sum(binaryCrossEntropy(p, t));
        Run r = run(List.of(p, t), List.of(cost, GradTable.grad(cost, p)), Tensor.vector(0.25, 0.5), Tensor.vector(0, 1));
        assertFalse(r.fired("binary_cross_entropy(sigmoid(z), t) -> bce_with_logits(z, t)"));
        assertFalse(r.fired("a s / (b s) -> a / b, s > 0"));   // p (1 - p) may really be 0
    }

    // ---- log(softmax), logsumexp, cross-entropy ---------------------------------------------

    @Example
    void logSoftmaxOfLogitsAThousandApartIsFiniteAlongTheSameAxis() {
        Input x = input("x", 2, 2);
        Node cost = sum(mul(log(softmax(x, 0)), constant(Tensor.matrix(new double[] {1, 2}, new double[] {3, 4}))));
        Run r = withGradient(cost, x, Tensor.matrix(new double[] {0, 1000}, new double[] {1000, 0}));
        assertTrue(Double.isNaN(r.naive(0)) || Double.isInfinite(r.naive(0)));
        assertTrue(r.fired("log(softmax(x)) -> log_softmax(x)"));
        // along axis 0: [[-1000, 0], [0, -1000]]
        assertEquals(-1000.0 - 4000.0, r.rewritten(0));
        // d/dx Σ w log_softmax(x) = w - softmax(x) Σ w along axis 0
        assertEquals(Tensor.matrix(new double[] {1, -4}, new double[] {-1, 4}), r.rewritten.get(1));
    }

    @Example
    void logOfTwiceTheSoftmaxIsNotALogSoftmax() {
        Input x = input("x", 3);
        Run r = run(List.of(x), List.of(log(mul(2.0, softmax(x)))), Tensor.vector(1, 2, 3));
        assertFalse(r.fired("log(softmax(x)) -> log_softmax(x)"));
    }

    @Example
    void logSumExpOfTwoThousandsIsAThousandPlusLog2WithGradientOneHalf() {
        Input x = input("x", 2);
        Run r = withGradient(log(sum(exp(x))), x, Tensor.vector(1000, 1000));
        assertEquals(Double.POSITIVE_INFINITY, r.naive(0));
        assertTrue(Double.isNaN(r.naive.get(1).getFlat(0)));
        assertEquals(1000 + Math.log(2), r.rewritten(0), 1e-12);
        assertEquals(Tensor.vector(0.5, 0.5), r.rewritten.get(1));
        assertTrue(r.fired("log(sum(exp(x))) -> logsumexp(x)"));
        assertTrue(r.fired("(g / sum(exp(x))) * exp(x) -> g * softmax(x)"));
    }

    @Example
    void logSumExpKeepsTheAxesAndKeepdimsOfTheSum() {
        Input x = input("x", 2, 3);
        Tensor v = Tensor.matrix(new double[] {1000, 1000, -1000}, new double[] {-800, 0, 0});
        for (boolean keepdims : new boolean[] {true, false}) {
            Node lse = log(sum(exp(x), 1, keepdims));
            Run r = withGradient(sum(lse), x, v);
            assertEquals(new Reduce.LogSumExp(List.of(1), keepdims), ((Apply) r.roots().get(0).inputs().get(0)).op());
            assertEquals(1000 + Math.log(2) + Math.log(2), r.rewritten(0), 1e-12);
            assertEquals(Tensor.matrix(new double[] {0.5, 0.5, 0}, new double[] {0, 0.5, 0.5}), r.rewritten.get(1));
        }
        // over both axes, the gradient is e^(x - logsumexp(x)) rather than a softmax along one,
        // which carries the rounding of logsumexp(x) = 1000.69...: a few hundred ulps
        Run r = withGradient(log(sum(exp(x))), x, v);
        assertEquals(1000 + Math.log(2), r.rewritten(0), 1e-12);
        assertTrue(r.rewritten.get(1).allClose(Tensor.matrix(new double[] {0.5, 0.5, 0}, new double[] {0, 0, 0}), 1e-12, 0));
    }

    @Example
    void theGradientOfASumOfExpIsNotTakenForASoftmaxWhereTheAxesDoNotLineUp() {
        // (g / Σ_j e^x_ij) put back along axis 0 and broadcast: element ij is e^x_ij / Σ_k e^x_jk
        Input x = input("x", 2, 2);
        Node e = exp(x);
        Node q = div(constant(Tensor.vector(1, 1)), sum(e, 1));
        Node f = mul(broadcastTo(expandDims(q, 0), e), e);
        Run r = run(List.of(x), List.of(f), Tensor.matrix(new double[] {0, 1}, new double[] {2, 3}));
        assertFalse(r.fired("(g / sum(exp(x))) * exp(x) -> g * softmax(x)"));
        assertTrue(r.rewritten.get(0).allClose(r.naive.get(0), 1e-15, 0));
    }

    @Example
    void theNaiveMeanCrossEntropyOfLogitsAThousandApartIsFiniteAndRight() {
        Input z = input("z", 2, 2), y = input("y", 2, 2);
        Tensor logits = Tensor.matrix(new double[] {1000, -1000}, new double[] {1000, -1000});
        Tensor onehot = Tensor.matrix(new double[] {1, 0}, new double[] {0, 1});
        Node cost = mean(neg(sum(mul(y, log(softmax(z))), -1)));
        Run r = run(List.of(z, y), List.of(cost, GradTable.grad(cost, z)), logits, onehot);
        assertTrue(Double.isNaN(r.naive(0)));                // 0 · log 0 in the first row
        assertEquals(1000.0, r.rewritten(0));                // (0 + 2000) / 2
        assertEquals(Tensor.matrix(new double[] {0, 0}, new double[] {0.5, -0.5}), r.rewritten.get(1));
        assertTrue(r.fired("sum(t * log_softmax(z), -1) -> -softmax_cross_entropy(z, t)"));
        assertTrue(r.fired("s (a/s - c) -> a - s c, s > 0"));
        assertEquals(new Reduce.Mean(List.of(0), false), r.op(0));
        assertEquals(new Neural.SoftmaxCrossEntropy(), ((Apply) r.roots().get(0).inputs().get(0)).op());
    }

    @Example
    void theCrossEntropyIsFoundWhereverTheMinusSignIsWritten() {
        Input z = input("z", 2, 3), y = input("y", 2, 3);
        Tensor logits = Tensor.matrix(new double[] {1000, 0, -1000}, new double[] {1, 2, 3});
        Tensor targets = Tensor.matrix(new double[] {0.5, 0.5, 0}, new double[] {0, 0, 1});
        Node ls = log(softmax(z));
        Node expected = softmaxCrossEntropy(z, y);
        List<Node> forms = List.of(neg(sum(mul(ls, y), 1)), sum(mul(neg(y), ls), -1), sum(neg(mul(y, ls)), -1),
                sum(mul(y, neg(ls)), -1));
        for (Node f : forms) {
            Run r = run(List.of(z, y), List.of(f, expected), logits, targets);
            assertEquals(new Neural.SoftmaxCrossEntropy(), r.op(0));
            assertTrue(r.rewritten.get(0).allClose(r.rewritten.get(1), 1e-15, 0), r.rewritten.toString());
        }
    }

    @Example
    void theCrossEntropySummedOverTheBatchTooOrWithKeepdimsHasTheSameValue() {
        Input z = input("z", 2, 3), y = input("y", 2, 3);
        Tensor logits = Tensor.matrix(new double[] {1000, 0, -1000}, new double[] {1, 2, 3});
        Tensor targets = Tensor.matrix(new double[] {0, 1, 0}, new double[] {0, 0, 1});
        Node ce = softmaxCrossEntropy(z, y);
        Node all = neg(sum(mul(y, log(softmax(z)))));
        Node kept = neg(sum(mul(y, log(softmax(z))), new int[] {-1}, true));
        Run r = run(List.of(z, y), List.of(all, kept, sum(ce), expandDims(ce, 1)), logits, targets);
        assertEquals(r.rewritten.get(2).item(), r.rewritten(0), 1e-12);
        assertEquals(Shape.of(2, 1), r.rewritten.get(1).shape());
        assertTrue(r.rewritten.get(1).allClose(r.rewritten.get(3), 1e-15, 0));
        assertEquals(1000 + Math.log(1 + Math.exp(-1) + Math.exp(-2)), r.rewritten(0), 1e-12);
    }

    @Example
    void aLogSoftmaxAlongAnotherAxisOrSummedAlongAnotherIsNoCrossEntropy() {
        Input z = input("z", 2, 3), y = input("y", 2, 3);
        Tensor logits = Tensor.matrix(new double[] {1, 0, -1}, new double[] {1, 2, 3});
        String rule = "sum(t * log_softmax(z), -1) -> -softmax_cross_entropy(z, t)";
        Run alongRows = run(List.of(z, y), List.of(neg(sum(mul(y, log(softmax(z, 0))), -1))), logits, logits);
        assertFalse(alongRows.fired(rule));
        Run overBatch = run(List.of(z, y), List.of(neg(sum(mul(y, log(softmax(z))), 0))), logits, logits);
        assertFalse(overBatch.fired(rule));
        assertTrue(overBatch.rewritten.get(0).allClose(overBatch.naive.get(0), 1e-15, 1e-15));
    }

    @Example
    void aLogSoftmaxOverEveryAxisIsACrossEntropyOfAVectorOnly() {
        String rule = "sum(t * log_softmax(z), -1) -> -softmax_cross_entropy(z, t)";
        Input z = input("z", 2, 3), y = input("y", 2, 3), v = input("v", 3), t = input("t", 3);
        Tensor logits = Tensor.matrix(new double[] {1, 0, -1}, new double[] {1, 2, 3});
        Run matrix = run(List.of(z, y), List.of(neg(sum(mul(y, logSoftmax(z, null)), -1))), logits, logits);
        assertFalse(matrix.fired(rule));
        assertTrue(matrix.rewritten.get(0).allClose(matrix.naive.get(0), 1e-15, 1e-15));
        Run vector = run(List.of(v, t), List.of(neg(sum(mul(t, logSoftmax(v, null)), -1))), Tensor.vector(1, 0, -1), Tensor.vector(0, 1, 0));
        assertTrue(vector.fired(rule));
        assertTrue(vector.rewritten.get(0).allClose(vector.naive.get(0), 1e-15, 1e-15));
    }

    // ---- log(exp), exp(log), sqrt(x^2), -(-x) ------------------------------------------------

    @Example
    void logOfExpIsXForEveryXWithGradientOne() {
        Input x = input("x", 3);
        Run r = withGradient(sum(log(exp(x))), x, Tensor.vector(1000, -1000, 1));
        assertEquals(Double.NaN, r.naive(0));               // inf + -inf + 1
        assertEquals(1.0, r.rewritten(0));
        assertEquals(Tensor.vector(1, 1, 1), r.rewritten.get(1));
        assertTrue(r.fired("log(exp(x)) -> x"));
        assertFalse(run(List.of(x), List.of(log(mul(2.0, exp(x)))), Tensor.vector(1, 2, 3)).fired("log(exp(x)) -> x"));
    }

    @Example
    void expOfLogIsXWhereXIsNotNegativeAndNaNBelowAsBefore() {
        Input x = input("x", 4);
        Run r = run(List.of(x), List.of(exp(log(x))), Tensor.vector(1e300, 0, -1, Double.POSITIVE_INFINITY));
        assertTrue(r.fired("exp(log(x)) -> x where x >= 0, else nan"));
        assertEquals(Tensor.vector(1e300, 0, Double.NaN, Double.POSITIVE_INFINITY), r.rewritten.get(0));
        assertEquals(1e300 * (1 - 2.375877272697835E-14), r.naive.get(0).getFlat(0), 1e286);   // off by ~100 ulps
        assertTrue(Double.isNaN(r.naive.get(0).getFlat(2)));
        Run squared = run(List.of(x), List.of(exp(mul(2.0, log(x)))), Tensor.vector(1, 2, 3, 4));
        assertFalse(squared.fired("exp(log(x)) -> x where x >= 0, else nan"));
    }

    @Example
    void sqrtOfASquareIsAbsInAllThreeSpellingsAndFiniteForHugeAndTinyX() {
        Input x = input("x", 2);
        Tensor v = Tensor.vector(1e200, -1e-200);
        for (Node f : List.of(sqrt(pow(x, 2.0)), sqrt(square(x)), sqrt(mul(x, x)))) {
            Run r = withGradient(sum(f), x, v);
            assertTrue(r.fired("sqrt(x^2) -> abs(x)"));
            assertEquals(Double.POSITIVE_INFINITY, r.naive(0));                          // inf + 0
            assertEquals(Tensor.vector(0, Double.NEGATIVE_INFINITY), r.naive.get(1));  // 2x / 2√(x²)
            assertEquals(1e200 + 1e-200, r.rewritten(0));
            assertEquals(Tensor.vector(1, -1), r.rewritten.get(1));
        }
    }

    @Example
    void sqrtOfOtherPowersOrProductsIsLeftAlone() {
        Input x = input("x", 2), y = input("y", 2);
        Run r = run(List.of(x, y), List.of(sqrt(pow(x, 3.0)), sqrt(mul(x, y)), abs(x)), Tensor.vector(1, 4), Tensor.vector(4, 1));
        assertFalse(r.fired("sqrt(x^2) -> abs(x)"));
    }

    @Example
    void aDoubleMinusIsDroppedAndASingleOneKept() {
        Input x = input("x", 2);
        Run r = run(List.of(x), List.of(neg(neg(x)), neg(x)), Tensor.vector(1, 2));
        assertEquals(x, r.roots().get(0));
        assertEquals(new Unary.Neg(), r.op(1));
    }

    // ---- cancelling positive factors --------------------------------------------------------

    @Example
    void factorsThatMayReallyBeZeroAreNotCancelled() {
        // (g / x) (x t) is NaN at x = 0 in exact arithmetic too
        Input x = input("x", 2), g = input("g", 2), t = input("t", 2);
        Run r = run(List.of(g, x, t), List.of(mul(div(g, x), mul(x, t))),
                Tensor.vector(1, 1), Tensor.vector(0, 2), Tensor.vector(3, 3));
        assertFalse(r.fired("a s / (b s) -> a / b, s > 0"));
        assertTrue(Double.isNaN(r.rewritten.get(0).getFlat(0)));
    }

    @Example
    void aPositiveFactorCancelsHoweverTheProductIsWritten() {
        Input x = input("x", 2), g = input("g", 2);
        Node s = exp(x);
        Tensor at = Tensor.vector(1000, -1000);
        for (Node f : List.of(div(mul(s, g), s), mul(mul(g, reciprocal(s)), s), neg(mul(s, div(neg(g), s))),
                div(mul(g, mul(s, sigmoid(x))), mul(sigmoid(x), s)))) {
            Run r = run(List.of(g, x), List.of(f), Tensor.vector(3, 4), at);
            assertTrue(r.fired("a s / (b s) -> a / b, s > 0"), f.toString());
            assertEquals(Tensor.vector(3, 4), r.rewritten.get(0));
            assertTrue(Double.isNaN(r.naive.get(0).getFlat(0)) || Double.isNaN(r.naive.get(0).getFlat(1)));
        }
    }

    @Example
    void aCancelledFactorThatCarriedTheBroadcastLeavesItsShape() {
        // (g / σ(x)) σ(x) with g a scalar and x a vector: g alone would be a scalar
        Input x = input("x", 3), g = input("g");
        Node s = sigmoid(x);
        Run r = run(List.of(g, x), List.of(mul(div(g, s), s)), scalar(2), Tensor.vector(-800, 0, 800));
        assertTrue(r.fired("a s / (b s) -> a / b, s > 0"));
        assertEquals(Tensor.vector(2, 2, 2), r.rewritten.get(0));
        assertTrue(Double.isNaN(r.naive.get(0).getFlat(0)));
    }

    // ---- logaddexp, log1mexp, log(erfc) (issue 16) ----------------------------------------

    @Example
    void logOfASumOfTwoExponentialsIsLogaddexpWithFiniteGradientsAThousandOut() {
        Input x = input("x", 3), y = input("y", 3);
        Node cost = sum(log(add(exp(x), exp(y))));
        Run r = run(List.of(x, y), List.of(cost, GradTable.grad(cost, x), GradTable.grad(cost, y)),
                Tensor.vector(1000, -1000, 800), Tensor.vector(1000, -1000, -800));
        assertEquals(Double.NaN, r.naive(0));                           // inf + (-inf) + inf
        assertTrue(Double.isNaN(r.naive.get(1).getFlat(0)));           // (1/inf) · inf
        assertEquals(1000 + Math.log(2) - 1000 + Math.log(2) + 800, r.rewritten(0), 1e-12);
        assertEquals(Tensor.vector(0.5, 0.5, 1), r.rewritten.get(1));
        assertEquals(Tensor.vector(0.5, 0.5, 0), r.rewritten.get(2));
        assertTrue(r.fired("log(exp(x) + exp(y)) -> logaddexp(x, y)"));
        assertTrue(r.fired("(g / (exp(x) + exp(y))) * exp(x) -> g * sigmoid(x - y)"));
    }

    @Example
    void aSumWithAnythingButTwoExponentialsIsNoLogaddexp() {
        Input x = input("x", 2), y = input("y", 2);
        Run r = run(List.of(x, y), List.of(log(add(exp(x), mul(2.0, exp(y)))), log(add(exp(x), y)), log(sub(exp(x), exp(y)))),
                Tensor.vector(1, 2), Tensor.vector(0.5, 0.25));
        assertFalse(r.fired("log(exp(x) + exp(y)) -> logaddexp(x, y)"));
        for (int i = 0; i < 3; i++) assertTrue(r.rewritten.get(i).allClose(r.naive.get(i), 1e-15, 0));
    }

    /** log(1 - e^x) near 0, where 1 - e^x cancels; in the three ways to write it, none of them log1p(-e^x). */
    @Example
    void logOfOneMinusExpIsLog1mexpKeepingItsDigitsNearZero() {
        Input x = input("x");
        for (Node f : List.of(log(sub(1.0, exp(x))), log1p(neg(exp(x))), log(neg(expm1(x))))) {
            Run r = run(List.of(x), List.of(f), scalar(-1e-20));
            assertEquals(-46.05170185988091, r.rewritten(0), 1e-14);   // log(1e-20), as mpmath has it
            assertEquals(new Unary.Log1mexp(), r.op(0));
        }
        assertEquals(Double.NEGATIVE_INFINITY, run(List.of(x), List.of(log(sub(1.0, exp(x)))), scalar(-1e-20)).naive(0));
        assertTrue(run(List.of(x), List.of(log(sub(1.0, exp(x)))), scalar(-0.1)).fired("log(1 - exp(x)) -> log1mexp(x)"));
    }

    @Example
    void twoMinusExpOrOneMinusTwiceExpIsNoLog1mexp() {
        Input x = input("x");
        Run r = run(List.of(x), List.of(log(sub(2.0, exp(x))), log(sub(1.0, mul(2.0, exp(x)))), log1p(exp(x))), scalar(-1));
        for (String rule : List.of("log(1 - exp(x)) -> log1mexp(x)", "log1p(-exp(x)) -> log1mexp(x)", "log(-expm1(x)) -> log1mexp(x)")) {
            assertFalse(r.fired(rule), rule);
        }
        for (int i = 0; i < 2; i++) assertTrue(r.rewritten.get(i).allClose(r.naive.get(i), 1e-15, 0));
    }

    /** Theano's local_log_erfc: erfc underflows past 27, its log need not. Values from mpmath. */
    @Example
    void logOfErfcIsFiniteFarIntoTheTailWithItsGradient() {
        Input x = input("x", 3);
        Node cost = sum(log(erfc(x)));
        Run r = withGradient(cost, x, Tensor.vector(30, -30, 0.5));
        assertEquals(Double.NEGATIVE_INFINITY, r.naive(0));
        assertTrue(Double.isNaN(r.naive.get(1).getFlat(0)));            // 0/0
        assertEquals(-903.9741171106439 + 0.6931471805599453 - 0.7350111298370844, r.rewritten(0), 1e-12);
        assertEquals(-60.03329639875623, r.rewritten.get(1).getFlat(0), 1e-12);
        assertEquals(0.0, r.rewritten.get(1).getFlat(1), 1e-300);       // -(2/√π) e^-900 / 2
        assertEquals(-1.8327056412986984, r.rewritten.get(1).getFlat(2), 1e-15);
        assertTrue(r.fired("log(erfc(x)) -> log(erfcx(x)) - x^2 for x > 0"));
        assertTrue(r.fired("exp(-x^2) / erfc(x) -> 1 / erfcx(x)"));
    }

    /** log(erf x) is no log(erfc x), and e^(-x²) / erfc(y) is no 1 / erfcx unless y is x. */
    @Example
    void logOfErfAndAGaussianOverTheErfcOfAnotherAreLeftAlone() {
        Input x = input("x"), y = input("y");
        Run r = run(List.of(x, y), List.of(log(erf(x)), GradTable.grad(log(erf(x)), x), div(exp(neg(square(x))), erfc(y))),
                scalar(0.7), scalar(0.3));
        assertFalse(r.fired("log(erfc(x)) -> log(erfcx(x)) - x^2 for x > 0"));
        assertFalse(r.fired("exp(-x^2) / erfc(x) -> 1 / erfcx(x)"));
        for (int i = 0; i < 3; i++) assertTrue(r.rewritten.get(i).allClose(r.naive.get(i), 1e-15, 0));
    }

    // ---- models -----------------------------------------------------------------------------

    @Example
    void aNaiveDigitsMlpTrainsOnTheStableCrossEntropyWithFiniteGradientsWhereItsLogitsAreExtreme() {
        // mlp.graft with its softmax_cross_entropy written out as -sum(y * log(softmax(logits)), axis = 1)
        var random = new Random(5);
        Input x = input("x", "n", 64), y = input("y", "n", 10);
        Param w1 = param("W1", Tensor.normal(Shape.of(64, 32), 0, 3, random)), b1 = param("b1", Tensor.zeros(Shape.of(32)));
        Param w2 = param("W2", Tensor.normal(Shape.of(32, 10), 0, 3, random)), b2 = param("b2", Tensor.zeros(Shape.of(10)));
        Node h = relu(add(matmul(x, w1), b1));
        Node logits = add(matmul(h, w2), b2);
        Node naive = mean(neg(sum(mul(y, log(softmax(logits))), 1)));
        Node stable = mean(softmaxCrossEntropy(logits, y));
        List<Param> params = List.of(w1, b1, w2, b2);
        var outputs = new ArrayList<Node>(List.of(naive, stable));
        outputs.addAll(GradTable.grad(naive, params));
        outputs.addAll(GradTable.grad(stable, params));

        Tensor pixels = Tensor.uniform(Shape.of(8, 64), 0, 16, random);
        double[] labels = new double[8 * 10];
        for (int i = 0; i < 8; i++) labels[i * 10 + random.nextInt(10)] = 1;
        Run r = run(List.of(x, y), outputs, pixels, Tensor.of(labels, 8, 10));

        assertTrue(Double.isNaN(r.naive(0)) || Double.isInfinite(r.naive(0)), "the logits are hundreds apart: " + r.naive(0));
        assertTrue(r.fired("log(softmax(x)) -> log_softmax(x)"));
        assertTrue(r.fired("sum(t * log_softmax(z), -1) -> -softmax_cross_entropy(z, t)"));
        assertEquals(r.rewritten(1), r.rewritten(0), 1e-9 * r.rewritten(1));
        assertTrue(r.rewritten(0) > 100, "the loss is large but finite: " + r.rewritten(0));
        for (int i = 0; i < params.size(); i++) {
            Tensor fromNaive = r.rewritten.get(2 + i), fromStable = r.rewritten.get(6 + i);
            assertTrue(fromNaive.allClose(fromStable, 1e-9, 1e-9), params.get(i).label());
        }
        assertSame(r.roots().get(1), r.roots().get(0));   // rewritten, the naive loss is the stable one
    }

    // ---- values and gradients do not change -------------------------------------------------

    /** A naive formula, the rule that must fire on it (or on its gradient), and a name for reports. */
    record Formula(String name, String rule, UnaryOperator<Node> f) {
        @Override
        public String toString() { return name; }
    }

    /** A formula and a point where its naive form is finite. */
    record Case(Formula formula, Tensor x) {}

    private static final List<Formula> FORMULAS = List.of(
            new Formula("log(1 + x²)", "log(1+x) -> log1p(x)", x -> log(add(1.0, square(x)))),
            new Formula("log(x² + 1)", "log(1+x) -> log1p(x)", x -> log(add(mul(x, x), 1.0))),
            new Formula("exp(x) - 1", "exp(x)-1 -> expm1(x)", x -> sub(exp(x), 1.0)),
            new Formula("-1 + exp(x)", "exp(x)-1 -> expm1(x)", x -> add(-1.0, exp(x))),
            // twice, so that g is not 1 even where the weights are [1] (with g = 1 another rule takes the gradient)
            new Formula("2 log(1 + exp(x))", "(g / (1 + exp(x))) * exp(x) -> g * sigmoid(x)", x -> mul(2.0, log(add(1.0, exp(x))))),
            new Formula("log(sigmoid(x))", "a s / (b s) -> a / b, s > 0", x -> log(sigmoid(x))),
            new Formula("log(1 - sigmoid(x))", "a s / (b s) -> a / b, s > 0", x -> log(sub(1.0, sigmoid(x)))),
            new Formula("log(softmax(x))", "s (a/s - c) -> a - s c, s > 0", x -> log(softmax(x))),
            new Formula("log(softmax(x, 0))", "s (a/s - c) -> a - s c, s > 0", x -> log(softmax(x, 0))),
            new Formula("log(sum(exp(x), -1, keepdims))", "(g / sum(exp(x))) * exp(x) -> g * softmax(x)",
                    x -> log(sum(exp(x), -1, true))),
            new Formula("log(sum(exp(x)))", "(g / sum(exp(x))) * exp(x) -> g * softmax(x)", x -> log(sum(exp(x)))),
            new Formula("-sum(t log(softmax(x)), -1)", "sum(t * log_softmax(z), -1) -> -softmax_cross_entropy(z, t)",
                    x -> neg(sum(mul(softmax(tanh(x)), log(softmax(x))), -1))),
            new Formula("bce(sigmoid(x), t)", "binary_cross_entropy(sigmoid(z), t) -> bce_with_logits(z, t)",
                    x -> binaryCrossEntropy(sigmoid(x), sigmoid(tanh(x)))),
            new Formula("log(exp(x))", "log(exp(x)) -> x", x -> log(exp(x))),
            new Formula("exp(log(x))", "exp(log(x)) -> x where x >= 0, else nan", x -> exp(log(x))),
            new Formula("sqrt(x^2)", "sqrt(x^2) -> abs(x)", x -> sqrt(pow(x, 2.0))),
            new Formula("sqrt(square(x))", "sqrt(x^2) -> abs(x)", x -> sqrt(square(x))),
            new Formula("sqrt(x x)", "sqrt(x^2) -> abs(x)", x -> sqrt(mul(x, x))),
            // a user's -(-x) is gone after canonicalize; this one is built by the log(sigmoid) rule
            new Formula("log(sigmoid(-x))", "-(-x) -> x", x -> log(sigmoid(neg(x)))),
            new Formula("log(exp(x) + exp(tanh(x)))", "log(exp(x) + exp(y)) -> logaddexp(x, y)", x -> log(add(exp(x), exp(tanh(x))))),
            // x and x reversed reach x by different paths, which canonicalize does not factor
            new Formula("log(exp(x) + exp(x[::-1]))", "(g / (exp(x) + exp(y))) * exp(x) -> g * sigmoid(x - y)",
                    x -> log(add(exp(x), exp(slice(x, Slice.range(null, null, -1)))))),
            new Formula("log(1 - exp(-x²))", "log(1 - exp(x)) -> log1mexp(x)", x -> log(sub(1.0, exp(neg(square(x)))))),
            new Formula("log1p(-exp(-x²))", "log1p(-exp(x)) -> log1mexp(x)", x -> log1p(neg(exp(neg(square(x)))))),
            new Formula("log(-expm1(-x²))", "log(-expm1(x)) -> log1mexp(x)", x -> log(neg(expm1(neg(square(x)))))),
            new Formula("log(erfc(x))", "log(erfc(x)) -> log(erfcx(x)) - x^2 for x > 0", x -> log(erfc(x))),
            new Formula("log(erfc(x)) differentiated", "exp(-x^2) / erfc(x) -> 1 / erfcx(x)", x -> log(erfc(x))));

    @Property(tries = 100)
    void theRewrittenGraphGivesTheSameValuesAndGradientsWhereTheNaiveOneIsFinite(@ForAll("cases") Case c) {
        Input x = new Input("x", Type.of(c.x()));
        Run r = withGradient(weighted(c.formula().f().apply(x)), x, c.x());
        assertTrue(r.fired(c.formula().rule()), c.formula() + ": " + r.rules());
        for (int i = 0; i < 2; i++) {
            assertTrue(r.rewritten.get(i).allClose(r.naive.get(i), 1e-9, 1e-12),
                    c.formula() + " at " + c.x() + ": " + r.rewritten.get(i) + " vs " + r.naive.get(i));
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        var values = Tensors.withShapes(Tensors.shapes(3, 1, 4).filter(s -> s.rank() >= 1)).awayFromZero(0.1, 5.0);
        return Combinators.combine(Arbitraries.of(FORMULAS), values).as(Case::new);
    }
}
