package org.graft.onnx;

import static org.graft.onnx.Attributes.i;
import static org.graft.onnx.Attributes.ints;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graft.core.Dim;
import org.graft.core.Type;
import org.graft.core.ops.Add;
import org.graft.core.ops.Broadcasting;
import org.graft.core.ops.FillLike;
import org.graft.core.ops.StopGradient;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.onnx.Lowering.Rule;
import org.graft.onnx.proto.OnnxProtos.TensorProto;
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
 * Every Graft op that ONNX (opset {@value Onnx#OPSET}) computes, with the ONNX op(s) it becomes:
 * the one table the exporter reads and {@code docs/onnx.md} shows. An op is written with ONNX's
 * own op where it has one of the same math; where ONNX has none, with ops that compute the same
 * formula Graft's kernel does (a {@code square} is {@code Mul(x, x)}). An op with neither is not
 * here: exporting it is an error naming it and where the program wrote it, never a graph that
 * computes something else.
 */
final class Lowerings {
    private Lowerings() {}

    /** ONNX's largest int64, a Slice's end that runs past the end of any axis. */
    private static final long PAST_END = Long.MAX_VALUE;

    static final Map<Class<?>, Rule> RULES = rules();

    private static Map<Class<?>, Rule> rules() {
        var r = new LinkedHashMap<Class<?>, Rule>();

        // ---- elementwise, one input: ONNX's op of the same name
        same(r, Unary.Neg.class, "Neg");
        same(r, Unary.Exp.class, "Exp");
        same(r, Unary.Log.class, "Log");
        same(r, Unary.Sqrt.class, "Sqrt");
        r.put(Unary.Square.class, new Rule("`Mul(x, x)`", w -> w.node("Mul", w.in(0), w.in(0))));
        same(r, Unary.Reciprocal.class, "Reciprocal");
        same(r, Unary.Abs.class, "Abs");
        same(r, Unary.Sign.class, "Sign");
        same(r, Unary.Sigmoid.class, "Sigmoid");
        same(r, Unary.Softplus.class, "Softplus");
        same(r, Unary.Tanh.class, "Tanh");
        same(r, Unary.Relu.class, "Relu");
        same(r, Unary.Sin.class, "Sin");
        same(r, Unary.Cos.class, "Cos");
        same(r, Unary.Erf.class, "Erf");
        same(r, Unary.Sinh.class, "Sinh");
        same(r, Unary.Cosh.class, "Cosh");
        same(r, Unary.Tan.class, "Tan");
        same(r, Unary.Asinh.class, "Asinh");
        same(r, Unary.Acosh.class, "Acosh");
        same(r, Unary.Atanh.class, "Atanh");
        same(r, Unary.Atan.class, "Atan");
        same(r, Unary.Floor.class, "Floor");
        same(r, Unary.Ceil.class, "Ceil");
        same(r, Unary.Round.class, "Round");   // ties to even in both
        r.put(Unary.IsNan.class, new Rule("`Cast(IsNaN(x))`", w -> w.fromBool(w.node("IsNaN", w.in(0)))));
        r.put(Unary.IsInf.class, new Rule("`Cast(IsInf(x))`", w -> w.fromBool(w.node("IsInf", w.in(0)))));
        r.put(Unary.IsFinite.class, new Rule("`Cast(Not(Or(IsNaN(x), IsInf(x))))`",
                w -> w.fromBool(w.node("Not", w.node("Or", w.node("IsNaN", w.in(0)), w.node("IsInf", w.in(0)))))));
        r.put(Unary.NanToNum.class, new Rule("`Where(IsNaN(x), nan, Where(IsInf(x, +), posinf, Where(IsInf(x, -), neginf, x)))`", w -> {
            var op = (Unary.NanToNum) w.lowering().op();
            double largest = w.dtype() == DType.F32 ? Float.MAX_VALUE : Double.MAX_VALUE;
            String x = w.in(0);
            String negative = w.node("Where", w.node("IsInf", List.of(x), i("detect_positive", 0)),
                    w.scalar(op.neginf() != null ? op.neginf() : -largest), x);
            String infinite = w.node("Where", w.node("IsInf", List.of(x), i("detect_negative", 0)),
                    w.scalar(op.posinf() != null ? op.posinf() : largest), negative);
            return w.node("Where", w.node("IsNaN", x), w.scalar(op.nan()), infinite);
        }));

        // ---- activations: their formulas, in the operands' dtype (ONNX's attributes are f32, so
        // LeakyRelu's alpha = 0.01 would not be an f64 model's 0.01)
        r.put(Activation.LeakyRelu.class, new Rule("`Where(Greater(x, 0), x, Mul(x, alpha))`", w -> {
            var op = (Activation.LeakyRelu) w.lowering().op();
            return w.node("Where", w.node("Greater", w.in(0), w.scalar(0)), w.in(0), w.node("Mul", w.in(0), w.scalar(op.alpha())));
        }));
        r.put(Activation.HardSigmoid.class, new Rule("`Div(Clip(Add(x, 3), 0, 6), 6)`",
                w -> w.node("Div", w.node("Clip", w.node("Add", w.in(0), w.scalar(3)), w.scalar(0), w.scalar(6)), w.scalar(6))));
        r.put(Activation.HardTanh.class, new Rule("`Clip(x, min_val, max_val)`", w -> {
            var op = (Activation.HardTanh) w.lowering().op();
            return w.node("Clip", w.in(0), w.scalar(op.minVal()), w.scalar(op.maxVal()));
        }));
        same(r, Activation.Softsign.class, "Softsign");
        r.put(Activation.Mish.class, new Rule("`Mul(x, Tanh(Softplus(x)))` (ORT has no f64 `Softplus`), -0 at -inf (Graft's limit, "
                + "not -inf · 0)", w -> limitAtMinusInf(w, w.in(0), w.node("Mul", w.in(0), w.node("Tanh", w.node("Softplus", w.in(0)))), w.dtype())));
        r.put(Activation.Silu.class, new Rule("`Div(x, Add(1, Exp(Neg(x))))`, x σ(x) (ONNX Runtime's f32 `Sigmoid` is good to ulps "
                + "of 0.5, not of its result; its `Exp` to its result's), -0 at -inf (Graft's limit, not -inf / inf)",
                w -> timesSigmoid(w, w.in(0), w.in(0), 1, w.dtype())));
        r.put(Activation.Gelu.class, new Rule("`approximate = true`: Graft's x σ(2u), 2u = 2√(2/π)(x + 0.044715 x³), as "
                + "`Div(x, Add(1, Exp(Mul(-2√(2/π), Add(x, Mul(Mul(Mul(0.044715, x), x), x))))))`, in f64 between `Cast`s in an f32 "
                + "model, as Graft's kernel (f32 roundings of 2u would cost \\|2u\\| ulps of σ). The exact form is an error: ONNX has no "
                + "`Erfc`, ½ x (1 + `Erf`(x/√2)) cancels for x < 0 (at x = -3 an f32 ulp of erf is 2e-5 of 1 + erf), and ORT has no "
                + "f64 `Erf`", w -> {
            var op = (Activation.Gelu) w.lowering().op();
            if (!op.approximate()) {
                throw unsupported(w, "gelu(x) (approximate = false) has no ONNX equivalent at opset " + Onnx.OPSET + " that keeps its "
                        + "digits for x < 0, where ½ x (1 + erf(x/√2)) cancels; gelu(x, approximate = true) exports");
            }
            // in f64 whatever the model's dtype, as Graft's kernel: f32 roundings of 2u would cost |2u| ulps of σ(2u), 38 at x = -8
            DType f64 = DType.F64;
            String x = w.dtype() == f64 ? w.in(0) : w.cast(w.in(0), f64);
            // CUBIC x x x as Graft's kernel multiplies it, left to right
            String cube = w.node("Mul", w.node("Mul", w.node("Mul", w.scalar(GELU_CUBIC, f64), x), x), x);
            String y = timesSigmoid(w, x, w.node("Add", x, cube), GELU_TWICE_K, f64);
            return w.dtype() == f64 ? y : w.cast(y, w.dtype());
        }));

        // ---- two and three inputs; ONNX broadcasts as NumPy does
        r.put(Add.class, new Rule("`Add`", w -> w.node("Add", w.in(0), w.in(1))));
        same(r, Binary.Sub.class, "Sub");
        same(r, Binary.Mul.class, "Mul");
        same(r, Binary.Div.class, "Div");
        same(r, Binary.Pow.class, "Pow");
        r.put(Binary.Maximum.class, new Rule("`Max`", w -> w.node("Max", w.in(0), w.in(1))));
        r.put(Binary.Minimum.class, new Rule("`Min`", w -> w.node("Min", w.in(0), w.in(1))));
        r.put(Binary.Fmod.class, new Rule("`Mod` with `fmod = 1`", w -> w.node("Mod", List.of(w.in(0), w.in(1)), i("fmod", 1))));
        compare(r, Compare.Less.class, "Less");
        compare(r, Compare.LessEqual.class, "LessOrEqual");
        compare(r, Compare.Greater.class, "Greater");
        compare(r, Compare.GreaterEqual.class, "GreaterOrEqual");
        compare(r, Compare.Equal.class, "Equal");
        r.put(Compare.NotEqual.class, new Rule("`Cast(Not(Equal(a, b)))`",
                w -> w.fromBool(w.node("Not", w.node("Equal", w.in(0), w.in(1))))));
        // c ≠ 0 is what Graft's where tests; a NaN condition chooses a in both
        r.put(Ternary.Where.class, new Rule("`Where(Not(Equal(c, 0)), a, b)`",
                w -> w.node("Where", w.node("Not", w.node("Equal", w.in(0), w.scalar(0))), w.in(1), w.in(2))));
        // ONNX's Clip takes scalar bounds; Graft's broadcast, so min(max(x, lo), hi) as Graft computes it
        r.put(Ternary.Clip.class, new Rule("`Min(Max(x, lo), hi)`", w -> w.node("Min", w.node("Max", w.in(0), w.in(1)), w.in(2))));

        // ---- reductions: opset 17 takes ReduceSum's axes as an input, the others' as an attribute; no axes reduce nothing in
        // Graft (the builder passes every axis for a reduction to a scalar) but every axis in ONNX, so they are an Identity
        r.put(Reduce.Sum.class, new Rule("`ReduceSum`", w -> {
            var op = (Reduce) w.lowering().op();
            if (op.axes().isEmpty()) return w.node("Identity", w.in(0));
            return w.node("ReduceSum", List.of(w.in(0), w.int64s(longs(op.axes()))), i("keepdims", op.keepdims() ? 1 : 0));
        }));
        reduce(r, Reduce.Mean.class, "ReduceMean");
        reduce(r, Reduce.Max.class, "ReduceMax");
        reduce(r, Reduce.Min.class, "ReduceMin");
        reduce(r, Reduce.LogSumExp.class, "ReduceLogSumExp");
        reduce(r, Reduce.Prod.class, "ReduceProd");
        r.put(Reduce.Var.class, new Rule("`Div(ReduceSum(Mul(d, d)), max(N - ddof, 0))`, d = `Sub(x, ReduceMean(x))`: Graft's "
                + "two passes; N from `Shape(x)` where a reduced dim is symbolic", w -> moment(w, ((Reduce.Var) w.lowering().op()).ddof(), false)));
        r.put(Reduce.Std.class, new Rule("`Sqrt` of `var`'s", w -> moment(w, ((Reduce.Std) w.lowering().op()).ddof(), true)));
        arg(r, Reduce.ArgMax.class, "ArgMax");
        arg(r, Reduce.ArgMin.class, "ArgMin");
        r.put(Scan.Cumsum.class, new Rule("`CumSum`", w -> {
            var op = (Scan.Cumsum) w.lowering().op();
            return w.node("CumSum", List.of(w.in(0), w.int64s(op.axis())), i("reverse", op.reverse() ? 1 : 0));
        }));

        // ---- linear algebra
        r.put(Linalg.MatMul.class, new Rule("`MatMul`", w -> w.node("MatMul", w.in(0), w.in(1))));
        r.put(Linalg.Transpose.class, new Rule("`Transpose`", w -> {
            var op = (Linalg.Transpose) w.lowering().op();
            return w.node("Transpose", List.of(w.in(0)), ints("perm", longs(op.perm())));
        }));
        r.put(Linalg.Gemm.class, new Rule("`Gemm` (`alpha`, `transA`, `transB`; the bias as `C`)", Lowerings::gemm));
        r.put(Linalg.Dot.class, new Rule("`ReduceSum(Mul(x, y))` over every axis", w -> {
            String product = w.node("Mul", w.in(0), w.in(1));
            return w.node("ReduceSum", List.of(product, w.int64s()), i("keepdims", 0), i("noop_with_empty_axes", 0));
        }));

        // ---- shapes
        r.put(Shaping.ExpandDims.class, new Rule("`Unsqueeze`", w -> {
            var op = (Shaping.ExpandDims) w.lowering().op();
            return w.node("Unsqueeze", w.in(0), w.int64s(longs(op.axes())));
        }));
        r.put(Shaping.Squeeze.class, new Rule("`Squeeze`", w -> {
            var op = (Shaping.Squeeze) w.lowering().op();
            return op.axes().isEmpty() ? w.node("Identity", w.in(0)) : w.node("Squeeze", w.in(0), w.int64s(longs(op.axes())));
        }));
        r.put(Shaping.Reshape.class, new Rule("`Reshape` (`allowzero = 1`)", w -> reshape(w, w.lowering().type())));
        r.put(Shaping.ReshapeLike.class, new Rule("`Reshape(x, Shape(like))`",
                w -> w.node("Reshape", w.in(0), w.node("Shape", w.in(1)))));
        r.put(Shaping.BroadcastTo.class, new Rule("`Expand`", w -> {
            var op = (Shaping.BroadcastTo) w.lowering().op();
            return w.node("Expand", w.in(0), w.int64s(longs(op.dims())));
        }));
        r.put(Broadcasting.BroadcastLike.class, new Rule("`Expand(x, Shape(like))`",
                w -> w.node("Expand", w.in(0), w.node("Shape", w.in(1)))));
        r.put(Broadcasting.SumTo.class, new Rule("`ReduceSum` over the broadcast axes, then `Squeeze`", Lowerings::sumTo));
        r.put(Shaping.Concat.class, new Rule("`Concat`", w -> {
            var op = (Shaping.Concat) w.lowering().op();
            return w.node("Concat", w.ins(), i("axis", op.axis()));
        }));
        r.put(Shaping.StridedSlice.class, new Rule("`Slice`, then `Squeeze` for an integer index", Lowerings::slice));
        r.put(FillLike.class, new Rule("`ConstantOfShape(Shape(x))`", w -> {
            var op = (FillLike) w.lowering().op();
            TensorProto value = GraphWriter.tensor("value", Tensor.of(w.dtype(), Shape.of(1), new double[] {op.value()}), w.dtype());
            return w.node("ConstantOfShape", List.of(w.node("Shape", w.in(0))), Attributes.t("value", value));
        }));
        r.put(Remap.Flip.class, new Rule("`Slice` with step -1", w -> {
            var op = (Remap.Flip) w.lowering().op();
            int n = op.axes().size();
            long[] starts = new long[n], ends = new long[n], steps = new long[n];
            java.util.Arrays.fill(starts, -1);
            java.util.Arrays.fill(ends, Long.MIN_VALUE);
            java.util.Arrays.fill(steps, -1);
            return w.node("Slice", w.in(0), w.int64s(starts), w.int64s(ends), w.int64s(longs(op.axes())), w.int64s(steps));
        }));
        r.put(Remap.Tile.class, new Rule("`Tile` (x given leading axes of size 1 where reps are more)", w -> {
            var op = (Remap.Tile) w.lowering().op();
            int rank = w.lowering().inputs().get(0).type().rank(), more = op.reps().size() - rank;
            String x = w.in(0);
            if (more > 0) x = w.node("Unsqueeze", x, w.int64s(java.util.stream.LongStream.range(0, more).toArray()));
            // fewer reps than axes apply to the last ones, as NumPy's
            long[] reps = new long[Math.max(rank, op.reps().size())];
            java.util.Arrays.fill(reps, 1);
            for (int k = 0; k < op.reps().size(); k++) reps[reps.length - op.reps().size() + k] = op.reps().get(k);
            return w.node("Tile", x, w.int64s(reps));
        }));
        r.put(Remap.Pad.class, new Rule("`Pad` (`constant`)", w -> {
            var op = (Remap.Pad) w.lowering().op();
            return w.node("Pad", List.of(w.in(0), w.int64s(pads(op.widths())), w.scalar(op.value())), Attributes.s("mode", "constant"));
        }));
        r.put(Remap.PadReflect.class, new Rule("`Pad` (`reflect`)", w -> {
            var op = (Remap.PadReflect) w.lowering().op();
            return w.node("Pad", List.of(w.in(0), w.int64s(pads(op.widths()))), Attributes.s("mode", "reflect"));
        }));
        r.put(Remap.Tril.class, new Rule("`Trilu` (`upper = 0`)", w ->
                w.node("Trilu", List.of(w.in(0), w.int64s(((Remap.Tril) w.lowering().op()).k())), i("upper", 0))));
        r.put(Remap.Triu.class, new Rule("`Trilu` (`upper = 1`)", w ->
                w.node("Trilu", List.of(w.in(0), w.int64s(((Remap.Triu) w.lowering().op()).k())), i("upper", 1))));
        r.put(Gather.TakeAlongAxis.class, new Rule("`GatherElements` of the indices cast to int64 (negative ones count from the end "
                + "in both), after `Expand`s where the other axes broadcast; an index out of range or not whole is ORT's error as "
                + "Graft's (one not whole is made out of range)", Lowerings::takeAlongAxis));
        // the label read back through a Gather of the classes, so that one that is no class is ORT's error, as Graft's, not a row of zeros
        r.put(Shaping.OneHot.class, new Rule("`Cast(Equal(Unsqueeze(Gather(c, labels), -1), c))`, c = [0, 1, ..., k - 1]: through "
                + "the `Gather`, a label that is no class in [0, k) is ORT's error, as Graft's", w -> {
            int k = ((Shaping.OneHot) w.lowering().op()).k();
            double[] values = java.util.stream.IntStream.range(0, k).asDoubleStream().toArray();
            String classes = w.initializer("classes", Tensor.of(w.dtype(), Shape.of(k), values), w.dtype());
            String labels = w.node("Gather", List.of(classes, positions(w, w.in(0), w.dtype(), false)), i("axis", 0));
            return w.fromBool(w.node("Equal", w.node("Unsqueeze", labels, w.int64s(-1)), classes));
        }));
        r.put(Gather.Take.class, new Rule("`Gather` of the indices cast to int64 (one index array; negative ones count from "
                + "the end in both); an index out of range or not whole is ORT's error as Graft's (one not whole is made out of range)", w -> {
            var op = (Gather.Take) w.lowering().op();
            if (w.lowering().inputs().size() != 2) throw unsupported(w, "take with several index arrays (x[i, j]) has no ONNX equivalent");
            String indices = positions(w, w.in(1), w.lowering().inputs().get(1).type().dtype(), true);
            return w.node("Gather", List.of(w.in(0), indices), i("axis", op.axis()));
        }));
        r.put(StopGradient.class, new Rule("`Identity`", w -> w.node("Identity", w.in(0))));
        r.put(Gradients.GradClip.class, new Rule("`Identity`", w -> w.node("Identity", w.in(0))));
        r.put(Gradients.GradScale.class, new Rule("`Identity`", w -> w.node("Identity", w.in(0))));

        // ---- neural: softmax and log_softmax along one axis, as opset 13 and later define them
        r.put(Neural.Softmax.class, new Rule("`Softmax`; `axis = none`: of x reshaped to `[1, -1]`, reshaped back to `Shape(x)`",
                w -> normalized(w, "Softmax", ((Neural.Softmax) w.lowering().op()).axis())));
        r.put(Neural.LogSoftmax.class, new Rule("`LogSoftmax`; `axis = none` as `softmax`'s",
                w -> normalized(w, "LogSoftmax", ((Neural.LogSoftmax) w.lowering().op()).axis())));
        r.put(Neural.SoftmaxCrossEntropy.class, new Rule("`Neg(ReduceSum(Mul(t, LogSoftmax(z)), axes = [-1]))`", w -> {
            String terms = w.node("Mul", w.in(1), w.node("LogSoftmax", List.of(w.in(0)), i("axis", -1)));
            return w.node("Neg", w.node("ReduceSum", List.of(terms, w.int64s(-1)), i("keepdims", 0)));
        }));
        r.put(Neural.CrossEntropy.class, new Rule("per row `Neg(GatherElements(LogSoftmax(z), label))`, with ε: (1 - ε) that + "
                + "(ε/k) `Neg(ReduceSum(LogSoftmax(z)))`; 0 where `Equal(label, ignore_index)`; `reduce` as Graft's graph divides "
                + "(`Sum`, `Labelled`). A label that is no class in [0, k) is ORT's error, as Graft's. In f64 between `Cast`s in an f32 model, as Graft's kernel (ORT's f32 `LogSoftmax` "
                + "rounds a confident right answer's cost, 6.8e-10 at a margin of 21, to 0)", w -> {
            var op = (Neural.CrossEntropy) w.lowering().op();
            // in f64 whatever the model's dtype, as Graft's kernel: ORT's f32 LogSoftmax rounds log(1 + e^-21) to 0, the cost of a
            // confident right answer, 6.8e-10
            DType f64 = DType.F64;
            String z = w.dtype() == f64 ? w.in(0) : w.cast(w.in(0), f64);
            String logProbs = w.node("LogSoftmax", List.of(z), i("axis", -1));
            String value = w.node("Neg", pick(w, logProbs, op.ignoreIndex()));
            if (op.labelSmoothing() != 0) {
                int k = ((Dim.Size) w.lowering().inputs().get(0).type().dim(-1)).n();
                String spread = w.node("Neg", w.node("ReduceSum", List.of(logProbs, w.int64s(-1)), i("keepdims", 0)));
                value = w.node("Add", w.node("Mul", w.scalar(1 - op.labelSmoothing(), f64), value),
                        w.node("Mul", w.scalar(op.labelSmoothing() / k, f64), spread));
            }
            String y = w.node("Where", ignored(w, op.ignoreIndex()), w.scalar(0, f64), value);
            return w.dtype() == f64 ? y : w.cast(y, w.dtype());
        }));
        r.put(Gather.Nll.class, new Rule("`Neg(GatherElements(x, label))`, 0 where `Equal(label, ignore_index)`; labels as "
                + "`cross_entropy`'s", w -> {
            int ignore = ((Gather.Nll) w.lowering().op()).ignoreIndex();
            return unlessIgnored(w, ignore, w.node("Neg", pick(w, w.in(0), ignore)));
        }));
        r.put(Neural.Labelled.class, new Rule("(internal: the rows not ignored, which `reduce` divides by) `Cast(Not(Equal(labels, ignore_index)))`", w -> {
            int ignore = ((Neural.Labelled) w.lowering().op()).ignoreIndex();
            return w.fromBool(w.node("Not", ignored(w, ignore)));
        }));
        // Graft's f32 kernel works in f64 from the floats, where 1 - p is exact: so does the model
        r.put(Neural.BinaryCrossEntropy.class, new Rule("`Sub(0, Add(xlogy(t, p), xlogy(Sub(1, t), Sub(1, p))))`, xlogy(a, b) = "
                + "`Where(Equal(a, 0), 0, Mul(a, Log(b)))`; in f64 between `Cast`s in an f32 model, as Graft's kernel (1 - p is exact "
                + "there, where f32 rounds it)", w -> {
            DType f64 = DType.F64;
            String p = w.dtype() == f64 ? w.in(0) : w.cast(w.in(0), f64), t = w.dtype() == f64 ? w.in(1) : w.cast(w.in(1), f64);
            String one = w.scalar(1, f64);
            String sum = w.node("Add", xlogy(w, t, p), xlogy(w, w.node("Sub", one, t), w.node("Sub", one, p)));
            String y = w.node("Sub", w.scalar(0, f64), sum);
            return w.dtype() == f64 ? y : w.cast(y, w.dtype());
        }));
        r.put(Neural.BceWithLogits.class, new Rule("`Add(Mul(Sub(1, t), Softplus(z)), Mul(t, Softplus(Neg(z))))`, Graft's form (ORT has no f64 `Softplus`)",
                w -> w.node("Add", w.node("Mul", w.node("Sub", w.scalar(1), w.in(1)), w.node("Softplus", w.in(0))),
                        w.node("Mul", w.in(1), w.node("Softplus", w.node("Neg", w.in(0)))))));
        // relu's gradient, in a graph that outputs one: 0 rather than NaN where x is NaN
        r.put(Neural.ReluGrad.class, new Rule("`Mul(g, Cast(Greater(x, 0)))`",
                w -> w.node("Mul", w.in(1), w.fromBool(w.node("Greater", w.in(0), w.scalar(0))))));

        // ---- convolution and pooling, NCHW in both
        r.put(Conv.Conv2d.class, new Rule("`Conv`", w -> {
            var s = ((Conv.Conv2d) w.lowering().op()).spec();
            return w.node("Conv", List.of(w.in(0), w.in(1)), ints("strides", s.sh(), s.sw()),
                    ints("pads", s.top(), s.left(), s.bottom(), s.right()), ints("dilations", s.dh(), s.dw()), i("group", s.groups()));
        }));
        r.put(Conv.ConvTranspose2d.class, new Rule("`ConvTranspose` (`output_padding`)", w -> {
            var op = (Conv.ConvTranspose2d) w.lowering().op();
            var s = op.spec();
            return w.node("ConvTranspose", List.of(w.in(0), w.in(1)), ints("strides", s.sh(), s.sw()),
                    ints("pads", s.top(), s.left(), s.bottom(), s.right()), ints("dilations", s.dh(), s.dw()), i("group", s.groups()),
                    ints("output_padding", outputPadding(w, 2, s.sh(), s.top() + s.bottom(), s.dh(), op.h()),
                            outputPadding(w, 3, s.sw(), s.left() + s.right(), s.dw(), op.w())));
        }));
        r.put(Pool.MaxPool2d.class, new Rule("`MaxPool`", w -> {
            var p = ((Pool.MaxPool2d) w.lowering().op()).window();
            return w.node("MaxPool", List.of(w.in(0)), ints("kernel_shape", p.kh(), p.kw()), ints("strides", p.sh(), p.sw()),
                    ints("pads", p.ph(), p.pw(), p.ph(), p.pw()), ints("dilations", p.dh(), p.dw()));
        }));
        r.put(Pool.AvgPool2d.class, new Rule("`AveragePool` (`count_include_pad`)", w -> {
            var op = (Pool.AvgPool2d) w.lowering().op();
            var p = op.window();
            return w.node("AveragePool", List.of(w.in(0)), ints("kernel_shape", p.kh(), p.kw()), ints("strides", p.sh(), p.sw()),
                    ints("pads", p.ph(), p.pw(), p.ph(), p.pw()), i("count_include_pad", op.countPadding() ? 1 : 0));
        }));
        return r;
    }

    /** Gelu's cubic coefficient and 2√(2/π): the approximation is x σ(2u), 2u = 2√(2/π)(x + 0.044715 x³). */
    private static final double GELU_CUBIC = 0.044715, GELU_TWICE_K = 2 * Math.sqrt(2 / Math.PI);

    /**
     * x σ(k z) as x / (1 + e^(-k z)): ONNX Runtime's f32 Sigmoid is good to ulps of 0.5, not of its
     * result, which x σ(z) would carry into a result near 0; its Exp is good to its result's ulps.
     * Where e^(-k z) overflows, x / inf is 0 with x's sign, Graft's limit.
     */
    private static String timesSigmoid(GraphWriter w, String x, String z, double k, DType dtype) {
        String exp = w.node("Exp", k == 1 ? w.node("Neg", z) : w.node("Mul", w.scalar(-k, dtype), z));
        return limitAtMinusInf(w, x, w.node("Div", x, w.node("Add", w.scalar(1, dtype), exp)), dtype);
    }

    /** y = x g(x) with g → 0 as x → -inf: -0 at -inf, Graft's limit, where ONNX computes -inf · 0 = NaN. */
    private static String limitAtMinusInf(GraphWriter w, String x, String y, DType dtype) {
        return w.node("Where", w.node("IsInf", List.of(x), i("detect_positive", 0)), w.scalar(-0.0, dtype), y);
    }

    /**
     * var and std as Graft's kernel computes them, in two passes: the mean, then the sum of the
     * squared deviations, divided by max(N - ddof, 0). N is a number where the reduced dims are
     * known, else the product of x's dims there, read from its shape.
     */
    private static String moment(GraphWriter w, int ddof, boolean root) {
        var op = (Reduce) w.lowering().op();
        Type x = w.lowering().inputs().get(0).type();
        long[] axes = op.axes().stream().mapToLong(x::axis).toArray();
        // no axes reduce nothing (each element its own mean) where ONNX's empty axes would reduce every axis
        boolean none = axes.length == 0;
        String mean = none ? w.in(0) : w.node("ReduceMean", List.of(w.in(0)), ints("axes", axes), i("keepdims", 1));
        String deviation = w.node("Sub", w.in(0), mean), squared = w.node("Mul", deviation, deviation);
        String squares = none ? squared : w.node("ReduceSum", List.of(squared, w.int64s(axes)), i("keepdims", op.keepdims() ? 1 : 0));
        long n = 1;
        for (long a : axes) n = x.dim((int) a) instanceof Dim.Size s && n >= 0 ? n * s.n() : -1;
        String divisor;
        if (n >= 0) {
            divisor = w.scalar(Math.max(n - ddof, 0));
        } else {
            String dims = w.node("Gather", List.of(w.node("Shape", w.in(0)), w.int64s(axes)), i("axis", 0));
            String count = w.node("Cast", List.of(w.node("ReduceProd", List.of(dims), i("keepdims", 0))), i("to", GraphWriter.elementType(w.dtype())));
            divisor = w.node("Max", w.node("Sub", count, w.scalar(ddof)), w.scalar(0));
        }
        String v = w.node("Div", squares, divisor);
        return root ? w.node("Sqrt", v) : v;
    }

    /** Where a position that is none goes: -2^31, out of range for every Gather, exact in f32. */
    private static final double NO_POSITION = -0x1p31;

    /**
     * Indices or labels {@code v}, whole numbers in {@code dtype}, as int64 positions; one that is
     * not whole (NaN too), or a negative label ({@code !fromEnd}), as {@link #NO_POSITION}, which
     * ORT's Gather and GatherElements reject as they reject one past the end: where Graft's is
     * an error, ORT's is one too, not a position the Cast would make of it.
     */
    private static String positions(GraphWriter w, String v, DType dtype, boolean fromEnd) {
        String valid = w.node("Equal", w.node("Floor", v), v);
        if (!fromEnd) valid = w.node("And", valid, w.node("GreaterOrEqual", v, w.scalar(0, dtype)));
        return w.cast(w.node("Where", valid, v, w.scalar(NO_POSITION, dtype)), null);
    }

    /** Whether each label (input 1) is {@code ignore}, compared in the labels' dtype, which may not be the op's. */
    private static String ignored(GraphWriter w, int ignore) {
        return w.node("Equal", w.in(1), w.scalar(ignore, w.lowering().inputs().get(1).type().dtype()));
    }

    /** Each row of {@code rows} {@code [..., k]} at its label (input 1, {@code [...]}); an ignored label reads class 0, which {@link #unlessIgnored} drops. */
    private static String pick(GraphWriter w, String rows, int ignore) {
        DType labels = w.lowering().inputs().get(1).type().dtype();
        String classes = positions(w, w.node("Where", ignored(w, ignore), w.scalar(0, labels), w.in(1)), labels, false);
        String picked = w.node("GatherElements", List.of(rows, w.node("Unsqueeze", classes, w.int64s(-1))), i("axis", -1));
        return w.node("Squeeze", picked, w.int64s(-1));
    }

    /** {@code value}, and 0 on the rows whose label is {@code ignore}. */
    private static String unlessIgnored(GraphWriter w, int ignore, String value) {
        return w.node("Where", ignored(w, ignore), w.scalar(0), value);
    }

    /** x log y, and 0 where x is 0 (whatever y), in x's and y's dtype. */
    private static String xlogy(GraphWriter w, String x, String y) {
        return w.node("Where", w.node("Equal", x, w.scalar(0, DType.F64)), w.scalar(0, DType.F64), w.node("Mul", x, w.node("Log", y)));
    }

    /** The op of ONNX's of the same math, on the same operands. */
    private static void same(Map<Class<?>, Rule> r, Class<?> op, String onnx) {
        r.put(op, new Rule("`" + onnx + "`", w -> w.node(onnx, w.ins())));
    }

    /** A comparison: ONNX's gives booleans, Graft's 0 and 1 in the operands' dtype. */
    private static void compare(Map<Class<?>, Rule> r, Class<?> op, String onnx) {
        r.put(op, new Rule("`Cast(" + onnx + "(a, b))`", w -> w.fromBool(w.node(onnx, w.in(0), w.in(1)))));
    }

    /** A reduction whose axes opset 17 takes as an attribute. */
    private static void reduce(Map<Class<?>, Rule> r, Class<? extends Reduce> op, String onnx) {
        r.put(op, new Rule("`" + onnx + "`", w -> {
            var reduction = (Reduce) w.lowering().op();
            if (reduction.axes().isEmpty()) return w.node("Identity", w.in(0));
            return w.node(onnx, List.of(w.in(0)), ints("axes", longs(reduction.axes())), i("keepdims", reduction.keepdims() ? 1 : 0));
        }));
    }

    /**
     * argmax and argmin: ONNX's give int64 positions along one axis, Graft's the positions in the
     * operand's dtype, over several axes counted row-major over them: along one axis of x with
     * the reduced axes moved last and merged into one.
     */
    private static void arg(Map<Class<?>, Rule> r, Class<? extends Reduce> op, String onnx) {
        r.put(op, new Rule("`Cast(" + onnx + "(x))`; over several axes, of x transposed to put them last and reshaped to one, "
                + "Graft's row-major position over them; the first of ties in both, and the first NaN, `Where` `IsNaN` "
                + "finds one", w -> {
            var reduction = (Reduce) w.lowering().op();
            Type x = w.lowering().inputs().get(0).type();
            int[] axes = reduction.axes().stream().mapToInt(x::axis).sorted().toArray();
            int keep = reduction.keepdims() ? 1 : 0;
            if (axes.length == 1) return w.cast(firstNanOr(w, onnx, w.in(0), axes[0], keep), w.dtype());
            // [kept..., reduced...] -> [kept..., Π reduced]
            long[] perm = new long[x.rank()];
            int kept = 0;
            for (int k = 0; k < x.rank(); k++) if (java.util.Arrays.binarySearch(axes, k) < 0) perm[kept++] = k;
            for (int k = 0; k < axes.length; k++) perm[kept + k] = axes[k];
            String moved = w.node("Transpose", List.of(w.in(0)), ints("perm", perm));
            String dims = w.node("Concat", List.of(w.node("Shape", List.of(moved), i("start", 0), i("end", kept)), w.int64s(-1)), i("axis", 0));
            String positions = firstNanOr(w, onnx, w.node("Reshape", moved, dims), kept, 0);
            if (keep == 1 && axes.length > 0) positions = w.node("Unsqueeze", positions, w.int64s(java.util.Arrays.stream(axes).asLongStream().toArray()));
            return w.cast(positions, w.dtype());
        }));
    }

    /**
     * ONNX's ArgMax or ArgMin of v along {@code axis}, but the first NaN where there is one, as
     * NumPy's and Graft's (ONNX leaves NaN unspecified, and ONNX Runtime passes over it):
     * {@code Where(any NaN, ArgMax(IsNaN(v)), ArgMax(v))}.
     */
    private static String firstNanOr(GraphWriter w, String onnx, String v, long axis, int keepdims) {
        String nan = w.cast(w.node("IsNaN", v), w.dtype());
        String any = w.node("Cast", List.of(w.node("ReduceMax", List.of(nan), ints("axes", axis), i("keepdims", keepdims))),
                i("to", TensorProto.DataType.BOOL.getNumber()));
        String firstNan = w.node("ArgMax", List.of(nan), i("axis", axis), i("keepdims", keepdims));
        return w.node("Where", any, firstNan, w.node(onnx, List.of(v), i("axis", axis), i("keepdims", keepdims)));
    }

    /**
     * Graft's gemm, α op(a) op(b) + c: ONNX's Gemm where α is an f32 number; else the product,
     * then α, then c, as Graft's kernel adds them. A product scaled by a node s is multiplied by
     * α s, the one factor the kernel hands BLAS.
     */
    private static String gemm(GraphWriter w) {
        var op = (Linalg.Gemm) w.lowering().op();
        boolean bias = w.lowering().inputs().size() > op.biasIndex();
        var operands = new ArrayList<>(List.of(w.in(0), w.in(1)));
        if ((float) op.alpha() == op.alpha() && !op.scaled()) {
            if (bias) operands.add(w.in(op.biasIndex()));
            return w.node("Gemm", operands, Attributes.f("alpha", op.alpha()), i("transA", op.transA() ? 1 : 0),
                    i("transB", op.transB() ? 1 : 0));
        }
        String factor = !op.scaled() ? w.scalar(op.alpha()) : op.alpha() == 1 ? w.in(2) : w.node("Mul", w.scalar(op.alpha()), w.in(2));
        String product = w.node("Mul", w.node("Gemm", operands, i("transA", op.transA() ? 1 : 0), i("transB", op.transB() ? 1 : 0)),
                factor);
        return bias ? w.node("Add", w.in(op.biasIndex()), product) : product;
    }

    /**
     * Reshape to the op's result type: its concrete dims as they are, its symbolic dim (a reshape
     * has at most one, which its -1 stands for) as -1.
     */
    private static String reshape(GraphWriter w, Type to) {
        long[] dims = new long[to.rank()];
        boolean symbolic = false;
        for (int k = 0; k < dims.length; k++) {
            symbolic |= !(to.dims().get(k) instanceof Dim.Size);
            dims[k] = to.dims().get(k) instanceof Dim.Size s ? s.n() : -1;
        }
        // allowzero: a 0 in the shape is a size 0, as in Graft, not "copy the input's dim" (ONNX's
        // default); ONNX forbids it beside a -1, where a 0 cannot occur (the -1 would be ambiguous)
        return w.node("Reshape", List.of(w.in(0), w.int64s(dims)), i("allowzero", symbolic ? 0 : 1));
    }

    /**
     * The sum that undoes a broadcast: over the leading axes the operand has beyond the target,
     * and over the axes where the target has 1, then to the target's dims.
     */
    private static String sumTo(GraphWriter w) {
        Type from = w.lowering().inputs().get(0).type(), to = w.lowering().type();
        int lead = from.rank() - to.rank();
        var axes = new ArrayList<Integer>();
        for (int k = 0; k < from.rank(); k++) {
            if (k < lead || to.dims().get(k - lead).isOne() && !from.dims().get(k).isOne()) axes.add(k);
        }
        if (axes.isEmpty()) return w.node("Identity", w.in(0));
        String summed = w.node("ReduceSum", List.of(w.in(0), w.int64s(longs(axes))), i("keepdims", 1));
        if (lead == 0) return summed;
        var leading = new long[lead];
        for (int k = 0; k < lead; k++) leading[k] = k;
        return w.node("Squeeze", summed, w.int64s(leading));
    }

    /** NumPy's basic index: ranges as one Slice (Python's clamping is ONNX's), integer indices as a Slice of one, squeezed. */
    private static String slice(GraphWriter w) {
        var op = (Shaping.StridedSlice) w.lowering().op();
        var starts = new ArrayList<Long>();
        var ends = new ArrayList<Long>();
        var axes = new ArrayList<Long>();
        var steps = new ArrayList<Long>();
        var dropped = new ArrayList<Long>();
        for (int a = 0; a < op.index().size(); a++) {
            Slice s = op.index().get(a);
            if (s instanceof Slice.Index idx) {
                starts.add((long) idx.index());
                // -1 as an index reads the last position; its end, 0 past it, would clamp to the start
                ends.add(idx.index() == -1 ? PAST_END : idx.index() + 1L);
                axes.add((long) a);
                steps.add(1L);
                dropped.add((long) a);
            } else if (s instanceof Slice.Range range && !(range.start() == null && range.stop() == null && range.step() == 1)) {
                boolean up = range.step() > 0;
                starts.add(range.start() != null ? range.start() : up ? 0 : PAST_END);
                ends.add(range.stop() != null ? range.stop() : up ? PAST_END : Long.MIN_VALUE);
                axes.add((long) a);
                steps.add((long) range.step());
            }
        }
        String sliced = axes.isEmpty() ? w.node("Identity", w.in(0))
                : w.node("Slice", w.in(0), w.int64s(unbox(starts)), w.int64s(unbox(ends)), w.int64s(unbox(axes)), w.int64s(unbox(steps)));
        return dropped.isEmpty() ? sliced : w.node("Squeeze", sliced, w.int64s(unbox(dropped)));
    }

    /** ONNX's pads: every axis's before, then every axis's after. */
    private static long[] pads(List<List<Integer>> widths) {
        long[] out = new long[2 * widths.size()];
        for (int k = 0; k < widths.size(); k++) {
            out[k] = widths.get(k).get(0);
            out[widths.size() + k] = widths.get(k).get(1);
        }
        return out;
    }

    /**
     * The output padding of a transposed convolution along {@code axis} (PyTorch's, which Graft
     * keeps as the output's size {@code size}): what that size has beyond
     * (in - 1) stride - padding + dilation (k - 1) + 1; ONNX adds it at the end, as PyTorch.
     */
    private static long outputPadding(GraphWriter w, int axis, int stride, int padding, int dilation, int size) {
        Type x = w.lowering().inputs().get(0).type(), filters = w.lowering().inputs().get(1).type();
        int in = ((Dim.Size) x.dim(axis)).n(), k = ((Dim.Size) filters.dim(axis)).n();
        return size - ((in - 1L) * stride - padding + dilation * (k - 1L) + 1);
    }

    /**
     * Softmax or LogSoftmax along {@code axis}, or over every element (null): ONNX's normalize
     * along one axis, so x as one row, then back to its shape ({@code allowzero}: a 0 in it is a size).
     */
    private static String normalized(GraphWriter w, String onnx, Integer axis) {
        if (axis != null) return w.node(onnx, List.of(w.in(0)), i("axis", axis));
        String row = w.node("Reshape", w.in(0), w.int64s(1, -1));
        return w.node("Reshape", List.of(w.node(onnx, List.of(row), i("axis", 1)), w.node("Shape", w.in(0))), i("allowzero", 1));
    }

    /**
     * NumPy's take_along_axis: ONNX's GatherElements reads x at the indices' positions, with no
     * broadcasting; where the other axes broadcast, x is expanded to the indices' dims off the
     * axis and the indices to x's, each keeping its own along the axis.
     */
    private static String takeAlongAxis(GraphWriter w) {
        var op = (Gather.TakeAlongAxis) w.lowering().op();
        Type x = w.lowering().inputs().get(0).type(), indices = w.lowering().inputs().get(1).type();
        int axis = x.axis(op.axis());
        String data = w.in(0), positions = positions(w, w.in(1), indices.dtype(), true);
        boolean broadcast = false;
        for (int k = 0; k < x.rank(); k++) broadcast |= k != axis && !x.dims().get(k).equals(indices.dims().get(k));
        if (broadcast) {
            // Shape(v) with 1 along the axis: Shape(v) * offAxis + onAxis
            long[] offAxis = new long[x.rank()], onAxis = new long[x.rank()];
            java.util.Arrays.fill(offAxis, 1);
            offAxis[axis] = 0;
            onAxis[axis] = 1;
            String off = w.int64s(offAxis), on = w.int64s(onAxis);
            String indicesDims = w.node("Add", w.node("Mul", w.node("Shape", positions), off), on);
            String xDims = w.node("Add", w.node("Mul", w.node("Shape", data), off), on);
            data = w.node("Expand", data, indicesDims);
            positions = w.node("Expand", positions, xDims);
        }
        return w.node("GatherElements", List.of(data, positions), i("axis", axis));
    }

    static org.graft.core.GraftException unsupported(GraphWriter w, String why) {
        return new org.graft.core.GraftException(w.lowering().pos(), "cannot export to ONNX: " + why);
    }

    private static long[] longs(List<Integer> v) { return v.stream().mapToLong(Integer::longValue).toArray(); }

    private static long[] unbox(List<Long> v) { return v.stream().mapToLong(Long::longValue).toArray(); }
}
