package org.graft.onnx;

import static org.graft.ops.Ops.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Type;
import org.graft.core.ops.Add;
import org.graft.core.ops.Broadcasting;
import org.graft.core.ops.FillLike;
import org.graft.core.ops.StopGradient;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.ops.Activation;
import org.graft.ops.Binary;
import org.graft.ops.Compare;
import org.graft.ops.Conv;
import org.graft.ops.Gather;
import org.graft.ops.Gradients;
import org.graft.ops.Linalg;
import org.graft.ops.Neural;
import org.graft.ops.Pool;
import org.graft.ops.Reduce;
import org.graft.ops.Remap;
import org.graft.ops.Scan;
import org.graft.ops.Shaping;
import org.graft.ops.Slice;
import org.graft.ops.Ternary;
import org.graft.ops.Unary;

/**
 * Every op that exports: a program of it on random operands from its domain (a batch dim of
 * random size), exported as written ({@code -O0}, so that the op itself is what ONNX computes)
 * and run by ONNX Runtime with its graph optimizations on and off, gives what Graft gives, as
 * {@link Agreement} says; in f64 where ONNX Runtime has the op's f64 kernel, in f32 always.
 */
class OpExportProperties {

    /** How an operand's values are drawn. */
    interface Feed { Tensor draw(DType dtype, Shape shape, SplittableRandom random); }

    static Feed uniform(double lo, double hi) { return (dtype, shape, random) -> Tensor.uniform(dtype, shape, lo, hi, random); }

    /** Whole numbers in [0, k): indices, labels, conditions. */
    static Feed whole(int k) {
        return (dtype, shape, random) -> {
            double[] v = new double[shape.size()];
            for (int i = 0; i < v.length; i++) v[i] = random.nextInt(k);
            return Tensor.of(dtype, shape, v);
        };
    }

    /** Whole numbers in [lo, hi): indices that count from the end too. */
    static Feed whole(int lo, int hi) { return (dtype, shape, random) -> whole(hi - lo).draw(dtype, shape, random).map(v -> v + lo); }

    /** Whole numbers in [0, k), and NaN for about a quarter: ties and the NaN that argmax takes first. */
    static Feed wholeOrNan(int k) { return (dtype, shape, random) -> whole(k).draw(dtype, shape, random).map(v -> random.nextInt(4) == 0 ? Double.NaN : v); }

    /** Targets in [0, 1]: a quarter 0, a quarter 1, the rest between. */
    static final Feed TARGETS = (dtype, shape, random) -> uniform(0, 1).draw(dtype, shape, random).map(v -> {
        int k = random.nextInt(4);
        return k == 0 ? 0 : k == 1 ? 1 : v;
    });

    /** An operand: its dims ({@code "n"} the batch) and its values. */
    record Operand(List<Object> dims, Feed feed) {}

    static Operand in(Feed feed, Object... dims) { return new Operand(List.of(dims), feed); }

    /** One op's program: its operands and what it builds of them. */
    record Case(Class<?> op, List<Operand> operands, Function<List<Node>, Node> build) {
        @Override
        public String toString() { return op.getSimpleName(); }
    }

    static final Feed ANY = uniform(-3, 3);

    /** Numbers, NaN and the infinities, each about a quarter of the elements. */
    static final Feed SPECIAL = (dtype, shape, random) -> {
        double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        return ANY.draw(dtype, shape, random).map(v -> {
            int k = random.nextInt(4);
            return k < special.length ? special[k] : v;
        });
    };

    static Case unary(Class<?> op, UnaryOperator<Node> f, Feed feed) { return new Case(op, List.of(in(feed, "n", 3)), v -> f.apply(v.get(0))); }

    static Case unary(Class<?> op, UnaryOperator<Node> f) { return unary(op, f, ANY); }

    /** {@code f(a, b)} with b broadcast along the batch. */
    static Case binary(Class<?> op, BinaryOperator<Node> f, Feed feed) {
        return new Case(op, List.of(in(feed, "n", 3), in(feed, 3)), v -> f.apply(v.get(0), v.get(1)));
    }

    static Case of(Class<?> op, Function<List<Node>, Node> f, Operand... operands) { return new Case(op, List.of(operands), f); }

    static final List<Case> CASES = List.of(
            unary(Unary.Neg.class, x -> neg(x)),
            unary(Unary.Exp.class, x -> exp(x)),
            unary(Unary.Log.class, x -> log(x), uniform(0.01, 10)),
            unary(Unary.Sqrt.class, x -> sqrt(x), uniform(0, 10)),
            unary(Unary.Square.class, x -> square(x)),
            unary(Unary.Reciprocal.class, x -> reciprocal(x), uniform(0.1, 10)),
            unary(Unary.Abs.class, x -> abs(x)),
            unary(Unary.Sign.class, x -> sign(x)),
            unary(Unary.Sigmoid.class, x -> sigmoid(x)),
            unary(Unary.Softplus.class, x -> softplus(x)),
            unary(Unary.Tanh.class, x -> tanh(x)),
            unary(Unary.Relu.class, x -> relu(x)),
            unary(Unary.Sin.class, x -> sin(x)),
            unary(Unary.Cos.class, x -> cos(x)),
            unary(Unary.Erf.class, x -> erf(x)),
            unary(Unary.Sinh.class, x -> sinh(x)),
            unary(Unary.Cosh.class, x -> cosh(x)),
            unary(Unary.Tan.class, x -> tan(x), uniform(-1.5, 1.5)),
            unary(Unary.Asinh.class, x -> asinh(x)),
            unary(Unary.Acosh.class, x -> acosh(x), uniform(1, 10)),
            unary(Unary.Atanh.class, x -> atanh(x), uniform(-0.99, 0.99)),
            unary(Unary.Atan.class, x -> atan(x)),
            unary(Unary.Floor.class, x -> floor(x)),
            unary(Unary.Ceil.class, x -> ceil(x)),
            // halves, where the rule for ties shows
            unary(Unary.Round.class, x -> round(x), (dtype, shape, random) -> whole(12).draw(dtype, shape, random).map(v -> v / 2 - 3)),
            unary(Unary.IsNan.class, x -> isnan(x), SPECIAL),
            unary(Unary.IsInf.class, x -> isinf(x), SPECIAL),
            unary(Unary.IsFinite.class, x -> isfinite(x), SPECIAL),
            unary(Unary.NanToNum.class, x -> nanToNum(x, -1, 7.0, null), SPECIAL),
            unary(Activation.LeakyRelu.class, x -> leakyRelu(x, 0.1)),
            unary(Activation.HardSigmoid.class, x -> hardSigmoid(x), uniform(-5, 5)),
            unary(Activation.HardTanh.class, x -> hardTanh(x, -0.5, 2)),
            unary(Activation.Softsign.class, x -> softsign(x)),
            unary(Activation.Mish.class, x -> mish(x), uniform(-10, 10)),
            unary(Activation.Mish.class, x -> mish(x), SPECIAL),
            unary(Activation.Silu.class, x -> silu(x), uniform(-10, 10)),
            unary(Activation.Silu.class, x -> silu(x), SPECIAL),
            unary(Activation.Gelu.class, x -> gelu(x, true), uniform(-10, 10)),
            unary(Activation.Gelu.class, x -> gelu(x, true), SPECIAL),
            binary(Add.class, (a, b) -> add(a, b), ANY),
            binary(Binary.Sub.class, (a, b) -> sub(a, b), ANY),
            binary(Binary.Mul.class, (a, b) -> mul(a, b), ANY),
            binary(Binary.Div.class, (a, b) -> div(a, b), uniform(0.5, 3)),
            binary(Binary.Pow.class, (a, b) -> pow(a, b), uniform(0.1, 3)),
            binary(Binary.Maximum.class, (a, b) -> maximum(a, b), ANY),
            binary(Binary.Minimum.class, (a, b) -> minimum(a, b), ANY),
            binary(Binary.Fmod.class, (a, b) -> fmod(a, b), uniform(0.5, 5)),
            // whole numbers, so that ties happen
            binary(Compare.Less.class, (a, b) -> less(a, b), whole(3)),
            binary(Compare.LessEqual.class, (a, b) -> lessEqual(a, b), whole(3)),
            binary(Compare.Greater.class, (a, b) -> greater(a, b), whole(3)),
            binary(Compare.GreaterEqual.class, (a, b) -> greaterEqual(a, b), whole(3)),
            binary(Compare.Equal.class, (a, b) -> equal(a, b), whole(3)),
            binary(Compare.NotEqual.class, (a, b) -> notEqual(a, b), whole(3)),
            of(Ternary.Where.class, v -> where(v.get(0), v.get(1), v.get(2)), in(whole(2), "n", 3), in(ANY, "n", 3), in(ANY, 3)),
            of(Ternary.Clip.class, v -> clip(v.get(0), v.get(1), v.get(2)), in(ANY, "n", 3), in(uniform(-2, 0), 3), in(uniform(0, 2), 3)),
            of(Reduce.Sum.class, v -> sum(v.get(0), new int[] {1}, false), in(ANY, "n", 3, 2)),
            // no axes: nothing reduced, where ONNX's empty axes reduce every axis
            of(Reduce.Sum.class, v -> sum(v.get(0), new int[] {}, false), in(ANY, "n", 3)),
            of(Reduce.LogSumExp.class, v -> logsumexp(v.get(0), new int[] {}, true), in(ANY, "n", 3)),
            of(Reduce.Mean.class, v -> mean(v.get(0), new int[] {0, 2}, true), in(ANY, "n", 3, 2)),
            of(Reduce.Max.class, v -> max(v.get(0), 2), in(ANY, "n", 3, 2)),
            of(Reduce.Min.class, v -> min(v.get(0), -1, true), in(ANY, "n", 3, 2)),
            of(Reduce.LogSumExp.class, v -> logsumexp(v.get(0), 1), in(uniform(-30, 30), "n", 3, 2)),
            of(Reduce.Prod.class, v -> prod(v.get(0), 1), in(ANY, "n", 3, 2)),
            of(Reduce.ArgMax.class, v -> argmax(v.get(0), 1), in(whole(3), "n", 4)),
            of(Reduce.ArgMin.class, v -> argmin(v.get(0), -1, true), in(whole(3), "n", 4)),
            of(Reduce.ArgMax.class, v -> argmax(v.get(0), 1), in(wholeOrNan(3), "n", 4)),
            of(Reduce.ArgMax.class, v -> argmax(v.get(0), new int[] {-1, 0}, true), in(wholeOrNan(3), "n", 3, 2)),
            of(Reduce.ArgMin.class, v -> argmin(v.get(0)), in(wholeOrNan(3), "n", 3, 2)),
            of(Reduce.ArgMin.class, v -> argmin(v.get(0), new int[] {}, true), in(wholeOrNan(3), "n", 3)),
            of(Reduce.Var.class, v -> var(v.get(0), new int[] {0, 2}, false, 1), in(ANY, "n", 3, 2)),
            of(Reduce.Var.class, v -> var(v.get(0), new int[] {}, false, 0), in(ANY, "n", 3)),
            of(Reduce.Std.class, v -> std(v.get(0), new int[] {-1}, true, 0), in(ANY, "n", 3, 4)),
            of(Scan.Cumsum.class, v -> cumsum(v.get(0), 1), in(ANY, "n", 4)),
            of(Linalg.MatMul.class, v -> matmul(v.get(0), v.get(1)), in(ANY, "n", 3), in(ANY, 3, 2)),
            of(Linalg.Transpose.class, v -> transpose(v.get(0), 2, 0, 1), in(ANY, "n", 3, 2)),
            of(Linalg.Gemm.class, v -> gemm(v.get(0), v.get(1), v.get(2), false, true, 0.3), in(ANY, "n", 3), in(ANY, 2, 3), in(ANY, 2)),
            of(Linalg.Gemm.class, v -> scaledGemm(v.get(0), v.get(1), v.get(2), v.get(3), true, false, -2), in(ANY, 3, "n"), in(ANY, 3, 2),
                    in(ANY), in(ANY, 2)),
            of(Linalg.Dot.class, v -> vdot(v.get(0), v.get(1)), in(ANY, "n", 3), in(ANY, "n", 3)),
            of(Shaping.ExpandDims.class, v -> expandDims(v.get(0), 1), in(ANY, "n", 3)),
            of(Shaping.Squeeze.class, v -> squeeze(v.get(0), 1), in(ANY, "n", 1, 3)),
            of(Shaping.Reshape.class, v -> reshape(v.get(0), -1, 6), in(ANY, "n", 2, 3)),
            of(Shaping.ReshapeLike.class, v -> reshape(v.get(0), v.get(1)), in(ANY, "n", 6), in(ANY, "n", 2, 3)),
            of(Shaping.BroadcastTo.class, v -> broadcastTo(v.get(0), 2, 3), in(ANY, 3)),
            of(Broadcasting.BroadcastLike.class, v -> broadcastTo(v.get(0), v.get(1)), in(ANY, 3), in(ANY, "n", 3)),
            of(Broadcasting.SumTo.class, v -> sumTo(v.get(0), v.get(1).type()), in(ANY, 2, "n", 3), in(ANY, "n", 1)),
            of(Shaping.Concat.class, v -> concat(v, 1), in(ANY, "n", 3), in(ANY, "n", 2)),
            of(Shaping.StridedSlice.class, v -> slice(v.get(0), Slice.all(), Slice.range(null, 0, -2), Slice.index(-1)), in(ANY, "n", 5, 2)),
            of(FillLike.class, v -> fill(v.get(0), 2.5), in(ANY, "n", 3)),
            of(Remap.Flip.class, v -> flip(v.get(0), 0, 1), in(ANY, "n", 3)),
            of(Remap.Tile.class, v -> tile(v.get(0), 2, 1, 3), in(ANY, "n", 2)),
            of(Remap.Pad.class, v -> pad(v.get(0), new int[][] {{0, 0}, {1, 2}}, -1.5), in(ANY, "n", 3)),
            of(Remap.PadReflect.class, v -> padReflect(v.get(0), new int[][] {{0, 0}, {2, 1}}), in(ANY, "n", 3)),
            of(Remap.Tril.class, v -> tril(v.get(0), 1), in(ANY, "n", 3, 4)),
            of(Remap.Triu.class, v -> triu(v.get(0), -1), in(ANY, "n", 3, 4)),
            of(Gather.TakeAlongAxis.class, v -> takeAlongAxis(v.get(0), v.get(1), 1), in(ANY, "n", 4), in(whole(-4, 4), "n", 3)),
            // x broadcast along the batch, the indices along the last axis
            of(Gather.TakeAlongAxis.class, v -> takeAlongAxis(v.get(0), v.get(1), -2), in(ANY, 1, 5, 2), in(whole(-5, 5), "n", 3, 1)),
            of(Shaping.OneHot.class, v -> oneHot(v.get(0), 4), in(whole(4), "n", 2)),
            of(Gather.Take.class, v -> take(v.get(0), v.get(1), 1), in(ANY, "n", 4), in(whole(4), 2, 3)),
            unary(StopGradient.class, x -> stopGradient(x)),
            unary(Gradients.GradClip.class, x -> gradClip(x, -1, 1)),
            unary(Gradients.GradScale.class, x -> gradScale(x, -1)),
            of(Neural.Softmax.class, v -> softmax(v.get(0), 0), in(uniform(-30, 30), "n", 3)),
            of(Neural.Softmax.class, v -> softmax(v.get(0), null), in(uniform(-30, 30), "n", 3)),
            of(Neural.LogSoftmax.class, v -> logSoftmax(v.get(0), -1), in(uniform(-30, 30), "n", 3)),
            of(Neural.LogSoftmax.class, v -> logSoftmax(v.get(0), null), in(uniform(-30, 30), "n", 2, 3)),
            of(Neural.SoftmaxCrossEntropy.class, v -> softmaxCrossEntropy(v.get(0), v.get(1)), in(ANY, "n", 4), in(uniform(0, 1), "n", 4)),
            of(Neural.CrossEntropy.class, v -> crossEntropy(v.get(0), v.get(1), 0.1, 2, false), in(uniform(-30, 30), "n", 4),
                    in(whole(4), "n")),
            of(Neural.CrossEntropy.class, v -> crossEntropy(v.get(0), v.get(1), 0, -100, false), in(uniform(-30, 30), "n", 2, 3),
                    in(whole(3), "n", 2)),
            // the mean over the rows not ignored, which Labelled counts
            of(Neural.Labelled.class, v -> crossEntropy(v.get(0), v.get(1), 0, 1, true), in(uniform(-30, 30), "n", 3), in(whole(3), "n")),
            of(Gather.Nll.class, v -> nll(v.get(0), v.get(1), 0, false), in(uniform(-5, 0), "n", 3), in(whole(3), "n")),
            of(Neural.BinaryCrossEntropy.class, v -> binaryCrossEntropy(v.get(0), v.get(1)), in(TARGETS, "n", 3), in(TARGETS, "n", 3)),
            of(Neural.BceWithLogits.class, v -> bceWithLogits(v.get(0), v.get(1)), in(uniform(-30, 30), "n", 3), in(TARGETS, "n", 3)),
            of(Neural.ReluGrad.class, v -> reluGrad(v.get(0), v.get(1)), in(ANY, "n", 3), in(ANY, "n", 3)),
            of(Conv.Conv2d.class, v -> conv2d(v.get(0), v.get(1), new Conv.Spec(2, 1, 1, 0, 2, 1, 1, 2, 2)),
                    in(ANY, "n", 4, 6, 7), in(ANY, 6, 2, 3, 2)),
            of(Conv.ConvTranspose2d.class, v -> convTranspose2d(v.get(0), v.get(1), new Conv.Spec(2, 3, 1, 1, 0, 0, 1, 1, 1), 6, 8),
                    in(ANY, "n", 2, 3, 3), in(ANY, 2, 3, 3, 2)),
            of(Pool.MaxPool2d.class, v -> maxPool2d(v.get(0), new Pool.Window(3, 2, 2, 1, 1, 1, 1, 2)), in(ANY, "n", 2, 6, 7)),
            of(Pool.AvgPool2d.class, v -> avgPool2d(v.get(0), new Pool.Window(3, 3, 2, 2, 1, 1, 1, 1), false), in(ANY, "n", 2, 6, 7)));

    /**
     * The ops whose output elements are sums of several terms, which ONNX Runtime adds in another
     * order: their errors are measured against the larger of the output's largest element and the
     * largest the op gives on the operands' magnitudes.
     */
    static final Set<String> SUMS = Set.of("Sum", "Mean", "Var", "Std", "LogSumExp", "Prod", "Cumsum", "MatMul", "Gemm", "Dot", "SumTo", "Softmax",
            "LogSoftmax", "SoftmaxCrossEntropy", "CrossEntropy", "Labelled", "Conv2d", "ConvTranspose2d", "AvgPool2d");

    /** The ops whose f64 kernels ONNX Runtime's CPU provider lacks: they run there in f32 only. */
    static final Set<String> F32_ONLY = new TreeSet<>(Set.of("Acosh", "Asinh", "Atan", "Atanh", "AvgPool2d", "Conv2d", "ConvTranspose2d",
            "Cos", "Cosh", "Erf", "Sinh", "Softplus", "Mish", "BceWithLogits", "Softsign", "Tan"));

    @Example
    void theCasesCoverEveryOpThatExports() {
        var covered = new LinkedHashSet<Class<?>>();
        for (Case c : CASES) covered.add(c.op());
        assertEquals(Lowerings.RULES.keySet(), covered);
    }

    @Property(tries = 400)
    void onnxRuntimeComputesWhatGraftDoes(@ForAll("cases") Case c, @ForAll("dtypes") DType dtype, @ForAll long seed) {
        if (dtype == DType.F64 && F32_ONLY.contains(c.toString())) dtype = DType.F32;
        check(c, dtype, new SplittableRandom(seed));
    }

    /** ONNX Runtime refuses the f64 models of exactly the ops {@link #F32_ONLY} names, so that the list says what it does. */
    @Example
    void onnxRuntimeRunsInF64AllButTheF32OnlyOps() {
        var refused = new TreeSet<String>();
        for (Case c : CASES) {
            try {
                check(c, DType.F64, new SplittableRandom(1));
            } catch (AssertionError e) {
                if (!e.getMessage().contains("ORT_NOT_IMPLEMENTED")) throw e;
                refused.add(c.toString());
            }
        }
        assertEquals(F32_ONLY, refused);
    }

    /** Exact gelu loses its digits for x < 0 in what ONNX can write: an error that points at the form that exports. */
    @Example
    void exactGeluIsAnErrorThatNamesTheFormThatExports() {
        var x = new Input("x", Type.of(DType.F32, "n", 3));
        var e = assertThrows(org.graft.core.GraftException.class, () -> Onnx.export("gelu", List.of(x), Map.of("y", gelu(x)), Options.NONE));
        assertTrue(e.getMessage().contains("cannot export to ONNX: gelu(x) (approximate = false) has no ONNX equivalent"), e.getMessage());
        assertTrue(e.getMessage().contains("gelu(x, approximate = true) exports"), e.getMessage());
    }

    /**
     * A label or an index that Graft rejects, ONNX Runtime rejects too: one past either end, one
     * that is not whole (NaN too) and, for a label, a negative one, which NumPy's indices would
     * count from the end.
     */
    @Example
    void aLabelOrIndexThatGraftRejectsOnnxRuntimeRejects() {
        var z = new Input("z", Type.of(DType.F64, "n", 4));
        var l = new Input("l", Type.of(DType.F64, "n"));
        var readers = List.of(crossEntropy(z, l, 0.1, -100, false), nll(z, l, -100, false), oneHot(l, 4));
        Tensor logits = Tensor.of(new double[] {1, 2, 3, 4}, 1, 4);
        for (Node reader : readers) {
            var inputs = reader.inputs().size() == 2 ? List.of(z, l) : List.of(l);
            byte[] model = Onnx.export("labels", inputs, Map.of("y", reader), Options.NONE);
            for (double bad : new double[] {4, -1, 1.5, Double.NaN}) {
                var feeds = new LinkedHashMap<String, Tensor>(Map.of("l", Tensor.of(new double[] {bad}, 1)));
                if (inputs.size() == 2) feeds.put("z", logits);
                assertRejected(model, feeds, reader + " of label " + bad);
            }
        }
        var i = new Input("i", Type.of(DType.F64, "n", 2));
        byte[] model = Onnx.export("take_along_axis", List.of(z, i), Map.of("y", takeAlongAxis(z, i, 1)), Options.NONE);
        for (double bad : new double[] {4, -5, 1.5, Double.NaN}) {
            assertRejected(model, Map.of("z", logits, "i", Tensor.of(new double[] {bad, 0}, 1, 2)), "take_along_axis at " + bad);
        }
        var j = new Input("j", Type.of(DType.F64, 2));
        byte[] taking = Onnx.export("take", List.of(z, j), Map.of("y", take(z, j, 1)), Options.NONE);
        for (double bad : new double[] {4, -5, 1.5, Double.NaN}) {
            assertRejected(taking, Map.of("z", logits, "j", Tensor.of(new double[] {bad, 0}, 2)), "take at " + bad);
        }
    }

    private static void assertRejected(byte[] model, Map<String, Tensor> feeds, String what) {
        for (boolean optimize : new boolean[] {false, true}) {
            var e = assertThrows(AssertionError.class, () -> OnnxRuntime.run(model, feeds, optimize), what);
            assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("out of"), what + ": " + e.getMessage());
        }
    }

    static void check(Case c, DType dtype, SplittableRandom random) {
        int n = 1 + random.nextInt(4);
        var inputs = new ArrayList<Input>();
        var feeds = new LinkedHashMap<String, Tensor>();
        var values = new LinkedHashMap<Input, Tensor>();
        for (Operand o : c.operands()) {
            String name = "x" + inputs.size();
            Input in = new Input(name, Type.of(dtype, o.dims().toArray()));
            int[] dims = o.dims().stream().mapToInt(d -> d.equals("n") ? n : (Integer) d).toArray();
            Tensor t = o.feed().draw(dtype, Shape.of(dims), random);
            inputs.add(in);
            feeds.put(name, t);
            values.put(in, t);
        }
        Node y = c.build().apply(List.copyOf(inputs));
        byte[] model = Onnx.export(c.toString(), inputs, Map.of("y", y), Options.NONE);
        OnnxRuntime.keep(c + "-" + dtype, model);
        var function = Compiler.compile(inputs, List.of(y), Options.NONE);
        Tensor expected = function.call(values).get(0);
        // a sum that cancels keeps the digits of its terms, not of its result: the same sums of the
        // operands' magnitudes bound the terms (Σ|a_i b_i| for a dot product); only sums, whose
        // operands have no negative indices to lose
        double terms = 0;
        if (SUMS.contains(c.toString())) {
            var magnitudes = new LinkedHashMap<Input, Tensor>();
            values.forEach((in, t) -> magnitudes.put(in, t.map(Math::abs)));
            terms = Agreement.largest(function.call(magnitudes).get(0));
        }
        var readFeeds = new LinkedHashMap<String, Tensor>();
        for (Input in : inputs) {
            if (org.graft.core.Graph.topologicalOrder(List.of(y)).contains(in)) readFeeds.put(in.label(), feeds.get(in.label()));
        }
        for (boolean optimize : new boolean[] {false, true}) {
            Tensor actual = OnnxRuntime.run(model, readFeeds, optimize).get("y");
            double floor = SUMS.contains(c.toString()) ? Math.max(Agreement.largest(expected), terms)
                    : dtype == DType.F32 && c.op() == Unary.Sigmoid.class ? 0.5 : Agreement.largest(expected) / 1000;
            Agreement.assertAgrees(expected, actual, c + " in " + dtype + (optimize ? " (optimized)" : ""), floor);
        }
    }

    @Provide
    Arbitrary<Case> cases() { return Arbitraries.of(CASES); }

    @Provide
    Arbitrary<DType> dtypes() { return Arbitraries.of(DType.F64, DType.F32); }
}
