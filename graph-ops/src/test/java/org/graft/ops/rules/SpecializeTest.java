package org.graft.ops.rules;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.bernoulli;
import static org.graft.ops.Ops.constant;
import static org.graft.ops.Ops.gemm;
import static org.graft.ops.Ops.grad;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.mean;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.param;
import static org.graft.ops.Ops.pow;
import static org.graft.ops.Ops.relu;
import static org.graft.ops.Ops.sigmoid;
import static org.graft.ops.Ops.softmaxCrossEntropy;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sub;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.tanh;
import static org.graft.ops.Ops.transpose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import org.graft.core.Apply;
import org.graft.core.Graph;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.Param;
import org.graft.core.Type;
import org.graft.core.check.Tensors;
import org.graft.core.rewrite.Phase;
import org.graft.core.rewrite.Rewrite;
import org.graft.core.rewrite.Rewriter;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.ops.optim.Optimizer;
import org.graft.ops.Linalg.Dot;
import org.graft.ops.Linalg.Gemm;
import org.graft.ops.Linalg.Transpose;
import org.graft.ops.Random.BernoulliLogits;
import org.graft.ops.Unary.Sqrt;
import org.graft.ops.Unary.Square;

class SpecializeTest {
    /** The specialize phase alone, as the standard phases run it. */
    private static final Rewriter SPECIALIZE = Rewriter.of(List.of(new Phase(StandardRules.SPECIALIZE, Specialize.RULES, false, true)));

    private final Input x = input("x", 2, 3), y = input("y", 2, 3);

    // ---- powers -------------------------------------------------------------------------------

    @Example
    void aProductOfANodeWithItselfBecomesItsSquare() {
        var r = specialize(mul(x, x));
        assertEquals(List.of("x * x -> square(x)"), rules(r));
        assertTrue(root(r).op() instanceof Square);
        assertSame(x, root(r).inputs().get(0));
        assertTrue(specialize(mul(x, y)).log().isEmpty());
    }

    @Example
    void powersTwoAndAHalfBecomeSquareAndSqrtUnlessTheExponentBroadcastsX() {
        var r = specialize(pow(x, 2), pow(x, 0.5), pow(x, constant(Tensor.full(Shape.of(2, 3), 2))));
        assertEquals(List.of("x^2 -> square(x)", "x^0.5 -> sqrt(x)"), rules(r).stream().distinct().toList());
        assertTrue(op(r, 0) instanceof Square && op(r, 1) instanceof Sqrt && op(r, 2) instanceof Square);

        assertTrue(specialize(pow(x, 3), pow(x, 0.25), pow(x, y)).log().isEmpty());
        Input v = input("v", 3);
        assertTrue(specialize(pow(v, constant(Tensor.full(Shape.of(2, 3), 2)))).log().isEmpty());  // [3] ^ [2, 3] is [2, 3]
    }

    @Example
    void theSquareRootPowerDiffersFromSqrtOnlyAtMinusInfinityAndInTheSignOfMinusZero() {
        Input v = input("v", 5);
        Tensor at = Tensor.vector(4, 0, -0.0, -1, Double.NEGATIVE_INFINITY);
        Tensor asWritten = Compiler.compile(List.of(v), List.of(pow(v, 0.5)), Options.NONE).call(at).get(0);
        Tensor specialized = Compiler.compile(List.of(v), specialize(pow(v, 0.5)).roots(), Options.NONE).call(at).get(0);
        assertEquals(Tensor.vector(2, 0, 0, Double.NaN, Double.POSITIVE_INFINITY), asWritten);
        assertEquals(Tensor.vector(2, 0, -0.0, Double.NaN, Double.NaN), specialized);
    }

    // ---- products with transposed operands ----------------------------------------------------

    @Example
    void aMatmulOfTransposedMatricesReadsThemAsStored() {
        Input a = input("a", 3, 4), b = input("b", 3, 5), c = input("c", 5, 4), d = input("d", 5, 3);
        var r = specialize(matmul(transpose(a), b), matmul(a, transpose(c)), matmul(transpose(b), transpose(d)));
        assertEquals(List.of("matmul(aᵀ, b) -> gemm(a, b, transA)", "matmul(a, bᵀ) -> gemm(a, b, transB)",
                "matmul(aᵀ, bᵀ) -> gemm(a, b, transA, transB)"), rules(r));
        assertEquals(new Gemm(true, false), op(r, 0));
        assertEquals(new Gemm(false, true), op(r, 1));
        assertEquals(new Gemm(true, true), op(r, 2));
        assertEquals(List.of(a, b), r.roots().get(0).inputs());
        assertEquals(List.of(b, d), r.roots().get(2).inputs());
        assertEquals(0, count(r.roots(), Transpose.class));
    }

    @Example
    void aMatmulWithoutATransposedMatrixOperandIsLeftAlone() {
        Input a = input("a", 3, 4), m = input("m", 4, 5), v = input("v", 3), w = input("w", 5, 3);
        assertTrue(specialize(matmul(a, m), matmul(transpose(a), v), matmul(v, transpose(w)),
                matmul(transpose(a, 0, 1), m)).log().isEmpty());
    }

    @Example
    void theTransposeOfAProductIsTheProductTheOtherWayRound() {
        Input h = input("h", 6, 4), g = input("g", 6, 3), k = input("k", 3, 6);
        var r = specialize(transpose(matmul(transpose(h), g)), transpose(matmul(transpose(h), transpose(k))));
        assertEquals(List.of("matmul(aᵀ, b) -> gemm(a, b, transA)", "(op(a) op(b))ᵀ -> op(b)ᵀ op(a)ᵀ",
                "matmul(aᵀ, bᵀ) -> gemm(a, b, transA, transB)", "(op(a) op(b))ᵀ -> op(b)ᵀ op(a)ᵀ"), rules(r));
        assertEquals(new Gemm(true, false), op(r, 0));                     // (hᵀg)ᵀ = gᵀh
        assertEquals(List.of(g, h), r.roots().get(0).inputs());
        assertEquals("matmul", root(r, 1).op().name());                    // (hᵀkᵀ)ᵀ = kh
        assertEquals(List.of(k, h), r.roots().get(1).inputs());

        Node p = matmul(transpose(h), g);
        assertEquals(List.of("matmul(aᵀ, b) -> gemm(a, b, transA)"), rules(specialize(transpose(p), p)));
    }

    // ---- bias -------------------------------------------------------------------------------

    @Example
    void aBiasAddedToAMatrixProductIsAddedInTheSamePass() {
        Input in = input("x", "n", 4), w1 = input("W1", 4, 3), w2 = input("W2", 4, 3), w3 = input("W3", 3, 4);
        Input b = input("b", 3), row = input("r", 1, 3), col = input("col", "n", 1);
        var r = specialize(add(matmul(in, w1), b), add(row, matmul(in, w2)), add(matmul(in, transpose(w3)), col));
        assertEquals(List.of("matmul(a, b) + c -> gemm(a, b, c)", "c + matmul(a, b) -> gemm(a, b, c)",
                "matmul(a, bᵀ) -> gemm(a, b, transB)", "matmul(a, b) + c -> gemm(a, b, c)"), rules(r));
        assertEquals(List.of(in, w1, b), r.roots().get(0).inputs());
        assertEquals(List.of(in, w2, row), r.roots().get(1).inputs());
        assertEquals(List.of(in, w3, col), r.roots().get(2).inputs());
        assertEquals(new Gemm(false, true), op(r, 2));
        assertEquals(Type.f64("n", 3), r.roots().get(2).type());
    }

    @Example
    void aBiasIsNotFoldedIntoAProductReadElsewhereNorOneThatItWouldGrow() {
        Input a = input("a", 2, 4), w = input("W", 4, 3), b = input("b", 3), v = input("v", 4);
        Node p = matmul(a, w);
        assertTrue(specialize(add(p, b), relu(p)).log().isEmpty());
        assertTrue(specialize(add(p, p)).log().isEmpty());
        assertTrue(specialize(add(matmul(a, w), input("B", 5, 2, 3))).log().isEmpty());   // [2, 3] + [5, 2, 3] is [5, 2, 3]
        assertTrue(specialize(add(matmul(a, v), input("c", 2))).log().isEmpty());         // only matrix products
    }

    @Example
    void aScalarFactorAndASubtractedProductGoIntoTheGemmsAlpha() {
        Input a = input("a", 3, 4), w = input("W", 4, 2), c = input("c", 3, 2), b = input("b", 2);
        var r = specialize(mul(constant(0.5), matmul(a, w)), mul(matmul(a, transpose(input("V", 2, 4))), constant(-2.0)),
                sub(c, matmul(a, w)), sub(b, mul(constant(0.1), gemm(a, input("U", 3, 2), true, false))));
        assertEquals(List.of("s * matmul(a, b) -> gemm(a, b, alpha = s)", "matmul(a, bᵀ) -> gemm(a, b, transB)",
                "matmul(a, b) * s -> gemm(a, b, alpha = s)", "s * matmul(a, b) -> gemm(a, b, alpha = s)",
                "c - matmul(a, b) -> gemm(a, b, c, alpha = -1)", "c - matmul(a, b) -> gemm(a, b, c, alpha = -1)"), rules(r));
        assertEquals(new Gemm(false, false, 0.5), op(r, 0));
        assertEquals(new Gemm(false, true, -2.0), op(r, 1));
        assertEquals(new Gemm(false, false, -1.0), op(r, 2));
        assertEquals(List.of(a, w, c), r.roots().get(2).inputs());
        assertEquals(new Gemm(true, false, -0.1), op(r, 3));   // the SGD step of a bias: b - 0.1 aᵀu
        assertSame(b, r.roots().get(3).inputs().get(2));
    }

    @Example
    void aScalarThatIsNotAConstantGoesIntoTheGemmAsAScaleReadWhenItRuns() {
        Input a = input("a", 3, 4), c = input("c", 3, 2), s = input("s");
        Input w = input("W", 4, 2), u = input("U", 4, 2), v = input("V", 4, 2), z = input("Z", 4, 2); // a product each
        var r = specialize(mul(s, matmul(a, w)), mul(matmul(a, u), s), sub(c, mul(s, matmul(a, v))),
                mul(constant(2.0), mul(s, matmul(a, z))));
        assertEquals(new Gemm(false, false, 1, true), op(r, 0));
        assertEquals(List.of(a, w, s), r.roots().get(0).inputs());
        assertEquals(new Gemm(false, false, 1, true), op(r, 1));
        assertEquals(List.of(a, u, s), r.roots().get(1).inputs());
        assertEquals(new Gemm(false, false, -1, true), op(r, 2));                       // c - s a v: the SGD step with lr a param
        assertEquals(List.of(a, v, s, c), r.roots().get(2).inputs());
        assertEquals(new Gemm(false, false, 2, true), op(r, 3));                        // a constant factor joins alpha
        assertEquals(List.of(a, z, s), r.roots().get(3).inputs());
        assertTrue(rules(r).contains("s * matmul(a, b) -> gemm(a, b, scale = s)"));
        assertTrue(rules(r).contains("matmul(a, b) * s -> gemm(a, b, scale = s)"));
    }

    @Example
    void aFactorThatIsNotAScalarOrAProductReadElsewhereStaysOutOfTheGemm() {
        Input a = input("a", 3, 4), w = input("W", 4, 2), s = input("s"), t = input("t");
        Node p = matmul(a, w);
        assertTrue(specialize(mul(input("v", 2), matmul(a, w))).log().isEmpty());              // not a scalar
        assertTrue(specialize(mul(constant(Tensor.vector(1, 2)), matmul(a, w))).log().isEmpty()); // not a scalar
        assertTrue(specialize(mul(s, p), relu(p)).log().isEmpty());                              // p is read twice
        Node scaled = specialize(mul(t, mul(s, matmul(a, w)))).roots().get(0);                  // scaled by a node already
        assertEquals(new Gemm(false, false, 1, true), ((Apply) scaled.inputs().get(1)).op());
        assertTrue(specialize(mul(constant(2.0), p), relu(p)).log().isEmpty());                  // p is read twice
        assertTrue(specialize(sub(input("C", 5, 3, 2), matmul(a, w))).log().isEmpty());         // would grow to [5, 3, 2]
    }

    @Example
    void anSgdStepOfALayersWeightsIsOneGemmAccumulatedOntoTheWeights() {
        Input in = input("x", "n", 4), t = input("t", "n", 3);
        Param w = param("W", Tensor.ones(Shape.of(4, 3)));
        Node cost = mean(softmaxCrossEntropy(matmul(in, w), t));
        Node step = Optimizer.sgd(0.1).updates(cost, List.of(w)).get(w);
        var top = (Apply) Rewriter.of(Rewriter.standard()).rewrite(List.of(step)).roots().get(0);
        assertEquals(new Gemm(true, false, -0.1), top.op());
        assertSame(w, top.inputs().get(2));
    }

    @Example
    void anSgdStepWithALearningRateThatIsAParamIsOneGemmAccumulatedOntoTheWeights() {
        Input in = input("x", "n", 4), t = input("t", "n", 3);
        Param w = param("W", Tensor.ones(Shape.of(4, 3))), lr = param("lr", Tensor.scalar(0.1));
        Node cost = mean(softmaxCrossEntropy(matmul(in, w), t));
        Node step = Optimizer.sgd(0.1).updates(cost, List.of(w), lr).get(w);
        var top = (Apply) Rewriter.of(Rewriter.standard()).rewrite(List.of(step)).roots().get(0);
        assertEquals(new Gemm(true, false, -1, true), top.op());
        assertSame(lr, top.inputs().get(2));
        assertSame(w, top.inputs().get(3));
    }

    @Example
    void anSgdStepOnAGradientSummedFromTwoProductsIsAChainOfProductsOntoTheWeights() {
        // an RBM's two phases, W - lr (x1ᵀ h1 - x2ᵀ h2), the learning rate a param
        Input x1 = input("x1", 5, 4), h1 = input("h1", 5, 3), x2 = input("x2", 5, 4), h2 = input("h2", 5, 3);
        Param w = param("W", Tensor.normal(Shape.of(4, 3), 0, 1, new java.util.SplittableRandom(3)));
        Param lr = param("lr", Tensor.scalar(0.1));
        Node step = sub(w, mul(lr, sub(matmul(transpose(x1), h1), matmul(transpose(x2), h2))));
        var r = specialize(step);
        Apply top = root(r);
        assertEquals(new Gemm(true, false, 1, true), top.op());                         // + lr x2ᵀ h2 ...
        Apply inner = (Apply) top.inputs().get(3);
        assertEquals(new Gemm(true, false, -1, true), inner.op());                      // ... onto W - lr x1ᵀ h1
        assertEquals(List.of(x1, h1, lr, w), inner.inputs());
        assertEquals(0, count(r.roots(), org.graft.ops.Binary.class));                  // no elementwise pass over W left
        assertTrue(rules(r).contains("s * gemm(a, b, c) -> gemm(a, b, s * c, scale = s)"));
        assertTrue(rules(r).contains("c - gemm(a, b, d) -> gemm(a, b, c - d, alpha = -alpha)"));

        var inputs = List.of(x1, h1, x2, h2);
        var random = new java.util.SplittableRandom(4);
        Tensor[] values = inputs.stream().map(i -> Tensor.normal(i.type().shape(), 0, 1, random)).toArray(Tensor[]::new);
        assertClose(Compiler.compile(inputs, List.of(step), Options.NONE).call(values),
                Compiler.compile(inputs, r.roots(), Options.NONE).call(values));
    }

    @Example
    void aScaledOrSubtractedGemmWithABiasThatIsReadElsewhereOrWouldGrowIsLeftAlone() {
        Input a = input("a", 3, 4), w = input("W", 4, 2), c = input("c", 3, 2), s = input("s");
        Node p = gemm(a, w, c, false, false);
        assertTrue(specialize(mul(s, p), relu(p)).log().isEmpty());                              // p is read twice
        assertTrue(specialize(sub(c, p), relu(p)).log().isEmpty());
        assertTrue(specialize(sub(input("C", 5, 3, 2), gemm(a, w, c, false, false))).log().isEmpty()); // would grow to [5, 3, 2]
        assertTrue(specialize(mul(input("v", 2), gemm(a, w, c, false, false))).log().isEmpty());       // not a scalar
    }

    // ---- dot products -------------------------------------------------------------------------

    @Example
    void aSumOfProductsOverEveryElementIsADotProduct() {
        var r = specialize(sum(mul(x, y)), sum(mul(x, x)), sum(pow(y, 2)));
        assertEquals(List.of("sum(x * y) -> vdot(x, y)", "x * x -> square(x)", "sum(square(x)) -> vdot(x, x)",
                "x^2 -> square(x)", "sum(square(x)) -> vdot(x, x)"), rules(r));
        for (int i = 0; i < 3; i++) assertTrue(op(r, i) instanceof Dot);
        assertEquals(List.of(x, y), r.roots().get(0).inputs());
        assertEquals(List.of(y, y), r.roots().get(2).inputs());
    }

    @Example
    void aSumOfProductsIsLeftAloneWhenItKeepsAnAxisBroadcastsOrTheProductIsReadElsewhere() {
        Node p = mul(x, y);
        assertTrue(specialize(sum(mul(x, y), 0)).log().isEmpty());
        assertTrue(specialize(sum(mul(x, y), new int[] {0, 1}, true)).log().isEmpty());
        assertTrue(specialize(sum(mul(x, input("r", 3)))).log().isEmpty());
        assertTrue(specialize(sum(p), p).log().isEmpty());
        Node sq = square(x);
        assertTrue(specialize(sum(sq), sq).log().isEmpty());
    }

    // ---- sampling -----------------------------------------------------------------------------

    @Example
    void aSampleOfASigmoidsProbabilitiesIsDrawnInThePassThatComputesThem() {
        var r = specialize(bernoulli(sigmoid(x)));
        assertEquals(List.of("bernoulli(sigmoid(x)) -> bernoulli_logits(x)"), rules(r));
        assertTrue(op(r, 0) instanceof BernoulliLogits);
        assertSame(x, root(r).inputs().get(0));
    }

    @Example
    void aSigmoidReadElsewhereOrAnotherProbabilityIsSampledAsWritten() {
        Node p = sigmoid(x);
        assertTrue(specialize(bernoulli(p), p).log().isEmpty());        // the sigmoid would be computed twice
        assertTrue(specialize(bernoulli(tanh(x))).log().isEmpty());
        assertTrue(specialize(sigmoid(x)).log().isEmpty());
    }

    /**
     * The fused sample draws what bernoulli(sigmoid(x)) draws from the same stream, bit for bit,
     * in either dtype, at every size (odd ones, whose last f32 draw uses half of its 64 bits, and
     * none), over logits from saturated to 0, including ±inf.
     */
    @Property(tries = 100)
    void theFusedSampleDrawsWhatTheTwoOpsDrawFromTheSameStream(@ForAll("logits") Tensor logits, @ForAll boolean f32,
                                                              @ForAll long seed) {
        DType dtype = f32 ? DType.F32 : DType.F64;
        Tensor at = logits.astype(dtype);
        Input v = new Input("v", Type.of(dtype, at.shape()));
        var fused = Compiler.compile(List.of(v), List.of(bernoulli(sigmoid(v)))).seed(seed);
        var apart = Compiler.compile(List.of(v), List.of(bernoulli(sigmoid(v))), Options.DEFAULT.without(StandardRules.SPECIALIZE))
                .seed(seed);
        assertEquals(1, count(fused.outputs(), BernoulliLogits.class));
        assertEquals(0, count(apart.outputs(), BernoulliLogits.class));
        for (int call = 0; call < 2; call++) {
            Tensor want = apart.call(at).get(0), got = fused.call(at).get(0);
            assertEquals(dtype, got.dtype());
            assertEquals(want, got);
        }
    }

    @Provide
    Arbitrary<Tensor> logits() {
        var edges = Arbitraries.of(0.0, -0.0, 40.0, -40.0, 1e-300, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
        var values = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.doubles().between(-20, 20)),
                Tuple.of(1, edges));
        return Arbitraries.integers().between(0, 7).flatMap(rows -> Arbitraries.integers().between(1, 9).flatMap(cols ->
                values.array(double[].class).ofSize(rows * cols).map(d -> Tensor.of(Shape.of(rows, cols), d))));
    }

    // ---- in the gradient and the pipeline -----------------------------------------------------

    @Example
    void theRulesFireOnTheGradientOfALayerAndLeaveNoTransposeInIt() {
        Input in = input("x", "n", 4), w = input("W", 4, 3), b = input("b", 3);
        Node cost = sum(square(sigmoid(add(matmul(in, w), b))));
        var roots = new ArrayList<Node>(List.of(cost));
        roots.addAll(grad(cost, List.of(in, w, b)));
        assertEquals(2, count(roots, Transpose.class));
        var r = SPECIALIZE.rewrite(roots);
        assertEquals(List.of("matmul(a, b) + c -> gemm(a, b, c)", "matmul(a, bᵀ) -> gemm(a, b, transB)",
                "matmul(aᵀ, b) -> gemm(a, b, transA)"), rules(r));
        assertEquals(0, count(r.roots(), Transpose.class));
        // the gradient of the sum reads the square for its shape, [n, 3], so it stays and is summed
        assertEquals(0, count(r.roots(), Dot.class));
    }

    @Example
    void withConcreteShapesConstantFoldingFreesTheSquareForADotProduct() {
        Input in = input("x", 5, 4), w = input("W", 4, 3), b = input("b", 3);
        Node cost = sum(square(sigmoid(add(matmul(in, w), b))));
        var roots = new ArrayList<Node>(List.of(cost));
        roots.addAll(grad(cost, List.of(in, w, b)));
        // canonicalize folds the gradient's ones of shape [5, 3], which read the square for its shape
        var r = Rewriter.of(Rewriter.standard()).rewrite(roots);
        assertTrue(op(r, 0) instanceof Dot, () -> "fired " + r.log());
        assertEquals(0, count(r.roots(), Transpose.class));
    }

    @Example
    void compileSpecializesByDefaultButNotAtO0NorWithThePhaseLeftOut() {
        Input in = input("x", 2, 4), w = input("W", 4, 3), b = input("b", 3);
        List<Node> layer = List.of(add(matmul(in, w), b));
        assertTrue(outputOp(Compiler.compile(List.of(in, w, b), layer).outputs()) instanceof Gemm);
        assertEquals("add", outputOp(Compiler.compile(List.of(in, w, b), layer, Options.NONE).outputs()).name());
        assertEquals("add", outputOp(Compiler.compile(List.of(in, w, b), layer,
                Options.DEFAULT.without(StandardRules.SPECIALIZE)).outputs()).name());
    }

    // ---- values and gradients -----------------------------------------------------------------

    @Property(tries = 100)
    void specializedGraphsHaveTheValuesAndGradientsOfTheGraphsAsWritten(@ForAll("layers") Layer c) {
        var outputs = new ArrayList<Node>(List.of(c.cost()));
        outputs.addAll(grad(c.cost(), c.inputs()));
        List<Tensor> want = Compiler.compile(c.inputs(), outputs, Options.NONE).call(c.values());

        var r = SPECIALIZE.rewrite(outputs);
        assertFalse(r.log().isEmpty());
        assertClose(want, Compiler.compile(c.inputs(), r.roots(), Options.NONE).call(c.values()));
        assertClose(want, Compiler.compile(c.inputs(), outputs).call(c.values()));   // every standard phase

        // the specialized cost differentiated in its turn, through gemm's and vdot's bprops
        Node cost = r.roots().get(0);
        var again = new ArrayList<Node>(List.of(cost));
        again.addAll(grad(cost, c.inputs()));
        assertClose(want, Compiler.compile(c.inputs(), again, Options.NONE).call(c.values()));
        assertEquals(0, count(List.of(cost), Transpose.class));
    }

    /** A layer {@code h = tanh(op(a) op(b) [+ c])} under one of a few costs, with values for its inputs. */
    record Layer(String expression, List<Input> inputs, List<Tensor> values, Node cost) {
        @Override
        public String toString() { return expression + " at " + values; }
    }

    /**
     * Layers of every combination the rules look at: either operand transposed or not, no bias
     * or one of every shape that broadcasts to the product (on either side of the add), costs
     * made of squares, powers and sums of products, and sometimes the product read twice.
     */
    @Provide
    Arbitrary<Layer> layers() {
        var dim = Arbitraries.integers().between(1, 4);
        return Combinators.combine(dim, dim, dim, Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 31)).flatAs((m, k, n, bias, head, bits) -> {
                    boolean ta = (bits & 1) != 0, tb = (bits & 2) != 0, biasFirst = (bits & 4) != 0, shared = (bits & 8) != 0;
                    boolean scaled = (bits & 16) != 0;
                    var inputs = new ArrayList<Input>();
                    inputs.add(input("a", ta ? new Object[] {k, m} : new Object[] {m, k}));
                    inputs.add(input("b", tb ? new Object[] {n, k} : new Object[] {k, n}));
                    Object[][] biases = {{n}, {1, n}, {m, 1}, {}, {m, n}};
                    if (bias < biases.length) inputs.add(input("c", biases[bias]));

                    Node p = matmul(ta ? transpose(inputs.get(0)) : inputs.get(0), tb ? transpose(inputs.get(1)) : inputs.get(1));
                    if (scaled) { // a factor that is a scalar input, on either side
                        Input s = input("s");
                        p = biasFirst ? mul(s, p) : mul(p, s);
                        inputs.add(s);
                    }
                    Node z = bias == biases.length ? p : biasFirst ? add(inputs.get(2), p) : add(p, inputs.get(2));
                    Node h = tanh(z);
                    Node cost = head == 0 ? sum(mul(h, h))
                            : head == 1 ? sum(pow(h, 2))
                            : head == 2 ? sum(mul(h, z))
                            : sum(pow(add(mul(h, h), 1.0), 0.5));
                    if (shared) cost = add(cost, sum(mul(p, p)));
                    String expression = (scaled ? "s " : "") + "a" + (ta ? "ᵀ" : "") + " b" + (tb ? "ᵀ" : "")
                            + (bias == biases.length ? "" : " + c" + inputs.get(2).type()) + ", cost " + head + (shared ? ", shared" : "");
                    var values = inputs.stream().map(i -> Tensors.withShape(i.type().shape()).between(-2, 2)).toList();
                    Node result = cost;
                    return Combinators.combine(values).as(v -> new Layer(expression, List.copyOf(inputs), v, result));
                });
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static Rewriter.Result specialize(Node... roots) { return SPECIALIZE.rewrite(List.of(roots)); }

    /** The rules that fired, in order; merges, which the phase does besides its rules, left out. */
    private static List<String> rules(Rewriter.Result r) {
        return r.log().stream().map(Rewrite::rule).filter(name -> !name.equals("merge")).toList();
    }

    private static Apply root(Rewriter.Result r) { return root(r, 0); }

    private static Apply root(Rewriter.Result r, int i) { return (Apply) r.roots().get(i); }

    private static Op op(Rewriter.Result r, int i) { return root(r, i).op(); }

    private static Op outputOp(List<Node> outputs) { return ((Apply) outputs.get(0)).op(); }

    private static long count(List<? extends Node> roots, Class<? extends Op> op) {
        return Graph.topologicalOrder(roots).stream().filter(n -> n instanceof Apply a && op.isInstance(a.op())).count();
    }

    /** Equal within 1e-9 relative (and 1e-12 absolute, for values that cancel to about 0). */
    private static void assertClose(List<Tensor> want, List<Tensor> got) {
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            int output = i;
            assertTrue(want.get(i).allClose(got.get(i), 1e-9, 1e-12),
                    () -> "output " + output + ": expected " + want.get(output) + ", found " + got.get(output));
        }
    }
}
