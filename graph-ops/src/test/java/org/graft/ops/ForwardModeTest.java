package org.graft.ops;

import static org.graft.ops.Ops.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import org.graft.core.Apply;
import org.graft.core.Graph;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Type;
import org.graft.core.check.Tensors;
import org.graft.core.grad.ForwardTable;
import org.graft.core.grad.GradTable;
import org.graft.core.grad.GradTable.Disconnected;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * Forward mode through every op: the tangent {@code jvp(y, x, v)} of each op's output, every
 * input moving at once, equals the central difference {@code (y(x + hv) - y(x - hv)) / 2h},
 * and is the transpose of the op's gradient: {@code <u, J v> = <Jᵀ u, v>} for a random
 * cotangent u, to rounding. The first check holds the rule to the math; the second holds
 * forward and reverse mode to each other. Values are drawn inside each op's domain, where the
 * functions are smooth at the points drawn.
 */
class ForwardModeTest {

    /** Which checks a case takes, where an op is not the plain derivative of its values on purpose. */
    private enum Checks {
        BOTH,
        /** stop_gradient: its values move, but no derivative passes, so differences see more than the tangent. */
        TRANSPOSE_ONLY,
        /** grad_clip and grad_scale: forward mode sees the identity, reverse mode a clipped or scaled gradient. */
        DIFFERENCES_ONLY
    }

    private record Case(String name, Function<List<Node>, Node> build, List<Tensor> at, Checks checks) {}

    private static final Shape S = Shape.of(2, 3);
    private static final SplittableRandom RANDOM = new SplittableRandom(20270116);

    private static Tensor between(Shape s, double lo, double hi) { return Tensor.uniform(s, lo, hi, RANDOM); }

    private static Tensor any() { return between(S, -2, 2); }

    private static Tensor positive() { return between(S, 0.5, 3); }

    /** A well-conditioned matrix whose first column's largest element is not on the diagonal: elimination must pivot. */
    private static final Tensor SYSTEM = Tensor.of(new double[] {0.5, 3, -1, 2.5, 0.25, 1, 1, -2, 4}, 3, 3);

    private static Case of(String name, Function<List<Node>, Node> build, Tensor... at) {
        return new Case(name, build, List.of(at), Checks.BOTH);
    }

    private static final List<Case> CASES = List.of(
            of("neg", in -> neg(in.get(0)), any()),
            of("exp", in -> exp(in.get(0)), any()),
            of("log", in -> log(in.get(0)), positive()),
            of("log1p", in -> log1p(in.get(0)), positive()),
            of("expm1", in -> expm1(in.get(0)), any()),
            of("sqrt", in -> sqrt(in.get(0)), positive()),
            of("square", in -> square(in.get(0)), any()),
            of("reciprocal", in -> reciprocal(in.get(0)), positive()),
            of("abs", in -> abs(in.get(0)), any()),
            of("sign", in -> mul(sign(in.get(0)), in.get(0)), any()),
            of("sigmoid", in -> sigmoid(in.get(0)), any()),
            of("softplus", in -> softplus(in.get(0)), any()),
            of("tanh", in -> tanh(in.get(0)), any()),
            of("relu", in -> relu(in.get(0)), any()),
            of("sin", in -> sin(in.get(0)), any()),
            of("cos", in -> cos(in.get(0)), any()),
            of("erf", in -> erf(in.get(0)), any()),
            of("erfc", in -> erfc(in.get(0)), any()),
            of("erfcx", in -> erfcx(in.get(0)), any()),
            of("erfinv", in -> erfinv(in.get(0)), between(S, -0.9, 0.9)),
            of("log2", in -> log2(in.get(0)), positive()),
            of("log10", in -> log10(in.get(0)), positive()),
            of("exp2", in -> exp2(in.get(0)), any()),
            of("log1mexp", in -> log1mexp(in.get(0)), between(S, -3, -0.1)),
            of("logit", in -> logit(in.get(0)), between(S, 0.1, 0.9)),
            of("sinh", in -> sinh(in.get(0)), any()),
            of("cosh", in -> cosh(in.get(0)), any()),
            of("tan", in -> tan(in.get(0)), between(S, -1, 1)),
            of("asinh", in -> asinh(in.get(0)), any()),
            of("acosh", in -> acosh(in.get(0)), between(S, 1.5, 3)),
            of("atanh", in -> atanh(in.get(0)), between(S, -0.9, 0.9)),
            of("atan", in -> atan(in.get(0)), any()),
            of("gammaln", in -> gammaln(in.get(0)), positive()),
            of("digamma", in -> digamma(in.get(0)), positive()),
            of("polygamma", in -> polygamma(1, in.get(0)), positive()),
            // piecewise constant: times x, so that a tangent passes
            of("floor, ceil and round", in -> mul(add(floor(in.get(0)), add(ceil(in.get(0)), round(in.get(0)))), in.get(0)),
                    between(S, 0.1, 0.4)),
            of("isnan, isinf and isfinite", in -> mul(add(isnan(in.get(0)), add(isinf(in.get(0)), isfinite(in.get(0)))), in.get(0)), any()),
            of("nan_to_num", in -> nanToNum(in.get(0)), any()),

            of("add", in -> add(in.get(0), in.get(1)), any(), between(Shape.of(3), -2, 2)),
            of("sub", in -> sub(in.get(0), in.get(1)), any(), between(Shape.of(2, 1), -2, 2)),
            of("mul", in -> mul(in.get(0), in.get(1)), any(), between(Shape.of(3), -2, 2)),
            of("div", in -> div(in.get(0), in.get(1)), any(), positive()),
            of("pow", in -> pow(in.get(0), in.get(1)), positive(), any()),
            of("maximum", in -> maximum(in.get(0), in.get(1)), any(), any()),
            of("minimum", in -> minimum(in.get(0), in.get(1)), any(), any()),
            of("comparisons", in -> mul(add(add(less(in.get(0), in.get(1)), lessEqual(in.get(0), in.get(1))),
                    add(add(greater(in.get(0), in.get(1)), greaterEqual(in.get(0), in.get(1))),
                            add(equal(in.get(0), in.get(1)), notEqual(in.get(0), in.get(1))))), in.get(0)), any(), any()),
            of("atan2", in -> atan2(in.get(0), in.get(1)), any(), positive()),
            of("logaddexp", in -> logaddexp(in.get(0), in.get(1)), any(), any()),
            of("xlogy", in -> xlogy(in.get(0), in.get(1)), any(), positive()),
            of("xlog1py", in -> xlog1py(in.get(0), in.get(1)), any(), positive()),
            // away from the jumps, where a / b is a whole number
            of("fmod", in -> fmod(in.get(0), in.get(1)), between(S, 0.1, 0.9), between(S, 1, 2)),
            of("mod", in -> mod(in.get(0), in.get(1)), between(S, -0.9, -0.1), between(S, 1, 2)),
            of("where", in -> where(greater(in.get(0), 0.0), in.get(0), in.get(1)), any(), any()),
            of("clip", in -> clip(in.get(0), in.get(1), in.get(2)), any(), between(S, -1.5, 0), between(S, 0, 1.5)),

            of("leaky_relu", in -> leakyRelu(in.get(0), 0.2), any()),
            of("elu", in -> elu(in.get(0)), any()),
            of("selu", in -> selu(in.get(0)), any()),
            of("gelu", in -> gelu(in.get(0)), any()),
            of("gelu, tanh form", in -> gelu(in.get(0), true), any()),
            of("silu", in -> silu(in.get(0)), any()),
            of("softsign", in -> softsign(in.get(0)), any()),
            of("hard_sigmoid", in -> hardSigmoid(in.get(0)), any()),
            of("hard_tanh", in -> hardTanh(in.get(0)), between(S, -0.9, 0.9)),
            of("mish", in -> mish(in.get(0)), any()),

            of("sum", in -> sum(in.get(0), 1), any()),
            of("mean", in -> mean(in.get(0)), any()),
            of("max", in -> max(in.get(0), 0), any()),
            of("min", in -> min(in.get(0)), any()),
            of("logsumexp", in -> logsumexp(in.get(0), 1), any()),
            of("logsumexp over axes", in -> logsumexp(in.get(0)), any()),
            of("argmax and argmin", in -> mul(add(argmax(in.get(0), 1), argmin(in.get(0), 1)), sum(in.get(0), 1)), any()),
            of("prod", in -> prod(in.get(0), 1), any()),
            of("prod over axes", in -> prod(in.get(0)), any()),
            of("var", in -> var(in.get(0), new int[] {1}, false, 1), any()),
            of("std", in -> std(in.get(0)), any()),
            of("norm", in -> norm(in.get(0), 2, 1), any()),
            of("norm 1", in -> norm(in.get(0), 1), any()),
            of("norm inf", in -> norm(in.get(0), Double.POSITIVE_INFINITY, 0), any()),
            of("cumsum", in -> cumsum(in.get(0), 1), any()),
            of("cumprod", in -> cumprod(in.get(0), 0), any()),
            of("recurrence", in -> Apply.of(new Scan.Recurrence(1, false), in.get(0), in.get(1)), any(), any()),
            of("softmax over every axis", in -> softmax(in.get(0), null), any()),
            of("log_softmax over every axis", in -> logSoftmax(in.get(0), null), any()),

            of("softmax", in -> softmax(in.get(0), 0), any()),
            of("log_softmax", in -> logSoftmax(in.get(0)), any()),
            of("softmax_cross_entropy", in -> softmaxCrossEntropy(in.get(0), in.get(1)), any(), positive()),
            of("softmax_cross_entropy_grad", in -> Apply.of(new Neural.SoftmaxCrossEntropyGrad(), in.get(0), in.get(1), in.get(2)),
                    any(), positive(), between(Shape.of(2), -2, 2)),
            of("binary_cross_entropy", in -> binaryCrossEntropy(in.get(0), in.get(1)), between(S, 0.1, 0.9), between(S, 0, 1)),
            of("bce_with_logits", in -> bceWithLogits(in.get(0), in.get(1)), any(), between(S, 0, 1)),
            of("relu_grad", in -> reluGrad(in.get(0), in.get(1)), between(S, 0.1, 2), any()),
            of("moving_average", in -> movingAverage(in.get(0), in.get(1), 0.9), any(), any()),
            of("moving_average_of_squares", in -> movingAverageOfSquares(in.get(0), in.get(1), 0.9), any(), any()),
            of("adam_step", in -> adamStep(in.get(0), in.get(1), in.get(2), in.get(3), in.get(4), in.get(5), 1e-3), any(), any(), positive(),
                    between(Shape.of(), 0.01, 1), between(Shape.of(), 0.1, 1), between(Shape.of(), 0.1, 1)),
            of("cross_entropy", in -> crossEntropy(in.get(0), constant(Tensor.vector(2, 0)), 0.1, -100, true), any()),
            of("cross_entropy per row, one ignored", in -> crossEntropy(in.get(0), constant(Tensor.vector(2, 1)), 0, 1, false), any()),
            of("cross_entropy_grad", in -> Apply.of(new Neural.CrossEntropyGrad(-100, 0.1), in.get(0), constant(Tensor.vector(2, 0)),
                    in.get(1)), any(), between(Shape.of(2), -2, 2)),
            of("take", in -> take(in.get(0), 0, List.of(constant(Tensor.vector(1, 1)), constant(Tensor.vector(0, 2)))), any()),
            of("take_along_axis", in -> takeAlongAxis(in.get(0), constant(Tensor.of(new double[] {2, 0, 0, 1}, 2, 2)), 1), any()),
            of("nll", in -> nll(in.get(0), constant(Tensor.vector(1, 2))), any()),
            of("scatter_add", in -> Apply.of(new Gather.ScatterAdd(new Gather.Take(0)), in.get(0), in.get(1),
                    constant(Tensor.vector(1, 1, 0))), between(Shape.of(3, 3), -2, 2), any()),

            of("matmul", in -> matmul(in.get(0), in.get(1)), any(), between(Shape.of(3, 4), -2, 2)),
            of("matmul of vectors", in -> matmul(in.get(0), in.get(1)), between(Shape.of(3), -2, 2), between(Shape.of(3), -2, 2)),
            of("transpose", in -> transpose(in.get(0)), any()),
            of("gemm", in -> gemm(in.get(0), in.get(1), in.get(2), true, true, 0.5),
                    between(Shape.of(3, 2), -2, 2), between(Shape.of(4, 3), -2, 2), between(Shape.of(4), -2, 2)),
            of("vdot", in -> vdot(in.get(0), in.get(1)), any(), any()),
            of("solve", in -> solve(in.get(0), in.get(1)), SYSTEM, between(Shape.of(3), -2, 2)),
            of("solve of a matrix", in -> solve(in.get(0), in.get(1)), SYSTEM, between(Shape.of(3, 2), -2, 2)),

            of("expand_dims and squeeze", in -> squeeze(expandDims(in.get(0), 1), 1), any()),
            of("reshape", in -> reshape(in.get(0), 3, -1), any()),
            of("reshape like", in -> reshape(in.get(0), in.get(1)), any(), between(Shape.of(6), -2, 2)),
            of("broadcast_to", in -> broadcastTo(in.get(0), 4, 2, 3), any()),
            of("broadcast_to like and sum_to", in -> sumTo(broadcastTo(in.get(0), in.get(1)), Type.of(in.get(0).type().dtype(), 1, 3)),
                    between(Shape.of(3), -2, 2), any()),
            of("concat", in -> concat(List.of(in.get(0), in.get(1)), 1), any(), any()),
            of("slice", in -> slice(in.get(0), Slice.all(), Slice.range(null, null, -2)), any()),
            of("unslice", in -> unslice(in.get(0), in.get(1), Slice.index(1)), between(Shape.of(3), -2, 2), any()),
            of("one_hot", in -> mul(sum(oneHot(argmax(in.get(0), 1), 4)), in.get(0)), any()),
            of("tile", in -> tile(in.get(0), 2, 1), any()),
            of("repeat", in -> repeat(in.get(0), 2), any()),
            of("flip", in -> flip(in.get(0), 1), any()),
            of("pad", in -> pad(in.get(0), new int[][] {{1, 0}, {0, 2}}, 0.5), any()),
            of("pad_reflect", in -> padReflect(in.get(0), new int[][] {{1, 1}, {2, 0}}), any()),
            of("shift", in -> Apply.of(new Remap.Shift(1, -1, 0.5), in.get(0)), any()),
            of("tril", in -> tril(in.get(0), 1), any()),
            of("triu", in -> triu(in.get(0), -1), any()),
            of("unremap", in -> Apply.of(new Shaping.Unremap(new Remap.Tile(List.of(1, 2))), in.get(0), in.get(1)),
                    between(Shape.of(2, 6), -2, 2), any()),
            of("fills", in -> mul(add(zerosLike(in.get(0)), add(onesLike(in.get(0)), fill(in.get(0), 2))), in.get(0)), any()),
            new Case("stop_gradient", in -> mul(stopGradient(in.get(0)), in.get(0)), List.of(any()), Checks.TRANSPOSE_ONLY),
            new Case("grad_clip", in -> gradClip(square(in.get(0)), -0.1, 0.1), List.of(any()), Checks.DIFFERENCES_ONLY),
            new Case("grad_scale", in -> gradScale(exp(in.get(0)), -3), List.of(any()), Checks.DIFFERENCES_ONLY),

            of("conv2d", in -> conv2d(in.get(0), in.get(1), Conv.Spec.of(2, 1, 1, 1)), between(Shape.of(2, 2, 5, 5), -2, 2),
                    between(Shape.of(3, 2, 3, 3), -1, 1)),
            of("conv2d grouped and dilated", in -> conv2d(in.get(0), in.get(1), Conv.Spec.of(1, 1, 2, 2)), between(Shape.of(1, 4, 5, 5), -2, 2),
                    between(Shape.of(4, 2, 2, 2), -1, 1)),
            of("conv_transpose2d", in -> convTranspose2d(in.get(0), in.get(1), Conv.Spec.of(2, 1, 1, 1), 5, 5),
                    between(Shape.of(2, 3, 3, 3), -2, 2), between(Shape.of(3, 2, 3, 3), -1, 1)),
            of("conv2d_filter_grad", in -> conv2dFilterGrad(in.get(0), in.get(1), Conv.Spec.of(2, 1, 1, 1), 3, 3),
                    between(Shape.of(2, 2, 5, 5), -2, 2), between(Shape.of(2, 3, 3, 3), -1, 1)),
            of("max_pool2d", in -> maxPool2d(in.get(0), Pool.Window.of(2)), between(Shape.of(2, 2, 4, 4), -2, 2)),
            of("max_pool2d_grad", in -> maxPool2dGrad(in.get(0), maxPool2d(in.get(0), Pool.Window.of(2)), in.get(1), Pool.Window.of(2)),
                    between(Shape.of(2, 2, 4, 4), -2, 2), between(Shape.of(2, 2, 2, 2), -2, 2)),
            of("max_pool2d_gather", in -> maxPool2dGather(in.get(0), maxPool2d(in.get(0), Pool.Window.of(2)), in.get(1), Pool.Window.of(2)),
                    between(Shape.of(2, 2, 4, 4), -2, 2), between(Shape.of(2, 2, 4, 4), -2, 2)),
            of("avg_pool2d", in -> avgPool2d(in.get(0), new Pool.Window(3, 3, 2, 2, 1, 1, 1, 1), false), between(Shape.of(2, 2, 5, 5), -2, 2)),
            of("avg_pool2d_grad", in -> avgPool2dGrad(in.get(0), Pool.Window.of(2), true, 4, 4), between(Shape.of(2, 2, 2, 2), -2, 2)));

    /**
     * The ops no case need reach: the random ops have no derivative, and {@code Reduce.Count},
     * which only mean's gradient builds, reads no values, so no tangent ever reaches it.
     */
    private static final List<Class<?>> NO_TANGENT = List.of(Random.class, Reduce.Count.class);

    @Test
    void theCasesCoverEveryDifferentiableOp() {
        Set<Class<?>> covered = OpCoverage.opsIn(CASES.stream().map(c -> c.build().apply(List.copyOf(inputs(c, DType.F64)))).toList());
        assertEquals(List.of(), OpCoverage.missing(covered, NO_TANGENT));
    }

    @TestFactory
    Stream<DynamicTest> eachOpsTangentIsTheDerivativeOfItsValues() {
        return CASES.stream().filter(c -> c.checks() != Checks.TRANSPOSE_ONLY).map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            List<Input> in = inputs(c, DType.F64);
            List<Tensor> along = directions(c);
            Tensor tangent = tangent(c, in, along);
            Tensor difference = centralDifference(c, in, along);
            double scale = 1;
            for (int i = 0; i < difference.size(); i++) scale = Math.max(scale, Math.abs(difference.getFlat(i)));
            for (int i = 0; i < difference.size(); i++) {
                double want = difference.getFlat(i), got = tangent.getFlat(i);
                int at = i;
                double tolerance = 1e-7 * scale;
                assertTrue(Math.abs(want - got) <= tolerance, () -> c.name() + " at " + at + ": tangent " + got + ", difference " + want);
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> eachOpsTangentIsTheTransposeOfItsGradient() {
        return CASES.stream().filter(c -> c.checks() != Checks.DIFFERENCES_ONLY).map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            List<Input> in = inputs(c, DType.F64);
            List<Tensor> along = directions(c);
            Node y = c.build().apply(List.copyOf(in));
            Tensor u = between(y.type().shape(), -1, 1);
            double forward = u.dot(tangent(c, in, along));
            List<Node> back = GradTable.vjp(y, constant(u), in, Disconnected.ZEROS);
            List<Tensor> g = Compiler.compile(in, back, Options.NONE).call(c.at());
            double reverse = 0, size = 0;
            for (int i = 0; i < in.size(); i++) {
                reverse += g.get(i).dot(along.get(i));
                size += g.get(i).map(Math::abs).dot(along.get(i).map(Math::abs));
            }
            double r = reverse, tolerance = 1e-12 * Math.max(1, size);
            assertEquals(r, forward, tolerance, () -> c.name() + ": <u, J v> = " + forward + ", <J^T u, v> = " + r);
        }));
    }

    @TestFactory
    Stream<DynamicTest> eachOpsTangentGraphIsF32ForF32Inputs() {
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            List<Input> in = inputs(c, DType.F32);
            Node y = c.build().apply(List.copyOf(in));
            List<Node> vs = in.stream().<Node>map(x -> new Input("d" + x.label(), x.type())).toList();
            Node t = ForwardTable.jvp(List.of(y), in, vs, Disconnected.ZEROS).get(0);
            // what is computed is f32; a constant of class labels or indices may be f64
            for (Node n : Graph.topologicalOrder(List.of(t))) {
                if (n instanceof Apply) assertEquals(DType.F32, n.type().dtype(), () -> c.name() + ": " + n + " is not f32");
            }
        }));
    }

    /** A small classifier's tangent, through matmul, tanh, softmax cross-entropy and a mean over a batch, is its gradient's transpose. */
    @Property(tries = 30)
    void aClassifiersTangentIsTheTransposeOfItsGradient(@ForAll("classifiers") List<Tensor> xw) {
        Input x = new Input("x", Type.of(DType.F64, xw.get(0).shape())), w = new Input("W", Type.of(DType.F64, xw.get(1).shape()));
        Node logits = matmul(tanh(x), w);
        Node cost = mean(softmaxCrossEntropy(logits, softmax(mul(logits, 0.5))));
        Node dw = new Input("dW", w.type());
        Node jv = ForwardTable.jvp(cost, w, dw);
        Node g = GradTable.grad(cost, w);
        Tensor along = xw.get(2);
        List<Tensor> out = Compiler.compile(List.of(x, w, (Input) dw), List.of(jv, g), Options.NONE).call(xw.get(0), xw.get(1), along);
        assertEquals(out.get(1).dot(along), out.get(0).item(), 1e-12 * (1 + out.get(1).map(Math::abs).dot(along.map(Math::abs))));
    }

    @Provide
    Arbitrary<List<Tensor>> classifiers() {
        var dim = Arbitraries.integers().between(1, 4);
        return Combinators.combine(dim, dim, dim).flatAs((n, d, k) -> Combinators.combine(Tensors.withShape(Shape.of(n, d)).any(),
                Tensors.withShape(Shape.of(d, k)).between(-1, 1), Tensors.withShape(Shape.of(d, k)).between(-1, 1)).as(List::of));
    }

    /** The tangent of the case's output when every input moves along its direction. */
    private static Tensor tangent(Case c, List<Input> in, List<Tensor> along) {
        Node y = c.build().apply(List.copyOf(in));
        List<Input> directions = in.stream().map(x -> new Input("d" + x.label(), x.type())).toList();
        Node t = ForwardTable.jvp(List.of(y), in, directions, Disconnected.ZEROS).get(0);
        var all = new ArrayList<>(in);
        all.addAll(directions);
        var values = new ArrayList<>(c.at());
        values.addAll(along);
        return Compiler.compile(all, List.of(t), Options.NONE).call(values).get(0);
    }

    /** {@code (y(x + h v) - y(x - h v)) / 2h}, with h balancing truncation against rounding. */
    private static Tensor centralDifference(Case c, List<Input> in, List<Tensor> along) {
        double h = 1e-5;
        var f = Compiler.compile(in, List.of(c.build().apply(List.copyOf(in))), Options.NONE);
        var plus = new ArrayList<Tensor>();
        var minus = new ArrayList<Tensor>();
        for (int i = 0; i < in.size(); i++) {
            Tensor step = along.get(i).map(d -> h * d);
            plus.add(c.at().get(i).add(step));
            minus.add(c.at().get(i).sub(step));
        }
        return f.call(plus).get(0).sub(f.call(minus).get(0)).map(d -> d / (2 * h));
    }

    /** A direction per input, of its shape, fixed by the case's name so each run draws the same. */
    private static List<Tensor> directions(Case c) {
        var random = new SplittableRandom(c.name().hashCode());
        return c.at().stream().map(t -> Tensor.uniform(t.shape(), -1, 1, random)).toList();
    }

    private static List<Input> inputs(Case c, DType dtype) {
        var in = new ArrayList<Input>();
        for (int i = 0; i < c.at().size(); i++) in.add(new Input("x" + i, Type.of(dtype, c.at().get(i).shape())));
        return in;
    }
}
