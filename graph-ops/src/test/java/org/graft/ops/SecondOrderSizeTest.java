package org.graft.ops;

import static org.graft.ops.Ops.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import org.graft.core.Apply;
import org.graft.core.Graph;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.Type;
import org.graft.core.grad.GradTable;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * Gradients of gradients cost a constant multiple of the gradient: for every differentiable
 * op, the graph of a second-order gradient (of a cost that is not linear in the first-order
 * gradient, so the walker must differentiate through every bprop's terms) has at most
 * {@value #RATIO} times the nodes of the first-order graph, and for deep models the size grows
 * linearly with the depth. A bprop that took the gradient of a whole expression by walking it
 * would differentiate its own cotangent too, and the size would explode.
 */
class SecondOrderSizeTest {

    /**
     * Nodes of the second-order graph per node of the first-order one. Reverse over reverse
     * differentiates each term of the first walk once, and a term's derivative is a few nodes.
     */
    static final int RATIO = 5;

    private record Case(String name, Function<List<Node>, Node> build, List<Shape> shapes) {}

    private static final Shape S = Shape.of(2, 3);
    private static final Conv.Spec CONV = Conv.Spec.of(1, 1, 1, 1);

    private static Case of(String name, Function<List<Node>, Node> build, Shape... shapes) {
        return new Case(name, build, List.of(shapes));
    }

    private static final List<Case> CASES = List.of(
            of("neg", in -> neg(in.get(0)), S),
            of("exp", in -> exp(in.get(0)), S),
            of("log", in -> log(in.get(0)), S),
            of("log1p", in -> log1p(in.get(0)), S),
            of("expm1", in -> expm1(in.get(0)), S),
            of("sqrt", in -> sqrt(in.get(0)), S),
            of("square", in -> square(in.get(0)), S),
            of("reciprocal", in -> reciprocal(in.get(0)), S),
            of("abs", in -> abs(in.get(0)), S),
            of("sign", in -> mul(sign(in.get(0)), in.get(0)), S),
            of("sigmoid", in -> sigmoid(in.get(0)), S),
            of("softplus", in -> softplus(in.get(0)), S),
            of("tanh", in -> tanh(in.get(0)), S),
            of("erf", in -> erf(in.get(0)), S),
            of("erfc", in -> erfc(in.get(0)), S),
            of("erfcx", in -> erfcx(in.get(0)), S),
            of("erfinv", in -> erfinv(in.get(0)), S),
            of("log2", in -> log2(in.get(0)), S),
            of("log10", in -> log10(in.get(0)), S),
            of("exp2", in -> exp2(in.get(0)), S),
            of("log1mexp", in -> log1mexp(in.get(0)), S),
            of("logit", in -> logit(in.get(0)), S),
            of("sinh", in -> sinh(in.get(0)), S),
            of("cosh", in -> cosh(in.get(0)), S),
            of("tan", in -> tan(in.get(0)), S),
            of("asinh", in -> asinh(in.get(0)), S),
            of("acosh", in -> acosh(in.get(0)), S),
            of("atanh", in -> atanh(in.get(0)), S),
            of("atan", in -> atan(in.get(0)), S),
            of("gammaln", in -> gammaln(in.get(0)), S),
            of("digamma", in -> digamma(in.get(0)), S),
            of("polygamma", in -> polygamma(3, in.get(0)), S),
            of("floor, ceil, round", in -> mul(add(floor(in.get(0)), add(ceil(in.get(0)), round(in.get(0)))), in.get(0)), S),
            of("isnan, isinf, isfinite", in -> mul(add(isnan(in.get(0)), add(isinf(in.get(0)), isfinite(in.get(0)))), in.get(0)), S),
            of("nan_to_num", in -> nanToNum(in.get(0)), S),
            of("relu", in -> relu(in.get(0)), S),
            of("sin", in -> sin(in.get(0)), S),
            of("cos", in -> cos(in.get(0)), S),

            of("add", in -> add(in.get(0), in.get(1)), S, Shape.of(3)),
            of("sub", in -> sub(in.get(0), in.get(1)), S, S),
            of("mul", in -> mul(in.get(0), in.get(1)), S, S),
            of("div", in -> div(in.get(0), in.get(1)), S, S),
            of("pow", in -> pow(in.get(0), in.get(1)), S, S),
            of("maximum", in -> maximum(in.get(0), in.get(1)), S, S),
            of("minimum", in -> minimum(in.get(0), in.get(1)), S, S),
            of("atan2", in -> atan2(in.get(0), in.get(1)), S, S),
            of("logaddexp", in -> logaddexp(in.get(0), in.get(1)), S, Shape.of(3)),
            of("xlogy", in -> xlogy(in.get(0), in.get(1)), S, S),
            of("xlog1py", in -> xlog1py(in.get(0), in.get(1)), S, S),
            of("fmod", in -> fmod(in.get(0), in.get(1)), S, S),
            of("mod", in -> mod(in.get(0), in.get(1)), S, S),
            of("comparisons", in -> mul(add(add(less(in.get(0), in.get(1)), lessEqual(in.get(0), in.get(1))),
                    add(add(greater(in.get(0), in.get(1)), greaterEqual(in.get(0), in.get(1))),
                            add(equal(in.get(0), in.get(1)), notEqual(in.get(0), in.get(1))))), in.get(0)), S, S),
            of("where", in -> where(greater(in.get(0), 0.0), in.get(0), in.get(1)), S, S),
            of("clip", in -> clip(in.get(0), in.get(1), in.get(2)), S, S, S),

            of("leaky_relu", in -> leakyRelu(in.get(0)), S),
            of("elu", in -> elu(in.get(0), 0.5), S),
            of("selu", in -> selu(in.get(0)), S),
            of("gelu", in -> gelu(in.get(0)), S),
            of("gelu approximated", in -> gelu(in.get(0), true), S),
            of("silu", in -> silu(in.get(0)), S),
            of("softsign", in -> softsign(in.get(0)), S),
            of("hard_sigmoid", in -> hardSigmoid(in.get(0)), S),
            of("hard_tanh", in -> hardTanh(in.get(0)), S),
            of("mish", in -> mish(in.get(0)), S),

            of("sum", in -> sum(in.get(0), 1), S),
            of("mean", in -> mean(in.get(0)), S),
            of("max", in -> max(in.get(0), 0), S),
            of("min", in -> min(in.get(0)), S),
            of("logsumexp", in -> logsumexp(in.get(0), 1), S),
            of("logsumexp over axes", in -> logsumexp(in.get(0)), S),
            of("argmax and argmin", in -> mul(add(argmax(in.get(0), 1), argmin(in.get(0), 1)), sum(in.get(0), 1)), S),
            of("prod", in -> prod(in.get(0), 1), S),
            of("prod over axes", in -> prod(in.get(0)), S),
            of("var", in -> var(in.get(0), new int[] {1}, false, 1), S),
            of("std", in -> std(in.get(0)), S),
            of("norm", in -> norm(in.get(0), 2, 1), S),
            of("norm 1", in -> norm(in.get(0), 1), S),
            of("norm inf", in -> norm(in.get(0), Double.POSITIVE_INFINITY, 0), S),
            of("cumsum", in -> cumsum(in.get(0), 1), S),
            of("cumprod", in -> cumprod(in.get(0), 0), S),
            of("recurrence", in -> Apply.of(new Scan.Recurrence(1, false), in.get(0), in.get(1)), S, S),

            of("softmax", in -> softmax(in.get(0)), S),
            of("log_softmax", in -> logSoftmax(in.get(0)), S),
            of("softmax over every axis", in -> softmax(in.get(0), null), S),
            of("log_softmax over every axis", in -> logSoftmax(in.get(0), null), S),
            of("softmax_cross_entropy", in -> softmaxCrossEntropy(in.get(0), in.get(1)), S, S),
            of("softmax_cross_entropy_grad", in -> Apply.of(new Neural.SoftmaxCrossEntropyGrad(), in.get(0), in.get(1),
                    in.get(2)), S, S, Shape.of(2)),
            of("binary_cross_entropy", in -> binaryCrossEntropy(in.get(0), in.get(1)), S, S),
            of("bce_with_logits", in -> bceWithLogits(in.get(0), in.get(1)), S, S),
            of("relu_grad", in -> reluGrad(in.get(0), in.get(1)), S, S),
            of("moving_average", in -> movingAverage(in.get(0), in.get(1), 0.9), S, S),
            of("moving_average_of_squares", in -> movingAverageOfSquares(in.get(0), in.get(1), 0.9), S, S),
            of("adam_step", in -> adamStep(in.get(0), in.get(1), in.get(2), in.get(3), in.get(4), in.get(5), 1e-3), S, S, S, Shape.of(),
                    Shape.of(), Shape.of()),
            of("cross_entropy", in -> crossEntropy(in.get(0), constant(Tensor.vector(2, 0)), 0.1, -100, true), S),
            of("cross_entropy_grad", in -> Apply.of(new Neural.CrossEntropyGrad(-100, 0.1), in.get(0), constant(Tensor.vector(2, 0)),
                    in.get(1)), S, Shape.of(2)),
            of("take", in -> take(in.get(0), 0, List.of(constant(Tensor.vector(1, 1)), constant(Tensor.vector(0, 2)))), S),
            of("take_along_axis", in -> takeAlongAxis(in.get(0), constant(Tensor.of(new double[] {2, 0, 0, 1}, 2, 2)), 1), S),
            of("nll", in -> nll(in.get(0), constant(Tensor.vector(1, 2))), S),
            of("scatter_add", in -> Apply.of(new Gather.ScatterAdd(new Gather.Take(0)), in.get(0), in.get(1),
                    constant(Tensor.vector(1, 1, 0))), Shape.of(3, 3), S),

            of("matmul", in -> matmul(in.get(0), in.get(1)), S, Shape.of(3, 4)),
            of("matmul of vectors", in -> matmul(in.get(0), in.get(1)), Shape.of(3), Shape.of(3)),
            of("transpose", in -> transpose(in.get(0)), S),
            of("gemm", in -> gemm(in.get(0), in.get(1), in.get(2), true, true, 0.5), Shape.of(3, 2), Shape.of(4, 3), Shape.of(4)),
            of("vdot", in -> vdot(in.get(0), in.get(1)), S, S),
            of("solve", in -> solve(in.get(0), in.get(1)), Shape.of(3, 3), Shape.of(3)),
            of("solve of a matrix", in -> solve(in.get(0), in.get(1)), Shape.of(3, 3), Shape.of(3, 2)),

            of("expand_dims and squeeze", in -> squeeze(expandDims(in.get(0), 1), 1), S),
            of("reshape", in -> reshape(in.get(0), 3, -1), S),
            of("reshape like", in -> reshape(in.get(0), in.get(1)), S, Shape.of(6)),
            of("broadcast_to", in -> broadcastTo(in.get(0), 4, 2, 3), S),
            of("broadcast_to like and sum_to", in -> sumTo(broadcastTo(in.get(0), in.get(1)), Type.f64(1, 3)), Shape.of(3), S),
            of("concat", in -> concat(List.of(in.get(0), in.get(1)), 1), S, S),
            of("slice", in -> slice(in.get(0), Slice.all(), Slice.range(null, null, -2)), S),
            of("unslice", in -> unslice(in.get(0), in.get(1), Slice.index(1)), Shape.of(3), S),
            of("one_hot", in -> mul(sum(oneHot(argmax(in.get(0), 1), 4)), in.get(0)), S),
            of("tile", in -> tile(in.get(0), 2, 1), S),
            of("repeat", in -> repeat(in.get(0), 2), S),
            of("flip", in -> flip(in.get(0), 1), S),
            of("pad", in -> pad(in.get(0), new int[][] {{1, 0}, {0, 2}}, 0.5), S),
            of("pad_reflect", in -> padReflect(in.get(0), new int[][] {{1, 1}, {2, 0}}), S),
            of("shift", in -> Apply.of(new Remap.Shift(1, -1, 0.5), in.get(0)), S),
            of("tril", in -> tril(in.get(0), 1), S),
            of("triu", in -> triu(in.get(0), -1), S),
            of("fills", in -> mul(add(zerosLike(in.get(0)), add(onesLike(in.get(0)), fill(in.get(0), 2))), in.get(0)), S),
            of("stop_gradient", in -> mul(stopGradient(in.get(0)), in.get(0)), S),
            of("grad_clip", in -> gradClip(square(in.get(0)), -1, 1), S),
            of("grad_scale", in -> gradScale(square(in.get(0)), 0.5), S),

            of("conv2d", in -> conv2d(in.get(0), in.get(1), CONV), Shape.of(2, 2, 4, 4), Shape.of(3, 2, 3, 3)),
            of("conv_transpose2d", in -> convTranspose2d(in.get(0), in.get(1), CONV, 4, 4), Shape.of(2, 3, 4, 4), Shape.of(3, 2, 3, 3)),
            of("conv2d_filter_grad", in -> conv2dFilterGrad(in.get(0), in.get(1), CONV, 3, 3), Shape.of(2, 2, 4, 4), Shape.of(2, 3, 4, 4)),
            of("max_pool2d", in -> maxPool2d(in.get(0), Pool.Window.of(2)), Shape.of(2, 2, 4, 4)),
            of("max_pool2d_grad", in -> maxPool2dGrad(in.get(0), maxPool2d(in.get(0), Pool.Window.of(2)), in.get(1), Pool.Window.of(2)),
                    Shape.of(2, 2, 4, 4), Shape.of(2, 2, 2, 2)),
            of("avg_pool2d", in -> avgPool2d(in.get(0), Pool.Window.of(2)), Shape.of(2, 2, 4, 4)));

    @Test
    void theCasesCoverEveryDifferentiableOp() {
        var graph = new ArrayList<Node>();
        for (Case c : CASES) {
            List<Input> in = inputs(c);
            Node y = c.build().apply(List.copyOf(in));
            graph.addAll(secondOrder(y, in));
            graph.addAll(firstOrder(y, in));
            graph.add(y);
        }
        assertEquals(List.of(), OpCoverage.missing(OpCoverage.opsIn(graph), List.of(Random.class)),
                "ops no case differentiates twice (the random ops have no gradient)");
    }

    @TestFactory
    Stream<DynamicTest> eachOpsSecondOrderGradientIsAConstantMultipleOfItsGradient() {
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            List<Input> in = inputs(c);
            Node y = c.build().apply(List.copyOf(in));
            int first = size(firstOrder(y, in)), second = size(secondOrder(y, in));
            assertTrue(second <= RATIO * first, () -> c.name() + ": the second-order gradient has " + second
                    + " nodes, the first-order one " + first);
        }));
    }

    /**
     * The Hessian-vector product of a deep classifier (tanh layers, softmax cross-entropy) grows
     * linearly with its depth: twice the layers, at most 2.2 times the nodes.
     */
    @Test
    void theHessianVectorProductOfADeepClassifierGrowsLinearlyWithItsDepth() {
        int shallow = size(classifierHvp(8)), deep = size(classifierHvp(16));
        assertTrue(deep <= 2.2 * shallow, () -> "8 layers: " + shallow + " nodes; 16 layers: " + deep);
    }

    /** A gradient penalty, the gradient's squared norm differentiated again, of a classifier with a cos and a sigmoid branch. */
    @Test
    void aGradientPenaltyThroughSoftmaxCrossEntropyStaysSmall() {
        Input x = input("x", 2, 3);
        Param w = param("W", Tensor.ones(Shape.of(3, 4)));
        Node logits = matmul(x, w);
        Node targets = oneHot(constant(Tensor.of(new double[] {2, 0}, 2)), 4);
        Node f = add(mean(softmaxCrossEntropy(cos(logits), targets)), mean(sigmoid(logits)));
        Node g = grad(f, w);
        Node h = grad(sum(pow(g, 2.0)), w);
        int first = size(List.of(g)), second = size(List.of(h));
        assertTrue(second <= RATIO * first, () -> "the penalty's gradient has " + second + " nodes, the gradient " + first);
    }

    private static List<Node> classifierHvp(int layers) {
        var random = new SplittableRandom(7);
        Input x = input("x", "n", 5), t = input("t", "n", 5);
        Node h = x;
        var params = new ArrayList<Param>();
        for (int i = 0; i < layers; i++) {
            Param w = param("W" + i, Tensor.normal(Shape.of(5, 5), 0, 0.3, random));
            Param b = param("b" + i, Tensor.zeros(Shape.of(5)));
            params.add(w);
            params.add(b);
            h = i == layers - 1 ? add(matmul(h, w), b) : tanh(add(matmul(h, w), b));
        }
        Node loss = mean(softmaxCrossEntropy(h, t));
        List<Node> g = GradTable.grad(loss, params);
        Node gv = null;
        for (int i = 0; i < params.size(); i++) {
            Node term = vdot(g.get(i), constant(Tensor.full(params.get(i).shape(), 0.5)));
            gv = gv == null ? term : add(gv, term);
        }
        return GradTable.grad(gv, params);
    }

    /** The gradient of sum(y) with respect to every input. */
    private static List<Node> firstOrder(Node y, List<Input> in) {
        return GradTable.grad(sum(y), in, GradTable.Disconnected.ZEROS);
    }

    /** The gradient of the squared norm of that gradient: nonlinear in it, so every term is differentiated again. */
    private static List<Node> secondOrder(Node y, List<Input> in) {
        List<Node> g = firstOrder(y, in);
        Node norm = g.stream().map(gi -> (Node) sum(square(gi))).reduce(Ops::add).orElseThrow();
        return GradTable.grad(norm, in, GradTable.Disconnected.ZEROS);
    }

    private static int size(List<Node> roots) { return Graph.topologicalOrder(roots).size(); }

    private static List<Input> inputs(Case c) {
        var in = new ArrayList<Input>();
        for (int i = 0; i < c.shapes().size(); i++) in.add(new Input("x" + i, Type.of(org.graft.core.tensor.DType.F64, c.shapes().get(i))));
        return in;
    }
}
