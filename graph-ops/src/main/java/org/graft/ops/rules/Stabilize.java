package org.graft.ops.rules;

import static org.graft.core.rewrite.Pattern.on;
import static org.graft.core.rewrite.Pattern.scalar;
import static org.graft.core.rewrite.Pattern.var;
import static org.graft.core.rewrite.Rule.rule;
import static org.graft.ops.Ops.abs;
import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.bceWithLogits;
import static org.graft.ops.Ops.broadcastTo;
import static org.graft.ops.Ops.constant;
import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.erf;
import static org.graft.ops.Ops.erfcx;
import static org.graft.ops.Ops.exp;
import static org.graft.ops.Ops.expandDims;
import static org.graft.ops.Ops.expm1;
import static org.graft.ops.Ops.greater;
import static org.graft.ops.Ops.greaterEqual;
import static org.graft.ops.Ops.log;
import static org.graft.ops.Ops.log1mexp;
import static org.graft.ops.Ops.log1p;
import static org.graft.ops.Ops.logSoftmax;
import static org.graft.ops.Ops.logaddexp;
import static org.graft.ops.Ops.logsumexp;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.neg;
import static org.graft.ops.Ops.sigmoid;
import static org.graft.ops.Ops.slice;
import static org.graft.ops.Ops.softmax;
import static org.graft.ops.Ops.softmaxCrossEntropy;
import static org.graft.ops.Ops.softplus;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sub;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.sumTo;
import static org.graft.ops.Ops.unslice;
import static org.graft.ops.Ops.where;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.stream.IntStream;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Dim;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.Type;
import org.graft.core.ops.Add;
import org.graft.core.ops.Broadcasting.BroadcastLike;
import org.graft.core.ops.Broadcasting.SumTo;
import org.graft.core.rewrite.Match;
import org.graft.core.rewrite.Pattern;
import org.graft.core.rewrite.Rule;
import org.graft.core.tensor.DType;
import org.graft.ops.Binary.Div;
import org.graft.ops.Binary.Mul;
import org.graft.ops.Binary.Pow;
import org.graft.ops.Binary.Sub;
import org.graft.ops.Neural.BinaryCrossEntropy;
import org.graft.ops.Neural.LogSoftmax;
import org.graft.ops.Neural.Softmax;
import org.graft.ops.Reduce.Sum;
import org.graft.ops.Shaping.ExpandDims;
import org.graft.ops.Shaping.StridedSlice;
import org.graft.ops.Shaping.Unslice;
import org.graft.ops.Slice;
import org.graft.ops.Unary.Erfc;
import org.graft.ops.Unary.Exp;
import org.graft.ops.Unary.Expm1;
import org.graft.ops.Unary.Log;
import org.graft.ops.Unary.Log1p;
import org.graft.ops.Unary.Neg;
import org.graft.ops.Unary.Reciprocal;
import org.graft.ops.Unary.Sigmoid;
import org.graft.ops.Unary.Sqrt;
import org.graft.ops.Unary.Square;

/**
 * Stabilize: the same value, but finite where the naive form over- or underflows.
 *
 * <p>The forward rules replace a composition by the one op whose kernel is its stable form
 * (log1p, expm1, softplus, log_softmax, logsumexp, softmax_cross_entropy, bce_with_logits,
 * logaddexp, log1mexp), or by a stable form of ops (log(erfc x) by log(erfcx x) - x²).
 * {@code grad} runs before any rewrite, so the gradient of the naive form is built from the
 * naive form, and that is where the NaNs come from: it divides by a factor such as σ(x) or
 * softmax(x) and multiplies by it again, and once the factor has rounded to 0 (or e^x has
 * overflowed to inf) that is 0 · inf. The gradient rules cancel such factors, which are
 * positive in exact arithmetic, and put e^x / Σ e^x and e^x / (1 + e^x) back together as
 * softmax and sigmoid.
 *
 * <p>Users also write the stable ops out by hand: a softmax as {@code e^x / Σ e^x} (with the
 * max subtracted first, or not), a sigmoid as {@code 1 / (1 + e^-x)} or {@code e^x / (1 + e^x)},
 * {@code 1 - σ(x)} for {@code σ(-x)}, the log of a probability picked from a softmax. Their own
 * group of rules makes them the ops, and rules for their gradients, which grad built from the
 * written-out forms, cancel what those forms multiply by and divide by again.
 *
 * <p>Every rule keeps the value wherever the naive form is finite (up to rounding), including
 * the domain: {@code log(exp(x)) -> x} holds for every x, but {@code exp(log(x))} is x only for
 * x >= 0 and NaN below, which the replacement keeps.
 */
public final class Stabilize {
    private Stabilize() {}

    private static final Pattern.Var X = var("x"), Y = var("y"), C = var("c"), S = var("s"), E = var("e");
    private static final Pattern ONE = scalar(1).as(C), MINUS_ONE = scalar(-1).as(C);

    /** Products flattened by {@link #cancel} look this many levels deep. */
    private static final int PRODUCT_DEPTH = 6;

    /** The rules, in the order the engine tries them on a node. */
    public static final List<Rule> RULES = List.of(
            // log1p and expm1 keep the digits of x that 1 + x and e^x - 1 round away near 0
            rule("log(1+x) -> log1p(x)", on(Log.class, on(Add.class, ONE, X)), m -> fit(log1p(m.get(X)), m, C)),
            rule("log(1+x) -> log1p(x)", on(Log.class, on(Add.class, X, ONE)), m -> fit(log1p(m.get(X)), m, C)),
            rule("exp(x)-1 -> expm1(x)", on(Sub.class, on(Exp.class, X), ONE), m -> fit(expm1(m.get(X)), m, C)),
            rule("exp(x)-1 -> expm1(x)", on(Add.class, on(Exp.class, X), MINUS_ONE), m -> fit(expm1(m.get(X)), m, C)),
            rule("exp(x)-1 -> expm1(x)", on(Add.class, MINUS_ONE, on(Exp.class, X)), m -> fit(expm1(m.get(X)), m, C)),
            // log(1 + e^x) = softplus(x): log1p(e^x) is still inf once e^x overflows, past x = 709
            rule("log1p(exp(x)) -> softplus(x)", on(Log1p.class, on(Exp.class, X)), m -> softplus(m.get(X))),
            // log σ(x) = -log(1 + e^-x) = -softplus(-x); σ(-800) is 0 and its log -inf
            rule("log(sigmoid(x)) -> -softplus(-x)", on(Log.class, on(Sigmoid.class, X)),
                    m -> neg(softplus(neg(m.get(X))))),
            // log(1 - σ(x)) = log σ(-x) = -softplus(x); 1 - σ(40) is already 0
            rule("log(1 - sigmoid(x)) -> -softplus(x)", on(Log.class, on(Sub.class, ONE, on(Sigmoid.class, X))),
                    m -> fit(neg(softplus(m.get(X))), m, C)),
            rule("log1p(-sigmoid(x)) -> -softplus(x)", on(Log1p.class, on(Neg.class, on(Sigmoid.class, X))),
                    m -> neg(softplus(m.get(X)))),
            // ---- logs of sums of exponentials, and of erfc, as their own ops (issue 16) ----
            // log(e^x + e^y) overflows past x = 709 and is -inf below -745; logaddexp is neither
            rule("log(exp(x) + exp(y)) -> logaddexp(x, y)", on(Log.class, on(Add.class, on(Exp.class, X), on(Exp.class, Y))),
                    m -> logaddexp(m.get(X), m.get(Y))),
            // log(1 - e^x) cancels near 0 as log1p(-e^x) does too (Mächler): before log(1-x) -> log1p(-x)
            rule("log(1 - exp(x)) -> log1mexp(x)", on(Log.class, on(Sub.class, ONE, on(Exp.class, X))),
                    m -> fit(log1mexp(m.get(X)), m, C)),
            rule("log1p(-exp(x)) -> log1mexp(x)", on(Log1p.class, on(Neg.class, on(Exp.class, X))), m -> log1mexp(m.get(X))),
            rule("log(-expm1(x)) -> log1mexp(x)", on(Log.class, on(Neg.class, on(Expm1.class, X))), m -> log1mexp(m.get(X))),
            // erfc underflows past x = 27 (Theano's local_log_erfc): log erfc x = log erfcx(x) - x² for
            // x > 0, where erfcx ~ 1/(x√π) stays finite; below 0, erfc is in [1, 2] and 1 - erf x cancels nothing
            rule("log(erfc(x)) -> log(erfcx(x)) - x^2 for x > 0", on(Log.class, on(Erfc.class, X)), m -> {
                Node x = m.get(X);
                return where(greater(x, 0.0), sub(log(erfcx(x)), square(x)), log1p(neg(erf(x))));
            }),

            // canonicalize writes 1 + (-x) as 1 - x, so log(1 - x) is the form log(1 + (-x)) reaches here in
            rule("log(1-x) -> log1p(-x)", on(Log.class, on(Sub.class, ONE, X)), m -> fit(log1p(neg(m.get(X))), m, C)),
            rule("log(softmax(x)) -> log_softmax(x)", on(Log.class, on(Softmax.class, X).as(S)),
                    m -> logSoftmax(m.get(X), m.op(S, Softmax.class).axis())),
            rule("log(sum(exp(x))) -> logsumexp(x)", on(Log.class, on(Sum.class, on(Exp.class, X)).as(S)),
                    m -> logsumexp(m.get(X), ints(m.op(S, Sum.class).axes()), m.op(S, Sum.class).keepdims())),
            // with log(softmax(z)) -> log_softmax(z) and -(-x) -> x, the naive cross-entropy
            // -sum(t * log(softmax(z)), -1) becomes softmax_cross_entropy(z, t)
            rule("sum(t * log_softmax(z), -1) -> -softmax_cross_entropy(z, t)", on(Sum.class, on(Mul.class, X, Y)),
                    m -> crossEntropy(m, m.get(X), m.get(Y), false)),
            rule("sum(-(t * log_softmax(z)), -1) -> softmax_cross_entropy(z, t)",
                    on(Sum.class, on(Neg.class, on(Mul.class, X, Y))), m -> crossEntropy(m, m.get(X), m.get(Y), true)),
            rule("binary_cross_entropy(sigmoid(z), t) -> bce_with_logits(z, t)",
                    on(BinaryCrossEntropy.class, on(Sigmoid.class, X), Y), m -> bceWithLogits(m.get(X), m.get(Y))),
            // log e^x = x for every x, and e^x over- or underflows for |x| > 709
            rule("log(exp(x)) -> x", on(Log.class, on(Exp.class, X)), m -> m.get(X)),
            // e^(log x) = x for x >= 0 (0 and inf included) and NaN for x < 0, as the replacement
            // keeps: the naive form is finite there, but off by up to |log x| ulps (e^(log 1e300)
            // by 2e-14), and costs two transcendentals for a comparison
            rule("exp(log(x)) -> x where x >= 0, else nan", on(Exp.class, on(Log.class, X)),
                    m -> where(greaterEqual(m.get(X), 0.0), m.get(X), Double.NaN)),
            // √(x²) = |x|; x² overflows for |x| > 1e154 and underflows for |x| < 1e-162
            rule("sqrt(x^2) -> abs(x)", on(Sqrt.class, on(Pow.class, X, scalar(2).as(C))), m -> fit(abs(m.get(X)), m, C)),
            rule("sqrt(x^2) -> abs(x)", on(Sqrt.class, on(Square.class, X)), m -> abs(m.get(X))),
            rule("sqrt(x^2) -> abs(x)", on(Sqrt.class, on(Mul.class, X, X)), m -> abs(m.get(X))),
            // the rules above build -(-x) from the user's minus signs; canonicalize has already run
            rule("-(-x) -> x", on(Neg.class, on(Neg.class, X)), m -> m.get(X)),

            // ---- the gradients of the naive forms ----
            rule("a s / (b s) -> a / b, s > 0", on(Mul.class, X, Y), m -> cancel(m.node())),
            rule("a s / (b s) -> a / b, s > 0", on(Div.class, X, Y), m -> cancel(m.node())),
            rule("s (a/s - c) -> a - s c, s > 0", on(Mul.class, X, Y), Stabilize::distribute),
            rule("(g / sum(exp(x))) * exp(x) -> g * softmax(x)", on(Mul.class, X, Y), m -> eitherWay(m, Stabilize::softmaxOfSum)),
            rule("(g / (1 + exp(x))) * exp(x) -> g * sigmoid(x)", on(Mul.class, X, Y), m -> shareOfExp(m, false)),

            // ---- a softmax or a sigmoid written out by hand, and their gradients, which grad
            // built from the hand-written forms ----
            // e^x / Σ e^x is inf / inf = NaN once e^x overflows, and 0 / 0 once every e^x underflows
            rule("exp(x) / sum(exp(x)) -> softmax(x)", on(Div.class, on(Exp.class, X).as(E), Y), Stabilize::softmaxOfQuotient),
            // softmax is the same for x shifted by anything constant along its axis: the max that
            // careful users subtract, e^(x - max x) / Σ e^(x - max x), and the kernel subtracts its own
            rule("softmax(x - c) -> softmax(x), c constant along the axis", on(Softmax.class, X), Stabilize::unshifted),
            // log(softmax(z)[i]) is log(0) = -inf where the picked probability underflows; slicing
            // commutes with the elementwise log
            rule("log(softmax(x)[i]) -> log_softmax(x)[i]", on(Log.class, on(StridedSlice.class, X)), Stabilize::logOfSlicedSoftmax),
            // 1 - σ(x) rounds to 0 past x = 37, where σ(-x) is e^-x to the last digit; taken only
            // where nothing else reads σ(x), so that it costs no second exp (σ's own gradient reads
            // σ(x) and 1 - σ(x) together)
            rule("1 - sigmoid(x) -> sigmoid(-x)", on(Sub.class, ONE, on(Sigmoid.class, X).as(S)),
                    m -> m.uses(S) == 1 ? fit(sigmoid(neg(m.get(X))), m, C) : null),
            // e^x / (1 + e^x) is inf / inf = NaN past x = 709
            rule("exp(x) / (1 + exp(x)) -> sigmoid(x)", on(Div.class, on(Exp.class, X).as(E), on(Add.class, ONE, on(Exp.class, X))),
                    m -> fit(sigmoid(m.get(X)), m.node(), m.get(E), m.get(C))),
            // 1 / (1 + e^-x) is σ(x) for every x; as the op, its gradient reads σ(x), finite at x = -800
            rule("1 / (1 + exp(-x)) -> sigmoid(x)", on(Div.class, scalar(1).as(S), on(Add.class, ONE, on(Exp.class, X).as(E))),
                    m -> fit(sigmoid(neg(m.get(X))), m.node(), m.get(E), m.get(S), m.get(C))),
            // the gradient of 1 / (1 + e^-x) as σ(x), and of e^x / (1 + e^x)
            rule("sigmoid(x) exp(-x) -> sigmoid(-x)", on(Mul.class, X, Y), m -> sigmoidTimesExp(m.node())),
            // the gradient of e^x / Σ e^x, where e^x overflows and Σ e^x with it
            rule("sum_to(a / sum(exp(x))) -> sum_to(a) / sum(exp(x)), constant along the summed axes", on(SumTo.class, X),
                    Stabilize::quotientOutOfSum),
            // the gradient of log(softmax(x)[i]), where the picked probability underflows
            rule("s unslice(a / s[i]) -> unslice(a), s > 0", on(Mul.class, X, Y), m -> eitherWay(m, Stabilize::throughUnslice)),

            // ---- the gradients of logaddexp's and log(erfc)'s naive forms (issue 16) ----
            rule("(g / (exp(x) + exp(y))) * exp(x) -> g * sigmoid(x - y)", on(Mul.class, X, Y), m -> shareOfExp(m, true)),
            rule("exp(-x^2) / erfc(x) -> 1 / erfcx(x)", on(Mul.class, X, Y), m -> erfcxOfRatio(m.node())),
            rule("exp(-x^2) / erfc(x) -> 1 / erfcx(x)", on(Div.class, X, Y), m -> erfcxOfRatio(m.node())));

    /**
     * {@code -Σ_k t_k log softmax(z)_k} along the last axis is {@code softmax_cross_entropy(z, t)},
     * for any targets t (one-hot or not). The sum may run over more axes than the last one, and
     * either operand may carry minus signs.
     */
    private static Node crossEntropy(Match m, Node a, Node b, boolean negated) {
        Sum op = m.op(Sum.class);
        Type full = m.node().inputs().get(0).type();
        boolean minus = !negated; // Σ t log softmax(z) = -ce
        for (; isOp(a, Neg.class); a = a.inputs().get(0)) minus = !minus;
        for (; isOp(b, Neg.class); b = b.inputs().get(0)) minus = !minus;
        Node ls = isOp(a, LogSoftmax.class) ? a : isOp(b, LogSoftmax.class) ? b : null;
        if (ls == null) return null;
        Node t = ls == a ? b : a, z = ls.inputs().get(0);
        int last = full.rank() - 1;
        Integer along = op(ls, LogSoftmax.class).axis(); // null: every axis, which is the last one alone for a vector
        if (last < 0 || !z.type().equals(full) || (along == null ? last != 0 : full.axis(along) != last)) return null;
        int[] axes = normalized(full, op.axes());
        if (Arrays.stream(axes).noneMatch(i -> i == last)) return null;
        Node out = softmaxCrossEntropy(z, broadcastTo(t, z));   // [..., k] -> [...]
        int[] rest = Arrays.stream(axes).filter(i -> i != last).toArray();
        if (rest.length > 0) out = sum(out, rest, op.keepdims());
        if (op.keepdims()) out = expandDims(out, last);
        return minus ? neg(out) : out;
    }

    /** {@code e^x / Σ e^x = softmax(x)} along the summed axes, where the sum {@linkplain #linesUp lines up} with e^x. */
    private static Node softmaxOfQuotient(Match m) {
        Node e = m.get(E), s = m.get(Y);
        if (!isOp(s, Sum.class) || s.inputs().get(0) != e || !m.node().type().equals(e.type())) return null;
        int[] axes = normalized(e.type(), op(s, Sum.class).axes());
        return linesUp(s, axes) ? softmaxAlong(e.inputs().get(0), axes) : null;
    }

    /**
     * The softmax of x where the matched one takes {@code x - c} or {@code x + c} (either order)
     * with c the same all along its axis; null where its input is no such shift.
     */
    private static Node unshifted(Match m) {
        Integer axis = m.op(Softmax.class).axis(); // null: every axis
        Node in = m.get(X);
        boolean minus = isOp(in, Sub.class);
        if (!(minus || isOp(in, Add.class))) return null;
        Type t = in.type();
        for (int i = 0; i < (minus ? 1 : 2); i++) {
            Node x = in.inputs().get(i), c = in.inputs().get(1 - i);
            // c's dims line up with t's from the right; c is constant along an axis it lacks or has as 1
            boolean constant;
            if (axis == null) {
                constant = c.type().dims().stream().allMatch(Dim::isOne);
            } else {
                int cAt = t.axis(axis) - (t.rank() - c.type().rank());
                constant = cAt < 0 || c.type().dims().get(cAt).isOne();
            }
            if (constant && x.type().equals(t)) return softmax(x, axis);
        }
        return null;
    }

    /** {@code log(softmax(x)[i]) = log_softmax(x)[i]}, through any number of slices. */
    private static Node logOfSlicedSoftmax(Match m) {
        var slices = new ArrayList<StridedSlice>();
        Node n = m.node().inputs().get(0);
        for (; isOp(n, StridedSlice.class); n = n.inputs().get(0)) slices.add(op(n, StridedSlice.class));
        if (!isOp(n, Softmax.class)) return null;
        Node out = logSoftmax(n.inputs().get(0), op(n, Softmax.class).axis());
        for (int i = slices.size() - 1; i >= 0; i--) out = slice(out, slices.get(i).index().toArray(Slice[]::new));
        return out;
    }

    /**
     * True where a sum over {@code axes} broadcasts back along them: kept, over every axis (a
     * scalar), or over leading axes, which broadcasting puts back in place.
     */
    private static boolean linesUp(Node sum, int[] axes) {
        return op(sum, Sum.class).keepdims() || sum.type().isScalar() || IntStream.range(0, axes.length).allMatch(i -> axes[i] == i);
    }

    /** The softmax of x along {@code axes}: the op for one axis, e^(x - logsumexp(x)) for several. */
    private static Node softmaxAlong(Node x, int[] axes) {
        return axes.length == 1 ? softmax(x, axes[0]) : exp(sub(x, logsumexp(x, axes, true)));
    }

    /**
     * Cancels a factor that is positive in exact arithmetic from the numerator and denominator
     * of a product, looking through mul, div, neg and reciprocal: (g / s) (s t) = g t. Such an
     * s (e^x, σ(x), 1 - σ(x), softmax(x)) rounds to 0 or overflows to inf where the product is
     * finite, and then the naive form is 0 · inf = NaN. Other factors are left alone: x / x is
     * NaN at 0.
     */
    private static Node cancel(Apply product) {
        Product p = Product.of(product);
        var cancelled = new ArrayList<Node>();
        for (int i = 0; i < p.den.size(); i++) {
            Node s = p.den.get(i);
            int j = indexOf(p.num, s);
            if (j < 0 || !positive(s, 0)) continue;
            p.num.remove(j);
            p.den.remove(i--);
            cancelled.add(s);
        }
        if (cancelled.isEmpty()) return null;
        return fit(p.build(), product, cancelled);
    }

    /**
     * {@code s (u - v) = s u - s v} (and for u + v), taken only where {@code s u} or {@code s v}
     * cancels ({@link #combined}): the gradient of log(softmax(x)) is {@code s (g/s - Σ g)} with
     * s = softmax(x), NaN wherever s underflows; distributed, it is {@code g - s Σ g}. The binary
     * cross-entropy written out with logs of sigmoids has {@code σ(1 - σ) (a/σ + b/(1 - σ))},
     * each term cancelling a factor of s.
     */
    private static Node distribute(Match m) {
        for (int i = 0; i < 2; i++) {
            Node s = m.node().inputs().get(i), d = m.node().inputs().get(1 - i);
            boolean minus = isOp(d, Sub.class);
            if (!(minus || isOp(d, Add.class)) || !positive(s, 0)) continue;
            Node u = d.inputs().get(0), v = d.inputs().get(1);
            Node su = combined(s, u), sv = combined(s, v);
            if (su == null && sv == null) continue;
            if (su == null) su = mul(s, u);
            if (sv == null) sv = mul(s, v);
            return fit(minus ? sub(su, sv) : add(su, sv), m.node(), s);
        }
        return null;
    }

    /**
     * {@code (g / Σ e^x) e^x = g softmax(x)}: the gradient of log Σ e^x, as the sum's bprop
     * builds it (g / Σ e^x put back along the summed axes, broadcast to e^x). At x = [1000, 1000]
     * the naive form is 0 · inf = NaN.
     */
    private static Node softmaxOfSum(Node e, Node b) {
        if (!isOp(e, Exp.class)) return null;
        Node like = null;
        if (isOp(b, BroadcastLike.class)) {
            like = b.inputs().get(1);
            b = b.inputs().get(0);
        }
        List<Integer> expanded = isOp(b, ExpandDims.class) ? op(b, ExpandDims.class).axes() : null;
        if (expanded != null) b = b.inputs().get(0);
        if (!isOp(b, Div.class)) return null;
        Node g = b.inputs().get(0), s = b.inputs().get(1);
        if (!isOp(s, Sum.class) || s.inputs().get(0) != e) return null;
        // put back or broadcast, g has the sum's type or is a scalar (canonicalize turns a fill of
        // ones into one); as it is, (g / Σ e^x) e^x is g (e^x / Σ e^x) elementwise for any g
        boolean wrapped = like != null || expanded != null;
        if (wrapped && !(g.type().equals(s.type()) || g.type().isScalar())) return null;
        Sum sum = op(s, Sum.class);
        int[] axes = normalized(e.type(), sum.axes());
        // the quotient must line up with e^x along the summed axes: put back there, or as it is
        boolean aligned = expanded != null ? !sum.keepdims() && expanded.equals(boxed(axes)) : linesUp(s, axes);
        if (!aligned) return null;
        Node p = softmaxAlong(e.inputs().get(0), axes);
        Node gk = expanded != null && !g.type().isScalar() ? expandDims(g, axes) : g;
        // broadcast like p, not like e^x, which nothing needs to compute any more
        if (like != null) gk = broadcastTo(gk, like.type().equals(p.type()) ? p : like);
        return mul(gk, p);
    }

    /**
     * {@code sum_to(a / s) = sum_to(a) / s} where s is {@code Σ e^x} and the same all along the
     * summed axes: the gradient of a softmax written out, e^x / Σ e^x, sums {@code g / Σ e^x}
     * along the axis it divides along, and multiplies by e^x after; with the quotient outside
     * the sum, {@code (g / Σ e^x) e^x} is {@code g softmax(x)}.
     */
    private static Node quotientOutOfSum(Match m) {
        Node arg = m.get(X);
        Type in = arg.type(), target = m.op(SumTo.class).target();
        int shift = in.rank() - target.rank();
        Product p = Product.of(arg);
        for (int i = 0; i < p.den.size(); i++) {
            Node s = p.den.get(i);
            if (!isOp(s, Sum.class) || !isOp(s.inputs().get(0), Exp.class)) continue;
            int sShift = in.rank() - s.type().rank();
            boolean constant = true;
            for (int j = 0; j < in.rank() && constant; j++) {
                boolean summed = j < shift || target.dims().get(j - shift).isOne();
                constant = !summed || j < sShift || s.type().dims().get(j - sShift).isOne();
            }
            if (!constant) continue;
            p.den.remove(i);
            Node rest = p.build();
            if (!rest.type().equals(in)) return null;   // s carried the broadcast
            Node r = div(sumTo(rest, target), s);
            return r.type().equals(m.node().type()) ? r : null;
        }
        return null;
    }

    /**
     * {@code (g / (1 + e^x)) e^x = g σ(x)}: the gradient of log(1 + e^x) and of log1p(e^x),
     * 0 · inf = NaN once e^x overflows; and with {@code ofTwoExps}
     * {@code (g / (e^x + e^y)) e^x = g σ(x - y)}, the gradient of log(e^x + e^y).
     */
    private static Node shareOfExp(Match m, boolean ofTwoExps) {
        for (int i = 0; i < 2; i++) {
            Node e = m.node().inputs().get(i), d = m.node().inputs().get(1 - i);
            if (!isOp(e, Exp.class) || !isOp(d, Div.class)) continue;
            Node q = d.inputs().get(1);
            if (!isOp(q, Add.class)) continue;
            Node other = q.inputs().get(0) == e ? q.inputs().get(1) : q.inputs().get(1) == e ? q.inputs().get(0) : null;
            if (other == null || (ofTwoExps ? !isOp(other, Exp.class) : !allOnes(other))) continue;
            Node x = e.inputs().get(0);
            Node share = ofTwoExps ? sigmoid(sub(x, other.inputs().get(0))) : sigmoid(x);
            return fit(mul(d.inputs().get(0), share), m.node(), e, other);
        }
        return null;
    }

    /**
     * {@code s u} with a factor of s cancelled from u's denominator, or with s and a factor of u
     * combined by one of the rules for the hand-written forms; null where nothing cancels.
     */
    private static Node combined(Node s, Node u) {
        if (dividedBy(u, s)) return cancel(mul(s, u));
        Node r = throughUnslice(s, u);
        if (r == null) r = softmaxOfSum(s, u);
        return r != null ? r : sigmoidTimesExp(mul(s, u));
    }

    /**
     * {@code σ(x) e^-x = e^-x / (1 + e^-x) = σ(-x)}, for a pair of such factors of a product: 0 ·
     * inf = NaN where e^-x overflows. The gradient of 1 / (1 + e^-x), once that is σ(x), holds
     * {@code σ(x)² e^-x}; that of e^x / (1 + e^x) holds {@code e^x σ(-x)}.
     */
    private static Node sigmoidTimesExp(Apply product) {
        Product p = Product.of(product);
        for (int i = 0; i < p.num.size(); i++) {
            if (!isOp(p.num.get(i), Sigmoid.class)) continue;
            Node sig = p.num.get(i), x = sig.inputs().get(0);
            for (int j = 0; j < p.num.size(); j++) {
                Node e = p.num.get(j);
                if (!isOp(e, Exp.class) || !negations(x, e.inputs().get(0))) continue;
                p.num.set(i, sigmoid(e.inputs().get(0)));
                p.num.remove(j);
                return fit(p.build(), product, sig, e);
            }
        }
        return null;
    }

    /**
     * {@code s unslice(a / s[i]) = unslice(a)} for s > 0: the gradient of log(softmax(x)[i])
     * divides by the picked probability, writes that into zeros and multiplies by the softmax
     * again, 0 · inf = NaN where the probability underflows. Elsewhere both are 0. Null where
     * {@code u} is no such unslice.
     */
    private static Node throughUnslice(Node s, Node u) {
        if (!isOp(u, Unslice.class) || !positive(s, 0)) return null;
        List<Slice> index = op(u, Unslice.class).index();
        Product q = Product.of(u.inputs().get(0));
        for (int i = 0; i < q.den.size(); i++) {
            Node d = q.den.get(i);
            if (!isOp(d, StridedSlice.class) || d.inputs().get(0) != s || !op(d, StridedSlice.class).index().equals(index)) continue;
            q.den.remove(i);
            Node a = q.build();
            // a is written where s[i] was, so it must have its type
            if (!a.type().equals(d.type())) a = broadcastTo(a, d);
            return unslice(a, u.inputs().get(1), index.toArray(Slice[]::new));
        }
        return null;
    }

    /** True where one of a and b is the other negated. */
    private static boolean negations(Node a, Node b) {
        return isOp(a, Neg.class) && a.inputs().get(0) == b || isOp(b, Neg.class) && b.inputs().get(0) == a;
    }

    /** {@code f(x, y)}, else {@code f(y, x)}, for the two operands of the matched product, fitted to its type. */
    private static Node eitherWay(Match m, BinaryOperator<Node> f) {
        Node r = f.apply(m.get(X), m.get(Y));
        if (r == null) r = f.apply(m.get(Y), m.get(X));
        return r == null ? null : fit(r, m.node(), m.get(X), m.get(Y));
    }

    /** True where {@code n} divides by {@code s} or by one of its factors. */
    private static boolean dividedBy(Node n, Node s) {
        List<Node> den = Product.of(n).den;
        return Product.of(s).num.stream().anyMatch(f -> indexOf(den, f) >= 0);
    }

    /**
     * Positive in exact arithmetic for every finite input, though it may round to 0 or
     * overflow: e^x, σ(x), 1 - σ(x), softmax(x), and products of these.
     */
    private static boolean positive(Node n, int depth) {
        if (!(n instanceof Apply a) || depth > PRODUCT_DEPTH) return false;
        Op op = a.op();
        if (op instanceof Exp || op instanceof Sigmoid || op instanceof Softmax) return true;
        List<Node> in = a.inputs();
        if (op instanceof Sub) return allOnes(in.get(0)) && isOp(in.get(1), Sigmoid.class);
        return op instanceof Mul && positive(in.get(0), depth + 1) && positive(in.get(1), depth + 1);
    }

    /**
     * A product as a sign and factors over factors, {@code ±(n1 n2 ...) / (d1 d2 ...)}, read
     * through mul, div, neg and reciprocal down to {@link #PRODUCT_DEPTH} levels.
     */
    private static final class Product {
        final List<Node> num = new ArrayList<>(), den = new ArrayList<>();
        boolean negative;
        DType dtype;   // of the product, for the 1 of a numerator that cancels away

        static Product of(Node n) {
            var p = new Product();
            p.dtype = n.type().dtype();
            p.add(n, false, 0);
            return p;
        }

        private void add(Node n, boolean over, int depth) {
            if (depth < PRODUCT_DEPTH && n instanceof Apply a) {
                List<Node> in = a.inputs();
                if (a.op() instanceof Mul) {
                    add(in.get(0), over, depth + 1);
                    add(in.get(1), over, depth + 1);
                    return;
                }
                if (a.op() instanceof Div) {
                    add(in.get(0), over, depth + 1);
                    add(in.get(1), !over, depth + 1);
                    return;
                }
                if (a.op() instanceof Neg) {
                    negative = !negative;
                    add(in.get(0), over, depth + 1);
                    return;
                }
                if (a.op() instanceof Reciprocal) {
                    add(in.get(0), !over, depth + 1);
                    return;
                }
            }
            (over ? den : num).add(n);
        }

        /** The product rebuilt from its factors, left to right. */
        Node build() {
            Node top = num.isEmpty() ? constant(dtype, 1.0) : fold(num);
            Node out = den.isEmpty() ? top : div(top, fold(den));
            return negative ? neg(out) : out;
        }

        private static Node fold(List<Node> factors) {
            Node out = factors.get(0);
            for (int i = 1; i < factors.size(); i++) out = mul(out, factors.get(i));
            return out;
        }
    }

    /**
     * {@code r} where it has the type of the node it replaces; else {@code r} broadcast to that
     * type like one of {@code likes} that has it (the 1 of {@code log(1 + x)} may be the wider
     * operand); else null, and the rule does not apply.
     */
    private static Node fit(Node r, Apply replaced, List<Node> likes) {
        Type want = replaced.type();
        if (r.type().equals(want)) return r;
        for (Node like : likes) if (like.type().equals(want)) return broadcastTo(r, like);
        return null;
    }

    private static Node fit(Node r, Apply replaced, Node... likes) { return fit(r, replaced, List.of(likes)); }

    private static Node fit(Node r, Match m, Pattern.Var like) { return fit(r, m.node(), m.get(like)); }

    private static boolean isOp(Node n, Class<? extends Op> op) { return n instanceof Apply a && op.isInstance(a.op()); }

    private static <T extends Op> T op(Node n, Class<T> op) { return op.cast(((Apply) n).op()); }

    private static boolean allOnes(Node n) {
        if (!(n instanceof Constant c)) return false;
        for (int i = 0; i < c.value().size(); i++) if (c.value().getFlat(i) != 1.0) return false;
        return true;
    }

    private static int indexOf(List<Node> nodes, Node n) {
        for (int i = 0; i < nodes.size(); i++) if (nodes.get(i) == n) return i;
        return -1;
    }

    /** The axes as indices in [0, rank), ascending. */
    private static int[] normalized(Type t, List<Integer> axes) { return axes.stream().mapToInt(t::axis).sorted().toArray(); }

    private static int[] ints(List<Integer> axes) { return axes.stream().mapToInt(Integer::intValue).toArray(); }

    private static List<Integer> boxed(int[] axes) { return IntStream.of(axes).boxed().toList(); }

    /**
     * {@code e^(-x²) / erfc(x) = 1 / erfcx(x)} in a product: the gradient of log(erfc(x)), which is
     * 0/0 = NaN once both underflow (x > 27); erfcx(x) ~ 1/(x√π) does not.
     */
    private static Node erfcxOfRatio(Apply product) {
        Product p = Product.of(product);
        for (int i = 0; i < p.den.size(); i++) {
            Node erfc = p.den.get(i);
            if (!isOp(erfc, Erfc.class)) continue;
            Node x = erfc.inputs().get(0);
            for (int j = 0; j < p.num.size(); j++) {
                Node gaussian = p.num.get(j);
                if (!isGaussianOf(gaussian, x)) continue;
                p.num.remove(j);
                p.den.set(i, erfcx(x));
                return fit(p.build(), product, gaussian, erfc);
            }
        }
        return null;
    }

    /** Whether {@code n} is e^(-x²) as the bprops of erf and erfc write it. */
    private static boolean isGaussianOf(Node n, Node x) {
        if (!isOp(n, Exp.class)) return false;
        Node minus = n.inputs().get(0);
        if (!isOp(minus, Neg.class)) return false;
        Node square = minus.inputs().get(0);
        return isOp(square, Square.class) && square.inputs().get(0) == x;
    }
}
