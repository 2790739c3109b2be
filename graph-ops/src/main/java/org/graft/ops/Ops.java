package org.graft.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Dim;
import org.graft.core.GraftException;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.Param;
import org.graft.core.ShapeError;
import org.graft.core.Type;
import org.graft.core.grad.ForwardTable;
import org.graft.core.grad.GradTable;
import org.graft.core.ops.Add;
import org.graft.core.ops.Broadcasting;
import org.graft.core.ops.FillLike;
import org.graft.core.ops.StopGradient;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * The builder API: static functions named as in the math and the language, so that a model
 * in Java reads like its equations once they are imported statically:
 *
 * <pre>{@code
 * Node h    = relu(add(matmul(x, W1), b1)).named("h");
 * Node cost = mean(square(sub(matmul(h, W2), t)));
 * }</pre>
 *
 * One style throughout: nested static calls, as the formula is written; no fluent chains.
 * Every function that always builds an op returns the {@link Apply}, so a result can be
 * {@linkplain Apply#named named} for printing and errors.
 *
 * Every function checks types as it builds, so a shape error names the op and both shapes
 * where the expression is written. A {@code double} operand is a scalar constant of the
 * dtype of the node it is combined with ({@code mul(x, 2.0)} of an f32 {@code x} is f32 too).
 */
public final class Ops {
    private Ops() {}

    // ---- leaves -------------------------------------------------------------------------------

    /** An f64 input with dims given as sizes and names: {@code input("x", "n", 784)}. */
    public static Input input(String name, Object... dims) { return new Input(name, Type.f64(dims)); }

    public static Param param(String name, Tensor initial) { return new Param(name, initial); }

    /** An f64 scalar constant. */
    public static Constant constant(double value) { return Constant.scalar(value); }

    /** A scalar constant of {@code dtype}: {@code value} rounded to it. */
    public static Constant constant(DType dtype, double value) { return Constant.scalar(dtype, value); }

    public static Constant constant(Tensor value) { return Constant.of(value); }

    // ---- constructors: constant tensors of numbers known when the graph is built -----------------

    /** The n x n identity matrix, a constant. */
    public static Constant eye(int n) { return eye(n, n, 0); }

    /** The n x m matrix of zeros with ones on diagonal k (k > 0 above the main one), as NumPy's {@code eye}, a constant. */
    public static Constant eye(int n, int m, int k) {
        if (n < 0 || m < 0) throw new IllegalArgumentException("eye: the dims must be 0 or more, found " + n + " and " + m);
        double[] v = new double[Math.toIntExact(Shape.times(n, m))];
        for (int i = Math.max(0, -k); i < n && i + k < m; i++) v[i * m + i + k] = 1;
        return Constant.of(Tensor.of(v, n, m));
    }

    /** 0, 1, ... up to {@code stop}, not included: {@code arange(0, stop, 1)}. */
    public static Constant arange(double stop) { return arange(0, stop, 1); }

    /**
     * start, start + step, start + 2 step, ... while before {@code stop} (NumPy's and PyTorch's
     * {@code arange}): {@link #arangeSize} numbers, element i computed as start + i step.
     */
    public static Constant arange(double start, double stop, double step) {
        double[] v = new double[arangeSize(start, stop, step)];
        for (int i = 0; i < v.length; i++) v[i] = start + i * step;
        return Constant.of(Tensor.vector(v));
    }

    /**
     * How many numbers {@code arange(start, stop, step)} holds: ⌈(stop - start) / step⌉, or 0, as
     * NumPy and PyTorch count them, so a program ported from either has the same shapes. Like
     * theirs, the last number can round onto stop: {@code arange(1, 1.3, 0.1)} ends at 1.3.
     */
    public static int arangeSize(double start, double stop, double step) {
        if (!Double.isFinite(start) || !Double.isFinite(stop) || !Double.isFinite(step) || step == 0) {
            throw new IllegalArgumentException("arange: start, stop and step must be finite and step not 0, found "
                    + Builtin.show(start) + ", " + Builtin.show(stop) + " and " + Builtin.show(step));
        }
        double size = Math.ceil((stop - start) / step);
        if (size > Shape.MAX_SIZE) {
            throw new IllegalArgumentException("arange: " + Builtin.show(size) + " numbers are more than a tensor holds");
        }
        return (int) Math.max(size, 0);
    }

    /**
     * {@code num} numbers from start to stop, both included, evenly spaced, a constant vector.
     * As PyTorch computes them: the first half counted up from start, the second down from stop,
     * so both ends are exact.
     */
    public static Constant linspace(double start, double stop, int num) {
        if (num < 0) throw new IllegalArgumentException("linspace: num must be 0 or more, found " + num);
        if (num == 1) return Constant.of(Tensor.vector(start));
        double[] v = new double[num];
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) v[i] = i < num / 2 ? start + step * i : stop - step * (num - 1 - i);
        return Constant.of(Tensor.vector(v));
    }

    // ---- elementwise --------------------------------------------------------------------------

    public static Apply add(Node a, Node b) { return apply(new Add(), a, b); }
    public static Apply add(Node a, double b) { return add(a, scalarLike(a, b)); }
    public static Apply add(double a, Node b) { return add(scalarLike(b, a), b); }
    public static Apply sub(Node a, Node b) { return apply(new Binary.Sub(), a, b); }
    public static Apply sub(double a, Node b) { return sub(scalarLike(b, a), b); }
    public static Apply sub(Node a, double b) { return sub(a, scalarLike(a, b)); }
    public static Apply mul(Node a, Node b) { return apply(new Binary.Mul(), a, b); }
    public static Apply mul(double a, Node b) { return mul(scalarLike(b, a), b); }
    public static Apply mul(Node a, double b) { return mul(a, scalarLike(a, b)); }
    public static Apply div(Node a, Node b) { return apply(new Binary.Div(), a, b); }
    public static Apply div(Node a, double b) { return div(a, scalarLike(a, b)); }
    public static Apply div(double a, Node b) { return div(scalarLike(b, a), b); }

    /** {@code a^b}, real-valued ({@code ^} in the language). */
    public static Apply pow(Node a, Node b) { return apply(new Binary.Pow(), a, b); }
    public static Apply pow(Node a, double b) { return pow(a, scalarLike(a, b)); }
    public static Apply pow(double a, Node b) { return pow(scalarLike(b, a), b); }
    public static Apply maximum(Node a, Node b) { return apply(new Binary.Maximum(), a, b); }
    public static Apply maximum(Node a, double b) { return maximum(a, scalarLike(a, b)); }
    public static Apply minimum(Node a, Node b) { return apply(new Binary.Minimum(), a, b); }
    public static Apply minimum(Node a, double b) { return minimum(a, scalarLike(a, b)); }
    /** The angle of (x, y) from the x axis, in [-π, π], as NumPy's {@code arctan2(y, x)}. */
    public static Apply atan2(Node y, Node x) { return apply(new Binary.Atan2(), y, x); }
    /** log(e^a + e^b), finite for inputs far apart. */
    public static Apply logaddexp(Node a, Node b) { return apply(new Binary.Logaddexp(), a, b); }
    /** x log y, 0 where x = 0 (for any y but NaN). */
    public static Apply xlogy(Node x, Node y) { return apply(new Binary.Xlogy(), x, y); }
    /** x log(1 + y), 0 where x = 0 (for any y but NaN). */
    public static Apply xlog1py(Node x, Node y) { return apply(new Binary.Xlog1py(), x, y); }
    /** C's fmod: the remainder of a / b with the sign of a. */
    public static Apply fmod(Node a, Node b) { return apply(new Binary.Fmod(), a, b); }
    public static Apply fmod(Node a, double b) { return fmod(a, scalarLike(a, b)); }
    /** Python's a % b: the remainder of a / b with the sign of b (NumPy's mod and remainder). */
    public static Apply mod(Node a, Node b) { return apply(new Binary.Mod(), a, b); }
    public static Apply mod(Node a, double b) { return mod(a, scalarLike(a, b)); }

    public static Apply neg(Node x) { return apply(new Unary.Neg(), x); }
    public static Apply exp(Node x) { return apply(new Unary.Exp(), x); }
    public static Apply log(Node x) { return apply(new Unary.Log(), x); }
    public static Apply log1p(Node x) { return apply(new Unary.Log1p(), x); }
    public static Apply expm1(Node x) { return apply(new Unary.Expm1(), x); }
    public static Apply sqrt(Node x) { return apply(new Unary.Sqrt(), x); }
    public static Apply square(Node x) { return apply(new Unary.Square(), x); }
    public static Apply reciprocal(Node x) { return apply(new Unary.Reciprocal(), x); }
    public static Apply abs(Node x) { return apply(new Unary.Abs(), x); }
    public static Apply sign(Node x) { return apply(new Unary.Sign(), x); }
    public static Apply sigmoid(Node x) { return apply(new Unary.Sigmoid(), x); }
    public static Apply softplus(Node x) { return apply(new Unary.Softplus(), x); }
    public static Apply tanh(Node x) { return apply(new Unary.Tanh(), x); }
    public static Apply relu(Node x) { return apply(new Unary.Relu(), x); }
    public static Apply sin(Node x) { return apply(new Unary.Sin(), x); }
    public static Apply cos(Node x) { return apply(new Unary.Cos(), x); }
    public static Apply erf(Node x) { return apply(new Unary.Erf(), x); }
    public static Apply erfc(Node x) { return apply(new Unary.Erfc(), x); }
    /** e^(x²) erfc(x), the scaled complementary error function. */
    public static Apply erfcx(Node x) { return apply(new Unary.Erfcx(), x); }
    public static Apply erfinv(Node x) { return apply(new Unary.Erfinv(), x); }
    public static Apply log2(Node x) { return apply(new Unary.Log2(), x); }
    public static Apply log10(Node x) { return apply(new Unary.Log10(), x); }
    public static Apply exp2(Node x) { return apply(new Unary.Exp2(), x); }
    /** log(1 - e^x) for x ≤ 0, accurate on both sides of -ln 2. */
    public static Apply log1mexp(Node x) { return apply(new Unary.Log1mexp(), x); }
    /** log(p / (1 - p)), the inverse of the sigmoid. */
    public static Apply logit(Node p) { return apply(new Unary.Logit(), p); }
    public static Apply sinh(Node x) { return apply(new Unary.Sinh(), x); }
    public static Apply cosh(Node x) { return apply(new Unary.Cosh(), x); }
    public static Apply tan(Node x) { return apply(new Unary.Tan(), x); }
    public static Apply asinh(Node x) { return apply(new Unary.Asinh(), x); }
    public static Apply acosh(Node x) { return apply(new Unary.Acosh(), x); }
    public static Apply atanh(Node x) { return apply(new Unary.Atanh(), x); }
    public static Apply atan(Node x) { return apply(new Unary.Atan(), x); }
    /** log|Γ(x)|. */
    public static Apply gammaln(Node x) { return apply(new Unary.Gammaln(), x); }
    /** ψ(x) = Γ'(x)/Γ(x). */
    public static Apply digamma(Node x) { return apply(new Unary.Digamma(), x); }

    /** ψ⁽ⁿ⁾(x), the n-th derivative of the digamma function: {@link #digamma} for n = 0. */
    public static Apply polygamma(int n, Node x) {
        if (n < 0) throw new GraftException("polygamma: n must be 0 or more, found " + n);
        return n == 0 ? digamma(x) : apply(new Unary.Polygamma(n), x);
    }

    public static Apply floor(Node x) { return apply(new Unary.Floor(), x); }
    public static Apply ceil(Node x) { return apply(new Unary.Ceil(), x); }
    /** The nearest whole number, ties to even. */
    public static Apply round(Node x) { return apply(new Unary.Round(), x); }
    /** 1 where x is NaN, else 0. */
    public static Apply isnan(Node x) { return apply(new Unary.IsNan(), x); }
    /** 1 where x is infinite, else 0. */
    public static Apply isinf(Node x) { return apply(new Unary.IsInf(), x); }
    /** 1 where x is neither NaN nor infinite, else 0. */
    public static Apply isfinite(Node x) { return apply(new Unary.IsFinite(), x); }

    /** x with NaN made 0 and ±inf the largest finite numbers of its dtype, as NumPy's nan_to_num. */
    public static Apply nanToNum(Node x) { return nanToNum(x, 0.0, null, null); }

    /** x with NaN made {@code nan} and ±inf {@code posinf} and {@code neginf}; a null one stands for the dtype's largest finite number. */
    public static Apply nanToNum(Node x, double nan, Double posinf, Double neginf) {
        return apply(new Unary.NanToNum(nan, posinf, neginf), x);
    }

    /** {@code a} where {@code c} is non-zero, else {@code b}, broadcasting all three. */
    public static Apply where(Node c, Node a, Node b) { return apply(new Ternary.Where(), c, a, b); }
    public static Apply where(Node c, Node a, double b) { return where(c, a, scalarLike(a, b)); }
    public static Apply where(Node c, double a, Node b) { return where(c, scalarLike(b, a), b); }

    /** {@code x} limited to {@code [lo, hi]}. */
    public static Apply clip(Node x, Node lo, Node hi) { return apply(new Ternary.Clip(), x, lo, hi); }
    public static Apply clip(Node x, double lo, double hi) { return clip(x, scalarLike(x, lo), scalarLike(x, hi)); }

    // ---- activations ------------------------------------------------------------------------

    /** max(x, 0) + 0.01 min(x, 0). */
    public static Apply leakyRelu(Node x) { return leakyRelu(x, 0.01); }
    public static Apply leakyRelu(Node x, double alpha) { return apply(new Activation.LeakyRelu(alpha), x); }
    /** x for x > 0, e^x - 1 below. */
    public static Apply elu(Node x) { return elu(x, 1.0); }
    public static Apply elu(Node x, double alpha) { return apply(new Activation.Elu(alpha), x); }
    public static Apply selu(Node x) { return apply(new Activation.Selu(), x); }
    /** x Φ(x), Φ the standard normal CDF. */
    public static Apply gelu(Node x) { return gelu(x, false); }
    /** x Φ(x), or with {@code approximate} its tanh approximation. */
    public static Apply gelu(Node x, boolean approximate) { return apply(new Activation.Gelu(approximate), x); }
    /** x σ(x), also called swish. */
    public static Apply silu(Node x) { return apply(new Activation.Silu(), x); }
    public static Apply softsign(Node x) { return apply(new Activation.Softsign(), x); }
    /** relu6(x + 3) / 6. */
    public static Apply hardSigmoid(Node x) { return apply(new Activation.HardSigmoid(), x); }
    /** x limited to [-1, 1]. */
    public static Apply hardTanh(Node x) { return hardTanh(x, -1.0, 1.0); }
    public static Apply hardTanh(Node x, double minVal, double maxVal) { return apply(new Activation.HardTanh(minVal, maxVal), x); }
    /** x tanh(softplus(x)). */
    public static Apply mish(Node x) { return apply(new Activation.Mish(), x); }

    // ---- comparisons: 1 where the relation holds, else 0; no gradient flows through them ----

    public static Apply less(Node a, Node b) { return apply(new Compare.Less(), a, b); }
    public static Apply less(Node a, double b) { return less(a, scalarLike(a, b)); }
    public static Apply lessEqual(Node a, Node b) { return apply(new Compare.LessEqual(), a, b); }
    public static Apply lessEqual(Node a, double b) { return lessEqual(a, scalarLike(a, b)); }
    public static Apply greater(Node a, Node b) { return apply(new Compare.Greater(), a, b); }
    public static Apply greater(Node a, double b) { return greater(a, scalarLike(a, b)); }
    public static Apply greaterEqual(Node a, Node b) { return apply(new Compare.GreaterEqual(), a, b); }
    public static Apply greaterEqual(Node a, double b) { return greaterEqual(a, scalarLike(a, b)); }
    public static Apply equal(Node a, Node b) { return apply(new Compare.Equal(), a, b); }
    public static Apply equal(Node a, double b) { return equal(a, scalarLike(a, b)); }
    public static Apply notEqual(Node a, Node b) { return apply(new Compare.NotEqual(), a, b); }
    public static Apply notEqual(Node a, double b) { return notEqual(a, scalarLike(a, b)); }

    // ---- linear algebra -----------------------------------------------------------------------

    /** The matrix product, ranks 1 and 2 as in NumPy ({@code @} in the language). */
    public static Apply matmul(Node a, Node b) { return apply(new Linalg.MatMul(), a, b); }

    /** Swaps the last two axes ({@code x.T} in the language). */
    public static Apply transpose(Node x) { return apply(Linalg.Transpose.ofLastTwo(x.type().rank()), x); }

    /** Permutes the axes: axis {@code i} of the result is axis {@code perm[i]} of {@code x}. */
    public static Apply transpose(Node x, int... perm) { return apply(new Linalg.Transpose(boxed(perm)), x); }

    /**
     * {@code op(a) op(b)} for rank-2 operands, where {@code op} transposes an operand whose flag
     * is set: {@code gemm(a, b, true, false)} is {@code matmul(transpose(a), b)} without forming
     * the transpose (BLAS's GEMM).
     */
    public static Apply gemm(Node a, Node b, boolean transA, boolean transB) {
        return apply(new Linalg.Gemm(transA, transB), a, b);
    }

    /** {@code op(a) op(b) + c} in one pass; {@code c} broadcasts to the product's shape without changing it. */
    public static Apply gemm(Node a, Node b, Node c, boolean transA, boolean transB) {
        return apply(new Linalg.Gemm(transA, transB), a, b, c);
    }

    /** {@code alpha op(a) op(b)}, the scaling done by the product itself. */
    public static Apply gemm(Node a, Node b, boolean transA, boolean transB, double alpha) {
        return apply(new Linalg.Gemm(transA, transB, alpha), a, b);
    }

    /** {@code alpha op(a) op(b) + c} in one pass: BLAS's {@code C = alpha op(A) op(B) + beta C} with beta = 1. */
    public static Apply gemm(Node a, Node b, Node c, boolean transA, boolean transB, double alpha) {
        return apply(new Linalg.Gemm(transA, transB, alpha), a, b, c);
    }

    /**
     * {@code alpha s op(a) op(b)} for a scalar node {@code s} (a learning rate that is a param, say),
     * the scaling done by the product itself, as with a constant alpha.
     */
    public static Apply scaledGemm(Node a, Node b, Node s, boolean transA, boolean transB, double alpha) {
        return apply(new Linalg.Gemm(transA, transB, alpha, true), a, b, s);
    }

    /** {@code alpha s op(a) op(b) + c} in one pass, for a scalar node {@code s}. */
    public static Apply scaledGemm(Node a, Node b, Node s, Node c, boolean transA, boolean transB, double alpha) {
        return apply(new Linalg.Gemm(transA, transB, alpha, true), a, b, s, c);
    }

    /** {@code sum(x * y)} over every element of two operands of the same type, in one pass (NumPy's {@code vdot}). */
    public static Apply vdot(Node x, Node y) { return apply(new Linalg.Dot(), x, y); }

    /** The x with {@code a x = b}, for a square {@code a} and a vector or matrix {@code b} (NumPy's {@code linalg.solve}). */
    public static Apply solve(Node a, Node b) { return apply(new Linalg.Solve(), a, b); }

    // ---- reductions ---------------------------------------------------------------------------

    /** The sum of every element, a scalar. */
    public static Apply sum(Node x) { return sum(x, allAxes(x), false); }
    public static Apply sum(Node x, int axis) { return sum(x, new int[] {axis}, false); }
    public static Apply sum(Node x, int axis, boolean keepdims) { return sum(x, new int[] {axis}, keepdims); }
    public static Apply sum(Node x, int[] axes, boolean keepdims) {
        return apply(new Reduce.Sum(boxed(axes), keepdims), x);
    }

    /** The mean of every element, a scalar. */
    public static Apply mean(Node x) { return mean(x, allAxes(x), false); }
    public static Apply mean(Node x, int axis) { return mean(x, new int[] {axis}, false); }
    public static Apply mean(Node x, int axis, boolean keepdims) { return mean(x, new int[] {axis}, keepdims); }
    public static Apply mean(Node x, int[] axes, boolean keepdims) {
        return apply(new Reduce.Mean(boxed(axes), keepdims), x);
    }

    /** The largest element; the gradient goes to the maximal elements, split evenly among ties. */
    public static Apply max(Node x) { return max(x, allAxes(x), false); }
    public static Apply max(Node x, int axis) { return max(x, new int[] {axis}, false); }
    public static Apply max(Node x, int axis, boolean keepdims) { return max(x, new int[] {axis}, keepdims); }
    public static Apply max(Node x, int[] axes, boolean keepdims) {
        return apply(new Reduce.Max(boxed(axes), keepdims), x);
    }

    /** The smallest element; the gradient goes to the minimal elements, split evenly among ties. */
    public static Apply min(Node x) { return min(x, allAxes(x), false); }
    public static Apply min(Node x, int axis) { return min(x, new int[] {axis}, false); }
    public static Apply min(Node x, int axis, boolean keepdims) { return min(x, new int[] {axis}, keepdims); }
    public static Apply min(Node x, int[] axes, boolean keepdims) {
        return apply(new Reduce.Min(boxed(axes), keepdims), x);
    }

    /** log Σ e^x, stable for inputs far apart. */
    public static Apply logsumexp(Node x) { return logsumexp(x, allAxes(x), false); }
    public static Apply logsumexp(Node x, int axis) { return logsumexp(x, new int[] {axis}, false); }
    public static Apply logsumexp(Node x, int axis, boolean keepdims) { return logsumexp(x, new int[] {axis}, keepdims); }
    public static Apply logsumexp(Node x, int[] axes, boolean keepdims) {
        return apply(new Reduce.LogSumExp(boxed(axes), keepdims), x);
    }

    /** The product of every element, a scalar; its gradient divides by nothing, so it holds where elements are 0. */
    public static Apply prod(Node x) { return prod(x, allAxes(x), false); }
    public static Apply prod(Node x, int axis) { return prod(x, new int[] {axis}, false); }
    public static Apply prod(Node x, int axis, boolean keepdims) { return prod(x, new int[] {axis}, keepdims); }
    public static Apply prod(Node x, int[] axes, boolean keepdims) {
        return apply(new Reduce.Prod(boxed(axes), keepdims), x);
    }

    /** The 2-norm of every element, a scalar: a vector's length, a matrix's Frobenius norm. */
    public static Apply norm(Node x) { return norm(x, 2.0); }
    /** The p-norm of every element, for p = 1, 2 or inf. */
    public static Apply norm(Node x, double p) { return norm(x, p, allAxes(x), false); }
    public static Apply norm(Node x, double p, int axis) { return norm(x, p, new int[] {axis}, false); }
    /** The p-norm of the elements along {@code axes}, for p = 1, 2 or inf. */
    public static Apply norm(Node x, double p, int[] axes, boolean keepdims) {
        return apply(new Reduce.Norm(p, boxed(axes), keepdims), x);
    }

    /** The variance of every element, Σ(x - mean)² / N, a scalar. */
    public static Apply var(Node x) { return var(x, allAxes(x), false, 0); }
    public static Apply var(Node x, int axis) { return var(x, new int[] {axis}, false, 0); }
    /** Σ(x - mean)² / max(N - ddof, 0) over the N elements along {@code axes}. */
    public static Apply var(Node x, int[] axes, boolean keepdims, int ddof) {
        return apply(new Reduce.Var(boxed(axes), keepdims, ddof), x);
    }

    /** The standard deviation of every element, √var, a scalar. */
    public static Apply std(Node x) { return std(x, allAxes(x), false, 0); }
    public static Apply std(Node x, int axis) { return std(x, new int[] {axis}, false, 0); }
    /** √(Σ(x - mean)² / max(N - ddof, 0)) over the N elements along {@code axes}. */
    public static Apply std(Node x, int[] axes, boolean keepdims, int ddof) {
        return apply(new Reduce.Std(boxed(axes), keepdims, ddof), x);
    }

    /**
     * The flat index of the largest element, a scalar (NumPy's argmax): the first of ties, the
     * first NaN if there is one. An index is an f64 of whole numbers; its gradient is zero.
     */
    public static Apply argmax(Node x) { return argmax(x, allAxes(x), false); }
    /** The index of the largest element along {@code axis}, which is dropped. */
    public static Apply argmax(Node x, int axis) { return argmax(x, new int[] {axis}, false); }
    public static Apply argmax(Node x, int axis, boolean keepdims) { return argmax(x, new int[] {axis}, keepdims); }
    /** The position of the largest element within {@code axes}, counted row-major over them. */
    public static Apply argmax(Node x, int[] axes, boolean keepdims) {
        return apply(new Reduce.ArgMax(boxed(axes), keepdims), x);
    }

    /** The flat index of the smallest element, a scalar (NumPy's argmin); otherwise as {@link #argmax(Node)}. */
    public static Apply argmin(Node x) { return argmin(x, allAxes(x), false); }
    /** The index of the smallest element along {@code axis}, which is dropped. */
    public static Apply argmin(Node x, int axis) { return argmin(x, new int[] {axis}, false); }
    public static Apply argmin(Node x, int axis, boolean keepdims) { return argmin(x, new int[] {axis}, keepdims); }
    /** The position of the smallest element within {@code axes}, counted row-major over them. */
    public static Apply argmin(Node x, int[] axes, boolean keepdims) {
        return apply(new Reduce.ArgMin(boxed(axes), keepdims), x);
    }

    // ---- scans --------------------------------------------------------------------------------

    /** The running sum of {@code x} flattened, as NumPy's {@code cumsum} without an axis. */
    public static Apply cumsum(Node x) { return cumsum(flattened(x, "cumsum"), 0); }

    /** The running sum along {@code axis}. */
    public static Apply cumsum(Node x, int axis) { return apply(new Scan.Cumsum(axis, false), x); }

    /** The running product of {@code x} flattened, as NumPy's {@code cumprod} without an axis. */
    public static Apply cumprod(Node x) { return cumprod(flattened(x, "cumprod"), 0); }

    /** The running product along {@code axis}; its gradient divides by nothing, so it holds where elements are 0. */
    public static Apply cumprod(Node x, int axis) { return apply(new Scan.Cumprod(axis), x); }

    // ---- neural -------------------------------------------------------------------------------

    /** The softmax along the last axis. */
    public static Apply softmax(Node x) { return softmax(x, -1); }
    /** The softmax along {@code axis}, or over every element for null (the language's {@code axis = none}). */
    public static Apply softmax(Node x, Integer axis) { return apply(new Neural.Softmax(axis), x); }

    /** The log of the softmax along the last axis, without forming the softmax. */
    public static Apply logSoftmax(Node x) { return logSoftmax(x, -1); }
    /** The log of the softmax along {@code axis}, or over every element for null. */
    public static Apply logSoftmax(Node x, Integer axis) { return apply(new Neural.LogSoftmax(axis), x); }

    /** The cross-entropy of each row of logits against its targets: {@code [..., k] -> [...]}. */
    public static Apply softmaxCrossEntropy(Node logits, Node targets) {
        return apply(new Neural.SoftmaxCrossEntropy(), logits, targets);
    }

    /**
     * PyTorch's {@code F.cross_entropy} with class labels, the classes on the last axis: the mean
     * over the rows of {@code -log softmax(logits)[label]} ({@code [..., k]} and {@code [...]} to a
     * scalar).
     */
    public static Apply crossEntropy(Node logits, Node labels) { return crossEntropy(logits, labels, 0.0, -100, true); }

    /**
     * The same with PyTorch's {@code label_smoothing} and {@code ignore_index}: the rows whose
     * label is {@code ignoreIndex} cost 0 and the mean ({@code reduce}) is over the others;
     * without {@code reduce}, the cost of each row ({@code reduction = 'none'}).
     */
    public static Apply crossEntropy(Node logits, Node labels, double labelSmoothing, int ignoreIndex, boolean reduce) {
        Apply rows = apply(new Neural.CrossEntropy(ignoreIndex, labelSmoothing), logits, labels);
        return reduce ? meanOverLabels(rows, logits, labels, ignoreIndex) : rows;
    }

    /** PyTorch's {@code F.nll_loss}, the classes on the last axis: the mean over the rows of {@code -logProbs[label]}. */
    public static Apply nll(Node logProbs, Node labels) { return nll(logProbs, labels, -100, true); }

    /** The same with PyTorch's {@code ignore_index}; without {@code reduce}, each row's {@code -logProbs[label]}. */
    public static Apply nll(Node logProbs, Node labels, int ignoreIndex, boolean reduce) {
        Apply rows = apply(new Gather.Nll(ignoreIndex), logProbs, labels);
        return reduce ? meanOverLabels(rows, logProbs, labels, ignoreIndex) : rows;
    }

    /** {@code -(t log p + (1 - t) log(1 - p))}, elementwise. */
    public static Apply binaryCrossEntropy(Node p, Node t) { return apply(new Neural.BinaryCrossEntropy(), p, t); }

    /** The binary cross-entropy of {@code sigmoid(logits)} against {@code t}, computed stably from the logits. */
    public static Apply bceWithLogits(Node logits, Node t) { return apply(new Neural.BceWithLogits(), logits, t); }

    /** relu's gradient {@code g [x > 0]} in one loop ({@link Neural.ReluGrad}); relu's bprop builds it. */
    public static Apply reluGrad(Node x, Node g) { return apply(new Neural.ReluGrad(), x, g); }

    /** {@code decay a + (1 - decay) x} in one loop, an optimizer's moving average ({@link Update.MovingAverage}). */
    public static Apply movingAverage(Node a, Node x, double decay) { return apply(new Update.MovingAverage(decay), a, x); }

    /** {@code decay a + (1 - decay) x²} in one loop, an optimizer's moving average of squares ({@link Update.MovingAverageOfSquares}). */
    public static Apply movingAverageOfSquares(Node a, Node x, double decay) { return apply(new Update.MovingAverageOfSquares(decay), a, x); }

    /** Adam's step {@code p - lr (m / c1) / (sqrt(v / c2) + eps)} in one loop ({@link Update.AdamStep}). */
    public static Apply adamStep(Node p, Node m, Node v, Node lr, Node c1, Node c2, double eps) {
        return apply(new Update.AdamStep(eps), p, m, v, lr, c1, c2);
    }

    // ---- convolution and pooling ----------------------------------------------------------------

    /** The convolution of images {@code x [n, c, h, w]} with filters {@code W [f, c, kh, kw]}: stride 1, no padding. */
    public static Apply conv2d(Node x, Node weights) { return conv2d(x, weights, Conv.Spec.of(1, 0, 1, 1)); }

    /** The convolution of images {@code x [n, c, h, w]} with filters {@code W [f, c / groups, kh, kw]}. */
    public static Apply conv2d(Node x, Node weights, Conv.Spec spec) { return apply(new Conv.Conv2d(spec), x, weights); }

    /** The gradient of {@code <g, conv2d(x, W, spec)>} with respect to {@code x}, whose images are {@code h x w}. */
    public static Apply convTranspose2d(Node g, Node weights, Conv.Spec spec, int h, int w) {
        return apply(new Conv.ConvTranspose2d(spec, h, w), g, weights);
    }

    /** The gradient of {@code <g, conv2d(x, W, spec)>} with respect to {@code W}, whose taps are {@code kh x kw}. */
    public static Apply conv2dFilterGrad(Node x, Node g, Conv.Spec spec, int kh, int kw) {
        return apply(new Conv.Conv2dFilterGrad(spec, kh, kw), x, g);
    }

    /** Each window's maximum, over each channel of images {@code x [n, c, h, w]}. */
    public static Apply maxPool2d(Node x, Pool.Window window) { return apply(new Pool.MaxPool2d(window), x); }

    /** {@code g} sent back to where each window's maximum {@code y} of {@code x} was found. */
    public static Apply maxPool2dGrad(Node x, Node y, Node g, Pool.Window window) { return apply(new Pool.MaxPool2dGrad(window), x, y, g); }

    /** Each window's {@code u} at the position of its maximum {@code y} of {@code x}. */
    public static Apply maxPool2dGather(Node x, Node y, Node u, Pool.Window window) { return apply(new Pool.MaxPool2dGather(window), x, y, u); }

    /** Each window's mean over each channel of images {@code x [n, c, h, w]}, padding counted as zeros. */
    public static Apply avgPool2d(Node x, Pool.Window window) { return avgPool2d(x, window, true); }

    /** Each window's mean, padding counted as zeros in it or, without {@code countPadding}, left out. */
    public static Apply avgPool2d(Node x, Pool.Window window, boolean countPadding) {
        return apply(new Pool.AvgPool2d(window, countPadding), x);
    }

    /** Each window's {@code g} spread evenly over it, onto {@code h x w} images. */
    public static Apply avgPool2dGrad(Node g, Pool.Window window, boolean countPadding, int h, int w) {
        return apply(new Pool.AvgPool2dGrad(window, countPadding, h, w), g);
    }

    // ---- shape --------------------------------------------------------------------------------

    /** {@code x} broadcast to the shape of {@code like}; {@code x} itself when the types agree. */
    public static Node broadcastTo(Node x, Node like) { return Broadcasting.broadcastLike(x, like); }

    /** {@code x} summed over the axes along which {@code target} would be broadcast to it. */
    public static Node sumTo(Node x, Type target) { return Broadcasting.sumTo(x, target); }

    /** Inserts axes of size 1 at these positions of the result; a negative one counts from the result's end (NumPy's). */
    public static Apply expandDims(Node x, int... axes) {
        int rank = x.type().rank() + axes.length;
        return apply(new Shaping.ExpandDims(Shaping.sorted(IntStream.of(axes).map(a -> a < 0 && a >= -rank ? a + rank : a).toArray())), x);
    }

    /** Removes every axis of size 1 (a symbolic dim is not known to be 1, so it stays), as NumPy's {@code squeeze(x)}. */
    public static Apply squeeze(Node x) {
        List<Dim> dims = x.type().dims();
        return squeeze(x, IntStream.range(0, dims.size()).filter(a -> dims.get(a).isOne()).toArray());
    }

    /** Removes these axes, each of size 1; a negative one counts from the end. */
    public static Apply squeeze(Node x, int... axes) {
        int rank = x.type().rank();
        return apply(new Shaping.Squeeze(Shaping.sorted(IntStream.of(axes).map(a -> a < 0 && a >= -rank ? a + rank : a).toArray())), x);
    }

    /** The operands, all of one type, joined along a new axis at {@code axis} of the result (NumPy's {@code stack}). */
    public static Apply stack(List<? extends Node> xs, int axis) {
        if (xs.isEmpty()) throw new ShapeError("stack: needs at least one operand");
        Type first = xs.get(0).type();
        if (xs.stream().anyMatch(x -> !x.type().equals(first))) {
            throw new ShapeError("stack: the operands' types differ: " + xs.stream().map(x -> x.type().toString()).collect(Collectors.joining(", ")));
        }
        int rank = first.rank() + 1;
        if (axis < -rank || axis >= rank) throw new ShapeError("stack: axis " + axis + " is out of range for a result of rank " + rank);
        int a = axis < 0 ? axis + rank : axis;
        return concat(xs.stream().map(x -> expandDims(x, a)).toList(), a);
    }

    /** {@code x}'s elements in row-major order under these dims; one of them may be -1, inferred. */
    public static Apply reshape(Node x, int... dims) { return apply(new Shaping.Reshape(boxed(dims)), x); }

    /** {@code x}'s elements in row-major order under the dims of {@code like}, whose values are not read. */
    public static Apply reshape(Node x, Node like) { return apply(new Shaping.ReshapeLike(), x, like); }

    /** {@code x} broadcast to these concrete dims. */
    public static Apply broadcastTo(Node x, int... dims) { return apply(new Shaping.BroadcastTo(boxed(dims)), x); }

    /** The operands joined along {@code axis}. */
    public static Apply concat(List<? extends Node> xs, int axis) { return Apply.of(new Shaping.Concat(axis), xs); }

    /** {@code parts} equal slices of {@code x} along {@code axis}, in order. */
    public static List<Apply> split(Node x, int parts, int axis) { return Shaping.split(x, parts, axis); }

    /**
     * NumPy's basic indexing, one {@link Slice} per leading axis: {@code x[:, 0:10]} is
     * {@code slice(x, Slice.all(), Slice.range(0, 10))}, {@code x[i]} is {@code slice(x, Slice.index(i))}.
     */
    public static Apply slice(Node x, Slice... index) { return apply(new Shaping.StridedSlice(List.of(index)), x); }

    /** {@code g} written into zeros of {@code like}'s type where {@code slice(like, index)} reads: its adjoint. */
    public static Apply unslice(Node g, Node like, Slice... index) {
        return apply(new Shaping.Unslice(List.of(index)), g, like);
    }

    /** NumPy's {@code tile}: {@code x} repeated {@code reps[i]} times along axis i (with more reps than axes, x gains leading axes). */
    public static Apply tile(Node x, int... reps) { return apply(new Remap.Tile(boxed(reps)), x); }

    /** Each element of {@code x}, flattened, taken {@code repeats} times in a row: NumPy's {@code repeat} without an axis. */
    public static Apply repeat(Node x, int repeats) { return repeat(flattened(x, "repeat"), repeats, 0); }

    /** Each element of {@code x} taken {@code repeats} times in a row along {@code axis} (NumPy's {@code repeat}). */
    public static Apply repeat(Node x, int repeats, int axis) { return apply(new Remap.Repeat(repeats, axis), x); }

    /** {@code x} in reverse order along every axis. */
    public static Apply flip(Node x) { return flip(x, allAxes(x)); }

    /** {@code x} in reverse order along {@code axes}. */
    public static Apply flip(Node x, int... axes) { return apply(new Remap.Flip(boxed(axes)), x); }

    /** {@code x} with {@code widths[i] = {before, after}} zeros added along axis i. */
    public static Apply pad(Node x, int[][] widths) { return pad(x, widths, 0.0); }

    /** {@code x} with {@code widths[i] = {before, after}} elements {@code value} added along axis i (NumPy's constant mode). */
    public static Apply pad(Node x, int[][] widths, double value) { return apply(new Remap.Pad(pairs(widths), value), x); }

    /** {@code x} padded by its mirror image, the edge not repeated, {@code widths[i] = {before, after}} along axis i. */
    public static Apply padReflect(Node x, int[][] widths) { return apply(new Remap.PadReflect(pairs(widths)), x); }

    /** The lower triangle of the last two axes, 0 above the main diagonal. */
    public static Apply tril(Node x) { return tril(x, 0); }

    /** The elements on and below diagonal {@code k} of the last two axes, 0 elsewhere. */
    public static Apply tril(Node x, int k) { return apply(new Remap.Tril(k), x); }

    /** The upper triangle of the last two axes, 0 below the main diagonal. */
    public static Apply triu(Node x) { return triu(x, 0); }

    /** The elements on and above diagonal {@code k} of the last two axes, 0 elsewhere. */
    public static Apply triu(Node x, int k) { return apply(new Remap.Triu(k), x); }

    /** Integer labels in {@code [0, k)} as 0/1 vectors of length {@code k} along a new last axis. */
    public static Apply oneHot(Node labels, int k) { return apply(new Shaping.OneHot(k), labels); }

    // ---- gathering: indices are whole numbers in f64 or f32, checked when the values are fed ----

    /** NumPy's {@code take(x, indices, axis)}: the axis's dims replaced by the indices', each index reading x there. */
    public static Apply take(Node x, Node indices, int axis) { return take(x, axis, List.of(indices)); }

    /** NumPy's {@code take(x, indices)} without an axis: x read flattened, which needs x's dims concrete (or x of rank 1). */
    public static Apply take(Node x, Node indices) {
        if (x.type().rank() == 1) return take(x, indices, 0);
        if (!x.type().isConcrete()) {
            throw new ShapeError(Apply.call(new Gather.Take(0), List.of(x, indices)) + ": without an axis x is read flattened, "
                    + "which needs concrete dims, found " + x.type() + "; give an axis");
        }
        return take(reshape(x, -1), indices, 0);
    }

    /**
     * x indexed along the axes {@code axis}, {@code axis + 1}, ... by the index tensors, one per
     * axis, broadcast together: NumPy's integer-array indexing, {@code x[i, j]} with
     * {@code axis = 0}, {@code x[:, i]} with {@code axis = 1} and one index tensor.
     */
    public static Apply take(Node x, int axis, List<? extends Node> indices) {
        var in = new ArrayList<Node>(indices.size() + 1);
        in.add(x);
        in.addAll(indices);
        return Apply.of(new Gather.Take(axis), in);
    }

    /** NumPy's {@code take_along_axis}: along {@code axis}, x's element at each index; the other axes broadcast. */
    public static Apply takeAlongAxis(Node x, Node indices, int axis) { return apply(new Gather.TakeAlongAxis(axis), x, indices); }

    /** A tensor of {@code x}'s type with every element {@code value}. */
    public static Apply fill(Node x, double value) { return apply(new FillLike(value), x); }

    public static Apply zerosLike(Node x) { return apply(new FillLike(0.0), x); }
    public static Apply onesLike(Node x) { return apply(new FillLike(1.0), x); }

    // ---- random -------------------------------------------------------------------------------

    /** Standard normal samples of {@code x}'s shape, fresh at each call; {@code x}'s values are not read. */
    public static Apply normalLike(Node x) { return normalLike(x, 0.0, 1.0); }
    public static Apply normalLike(Node x, double mean, double std) { return apply(new Random.NormalLike(mean, std), x); }

    /** Samples from U[0, 1) of {@code x}'s shape, fresh at each call; {@code x}'s values are not read. */
    public static Apply uniformLike(Node x) { return uniformLike(x, 0.0, 1.0); }
    public static Apply uniformLike(Node x, double lo, double hi) { return apply(new Random.UniformLike(lo, hi), x); }

    /** 1 with probability {@code p}, else 0, elementwise; not differentiable with respect to {@code p}. */
    public static Apply bernoulli(Node p) { return apply(new Random.Bernoulli(), p); }

    /** 1 with probability sigmoid(x): {@code bernoulli(sigmoid(x))} in one pass, drawing the same. */
    public static Apply bernoulliLogits(Node x) { return apply(new Random.BernoulliLogits(), x); }

    // ---- differentiation ----------------------------------------------------------------------

    /** The identity on values; no gradient flows through it. */
    public static Apply stopGradient(Node x) { return apply(new StopGradient(), x); }

    /** The identity on values; each element of the gradient passing back is clipped to {@code [lo, hi]} (Theano's). */
    public static Apply gradClip(Node x, double lo, double hi) { return apply(new Gradients.GradClip(lo, hi), x); }

    /** The identity on values; the gradient passing back is multiplied by {@code s} (Theano's). */
    public static Apply gradScale(Node x, double s) { return apply(new Gradients.GradScale(s), x); }

    /** {@code dcost/dwrt} of a scalar cost, as a graph (so it can be differentiated again). */
    public static Node grad(Node cost, Node wrt) { return GradTable.grad(cost, wrt); }

    /** The gradients of a scalar cost with respect to each node in {@code wrt}. */
    public static List<Node> grad(Node cost, List<? extends Node> wrt) { return GradTable.grad(cost, wrt); }

    /** The same, with no gradient passing below the nodes of {@code considerConstant} (Theano's {@code consider_constant}). */
    public static List<Node> grad(Node cost, List<? extends Node> wrt, List<? extends Node> considerConstant) {
        return grad(cost, wrt, Map.of(), considerConstant);
    }

    /**
     * The same, starting also from gradients known for some nodes (Theano's {@code known_grads}),
     * each added to what reaches its node from the cost; {@code cost} may be null when some are
     * given. See {@link GradTable#grad(Node, List, Map, java.util.Collection, GradTable.Disconnected)}.
     */
    public static List<Node> grad(Node cost, List<? extends Node> wrt, Map<? extends Node, ? extends Node> knownGrads,
                                  List<? extends Node> considerConstant) {
        return GradTable.grad(cost, wrt, knownGrads, considerConstant, GradTable.Disconnected.RAISE);
    }

    /** The vector-Jacobian product {@code uᵀ dy/dx}, of x's type, for {@code u} of y's type: the gradient of {@code sum(y * u)}. */
    public static Node vjp(Node y, Node x, Node u) { return GradTable.vjp(y, u, List.of(x), GradTable.Disconnected.RAISE).get(0); }

    /** The Jacobian-vector product {@code dy/dx · v}, of y's type, for {@code v} of x's type: forward mode. */
    public static Node jvp(Node y, Node x, Node v) { return ForwardTable.jvp(y, x, v); }

    /**
     * Theano's {@code scan} of one carried value over one sequence: the states after every step
     * {@code [t, ...]} of {@code h = step(h, x[t])} from {@code h0}, as in
     * {@code scan((h, x) -> tanh(add(matmul(x, Wx), matmul(h, Wh))), h0, xs)}. See
     * {@link #scan(Loops.Step, List, List, boolean, int)}.
     */
    public static Node scan(java.util.function.BinaryOperator<Node> step, Node h0, Node xs) {
        return scan((h, x) -> List.of(step.apply(h.get(0), x.get(0))), List.of(h0), List.of(xs), false, 0).get(0);
    }

    /**
     * Theano's {@code scan}: {@code step} run along the leading axis of {@code sequences}
     * (reversed with {@code reverse}), carrying values from {@code inits}; the results are each
     * carried value's states after every step, {@code [t, ...]}, then each per-step output the
     * step gives after its carried values, stacked. The step is one node of the graph however
     * long the sequences are, and its gradient is back-propagation through time, cut at every
     * {@code truncate}-th step when {@code truncate > 0} ({@link Loops.Scan}).
     */
    public static List<Node> scan(Loops.Step step, List<? extends Node> inits, List<? extends Node> sequences,
                                  boolean reverse, int truncate) {
        var names = new ArrayList<String>();
        for (int j = 0; j < inits.size(); j++) names.add("h" + j);
        for (int q = 0; q < sequences.size(); q++) names.add("x" + q);
        return Loops.scan(step, names, inits, sequences, -1, reverse, truncate, true);
    }

    /** The Jacobian {@code dy/dx}, of type {@code y.dims + x.dims}, for concrete types. See {@link Derivatives#jacobian}. */
    public static Node jacobian(Node y, Node x) { return Derivatives.jacobian(y, x, GradTable.Disconnected.RAISE); }

    /** The Hessian of a scalar cost, of type {@code x.dims + x.dims}. See {@link Derivatives#hessian}. */
    public static Node hessian(Node cost, Node x) { return Derivatives.hessian(cost, x); }

    /** The Hessian-vector product {@code H v}, of x's type, without forming H. See {@link Derivatives#hvp}. */
    public static Node hvp(Node cost, Node x, Node v) { return Derivatives.hvp(cost, x, v); }

    // -------------------------------------------------------------------------------------------

    private static Apply apply(Op op, Node... inputs) { return Apply.of(op, inputs); }

    /** The scalar constant {@code value} in the dtype of {@code n}, which it is combined with. */
    private static Constant scalarLike(Node n, double value) { return Constant.scalar(n.type().dtype(), value); }

    /** The sum of the rows' costs over the number of rows whose label is not ignored: PyTorch's mean with an ignore_index. */
    private static Apply meanOverLabels(Node rows, Node x, Node labels, int ignoreIndex) {
        return div(sum(rows), sum(apply(new Neural.Labelled(ignoreIndex), x, labels)));
    }

    private static int[] allAxes(Node x) { return IntStream.range(0, x.type().rank()).toArray(); }

    /** x as a vector, as NumPy flattens where a function is given no axis; its dims must be concrete for that. */
    private static Node flattened(Node x, String what) {
        if (!x.type().isConcrete()) {
            throw new ShapeError(what + ": without an axis " + x.label() + " is flattened, which needs concrete dims, found " + x.type());
        }
        return x.type().rank() == 1 ? x : reshape(x, -1);
    }

    private static List<Integer> boxed(int[] axes) { return IntStream.of(axes).boxed().toList(); }

    private static List<List<Integer>> pairs(int[][] widths) { return Arrays.stream(widths).map(Ops::boxed).toList(); }
}
