package org.graft.ops.rules;

import static org.graft.core.rewrite.Pattern.any;
import static org.graft.core.rewrite.Pattern.on;
import static org.graft.core.rewrite.Pattern.scalar;
import static org.graft.core.rewrite.Pattern.var;
import static org.graft.core.rewrite.Rule.rule;
import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.neg;
import static org.graft.ops.Ops.onesLike;
import static org.graft.ops.Ops.reshape;
import static org.graft.ops.Ops.sub;
import static org.graft.ops.Ops.zerosLike;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoublePredicate;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.ShapeError;
import org.graft.core.Type;
import org.graft.core.ops.Add;
import org.graft.core.ops.Broadcasting.BroadcastLike;
import org.graft.core.ops.Broadcasting.SumTo;
import org.graft.core.ops.FillLike;
import org.graft.core.rewrite.Match;
import org.graft.core.rewrite.Pattern;
import org.graft.core.rewrite.Rule;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;
import org.graft.ops.Binary;
import org.graft.ops.Binary.Div;
import org.graft.ops.Binary.Mul;
import org.graft.ops.Binary.Pow;
import org.graft.ops.Binary.Sub;
import org.graft.ops.Compare;
import org.graft.ops.Linalg.Transpose;
import org.graft.ops.Random;
import org.graft.ops.Reduce;
import org.graft.ops.Shaping;
import org.graft.ops.Unary.Neg;

/**
 * Canonicalize: one way to write each computation, so that merging finds equal subgraphs and
 * the later phases' patterns meet one form. Runs with constant folding and merging.
 *
 * <p>The forms it leaves: no multiplication by 1, addition of 0, power 1, negation of a
 * negation, negation beside a {@code +} or {@code -} (it becomes the subtraction); a constant
 * operand of {@code +} and {@code *} on the left ({@code 1 + x}, {@code 2 * x}), with the
 * constants of a product multiplied together; a scalar where a constant only repeated one
 * value; no {@code broadcast_to} feeding an elementwise op that broadcasts anyway; one transpose,
 * one reshape and one broadcast where several were chained; no {@code bernoulli} of
 * probabilities that are all 0 or 1 (its samples are those probabilities, and it draws nothing
 * from the stream, so the draws after it come from where it would have started).
 *
 * <p>What a rule may change: the sign of a zero ({@code x + 0 -> x} keeps a {@code -0} that
 * adding {@code +0} would have made {@code +0}); rounding, in a product of constants and in a
 * factored sum; and, near the ends of the double range, where
 * {@code (c1 c2) * x} is finite though {@code c2 * x} would have overflowed, and where
 * {@code a * (b + c)} overflows with {@code b + c} though {@code a*b + a*c} would not (or the
 * reverse). Apart from those, no rule turns a NaN or an infinity into a number:
 * {@code x * 0}, {@code x - x} and {@code x / x} are NaN where {@code x} is infinite or NaN
 * (and {@code 0 / 0} too), so they become 0 or 1 only where {@code x} is finite (and non-zero)
 * whatever the inputs are, as IEEE 754 and LLVM without fast-math have it, not as Theano
 * does; that leaves comparisons, one-hot codes and fills. Sums are not reassociated:
 * {@code (x + c1) + c2} stays as written, because {@code x + (c1 + c2)} differs by more than
 * rounding where the terms cancel. {@code x ^ 0} stays too: its gradient, {@code 0 * x^-1}, is
 * NaN at 0, where that of 1 would be 0.
 */
public final class Canonicalize {
    private Canonicalize() {}

    private static final Pattern.Var X = var("x"), A = var("a"), B = var("b"), C = var("c"), D = var("d");

    /** The rules, tried in this order on each node: the first that applies fires. */
    public static final List<Rule> RULES = List.of(
            // x itself where it already has the result's type: x * 1 with a [2, 3] one broadcasts x
            rule("x * 1 -> x", on(Mul.class, X, one()), m -> same(m, m.get(X))),
            rule("1 * x -> x", on(Mul.class, one(), X), m -> same(m, m.get(X))),
            rule("x / 1 -> x", on(Div.class, X, one()), m -> same(m, m.get(X))),
            rule("x + 0 -> x", on(Add.class, X, zero()), m -> same(m, m.get(X))),
            rule("0 + x -> x", on(Add.class, zero(), X), m -> same(m, m.get(X))),
            rule("x - 0 -> x", on(Sub.class, X, zero()), m -> same(m, m.get(X))),
            // Math.pow(x, 1) is x for every x, NaN included
            rule("x ^ 1 -> x", on(Pow.class, X, scalar(1)), m -> same(m, m.get(X))),
            rule("x * -1 -> -x", on(Mul.class, X, scalar(-1)), m -> same(m, neg(m.get(X)))),
            rule("-1 * x -> -x", on(Mul.class, scalar(-1), X), m -> same(m, neg(m.get(X)))),
            rule("x / -1 -> -x", on(Div.class, X, scalar(-1)), m -> same(m, neg(m.get(X)))),
            rule("0 - x -> -x", on(Sub.class, zero(), X), m -> same(m, neg(m.get(X)))),

            // an elementwise op broadcasts its operands itself
            rule("x op [c, c, ...] -> x op c", any().where(Canonicalize::elementwise), Canonicalize::scalarOperand),
            rule("x op broadcast_to(y) -> x op y", any().where(Canonicalize::elementwise), Canonicalize::unbroadcastOperand),

            // a - b is a + (-b) in IEEE 754, so these are exact
            rule("--x -> x", on(Neg.class, on(Neg.class, X)), m -> m.get(X)),
            rule("-(a - b) -> b - a", on(Neg.class, on(Sub.class, A, B)), m -> sub(m.get(B), m.get(A))),
            rule("a + -b -> a - b", on(Add.class, A, on(Neg.class, B)), m -> sub(m.get(A), m.get(B))),
            rule("-a + b -> b - a", on(Add.class, on(Neg.class, A), B), m -> sub(m.get(B), m.get(A))),
            rule("a - -b -> a + b", on(Sub.class, A, on(Neg.class, B)), m -> add(m.get(A), m.get(B))),
            rule("-a * -b -> a * b", on(Mul.class, on(Neg.class, A), on(Neg.class, B)), m -> mul(m.get(A), m.get(B))),
            rule("-a / -b -> a / b", on(Div.class, on(Neg.class, A), on(Neg.class, B)), m -> div(m.get(A), m.get(B))),
            rule("c * -x -> (-c) * x", on(Mul.class, constant(C), on(Neg.class, X)), m -> mul(negated(m.get(C)), m.get(X))),
            rule("-(c * x) -> (-c) * x", on(Neg.class, on(Mul.class, constant(C), X)), m -> mul(negated(m.get(C)), m.get(X))),

            // only where x is finite (and non-zero) whatever the inputs: elsewhere these are NaN
            rule("x - x -> 0 (x finite)", on(Sub.class, X, X), m -> finite(m.get(X)) ? zerosLike(m.get(X)) : null),
            rule("x * 0 -> 0 (x finite)", on(Mul.class, X, zero().as(C)), m -> finite(m.get(X)) ? zeros(m, m.get(X), m.get(C)) : null),
            rule("0 * x -> 0 (x finite)", on(Mul.class, zero().as(C), X), m -> finite(m.get(X)) ? zeros(m, m.get(X), m.get(C)) : null),
            rule("x / x -> 1 (x finite, non-zero)", on(Div.class, X, X), m -> finiteNonZero(m.get(X)) ? onesLike(m.get(X)) : null),

            // + and * commute exactly, with broadcasting too
            rule("x + c -> c + x", on(Add.class, X.where(notConstant()), constant(C)), m -> add(m.get(C), m.get(X))),
            rule("x * c -> c * x", on(Mul.class, X.where(notConstant()), constant(C)), m -> mul(m.get(C), m.get(X))),
            // at most an ulp or two apart where neither form over- or underflows; the guard keeps c1 c2 normal
            rule("c1 * (c2 * x) -> (c1 c2) * x", on(Mul.class, constant(C), on(Mul.class, constant(D), X)), Canonicalize::productOfConstants),

            // u < 1 always and u < 0 never, for u in [0, 1): dropout at 0 (bernoulli(1 * ones_like(h)))
            // is the identity, which draws nothing from the stream, as PyTorch's dropout at p = 0
            rule("bernoulli(0 or 1) -> 0 or 1", on(Random.Bernoulli.class, X.where(Canonicalize::zerosAndOnes)), m -> same(m, m.get(X))),

            rule("sum_to(x) -> x", on(SumTo.class, X), m -> same(m, m.get(X))),
            rule("broadcast_to(x) -> x", any().where(Canonicalize::isBroadcast), m -> same(m, m.node().inputs().get(0))),
            rule("broadcast_to(broadcast_to(x)) -> broadcast_to(x)", any().where(Canonicalize::isBroadcast), Canonicalize::oneBroadcast),
            rule("sum(0) -> 0", any().where(Canonicalize::sumOfZeros), m -> concreteZeros(m.node().type())),

            rule("transpose(x) -> x", on(Transpose.class, X), m -> identity(m.op(Transpose.class).perm()) ? same(m, m.get(X)) : null),
            rule("transpose(transpose(x)) -> transpose(x)", on(Transpose.class, on(Transpose.class, X).as(A)), Canonicalize::composedTranspose),
            // reshapes keep the row-major order, so a chain of them is one reshape to the last type
            rule("reshape(x) -> x", any().where(Canonicalize::isReshape), m -> same(m, m.node().inputs().get(0))),
            rule("reshape(reshape(x)) -> reshape(x)", any().where(Canonicalize::isReshape), Canonicalize::oneReshape),

            // one product fewer, where nothing else reads the two products
            rule("a*b + a*c -> a*(b + c)", on(Add.class, on(Mul.class, any(), any()).as(A), on(Mul.class, any(), any()).as(B)),
                    m -> factored(m, true)),
            rule("a*b - a*c -> a*(b - c)", on(Sub.class, on(Mul.class, any(), any()).as(A), on(Mul.class, any(), any()).as(B)),
                    m -> factored(m, false)));

    /** The replacement, where it has the replaced node's type; else the rule does not apply. */
    private static Node same(Match m, Node replacement) { return replacement.type().equals(m.node().type()) ? replacement : null; }

    private static Pattern constant(Pattern.Var v) { return v.where(n -> n instanceof Constant); }

    private static Predicate<Node> notConstant() { return n -> !(n instanceof Constant); }

    /** A constant of ones, or ones_like. */
    private static Pattern one() { return any().where(n -> filledWith(n, 1.0)); }

    /** A constant of zeros, or zeros_like. */
    private static Pattern zero() { return any().where(n -> filledWith(n, 0.0)); }

    private static boolean filledWith(Node n, double v) {
        if (n instanceof Apply a) return a.op() instanceof FillLike f && f.value() == v;
        return n instanceof Constant c && uniform(c.value()) && c.value().size() > 0 && c.value().getFlat(0) == v;
    }

    /** A fill of 0 or 1, or a constant whose every element is 0 or 1. */
    private static boolean zerosAndOnes(Node n) {
        if (n instanceof Apply a) return a.op() instanceof FillLike f && (f.value() == 0 || f.value() == 1);
        return n instanceof Constant c && all(c.value(), v -> v == 0 || v == 1);
    }

    /**
     * Finite whatever the inputs: a comparison (0 or 1, NaN operands included), a one-hot
     * encoding, a fill or a constant of finite values.
     */
    private static boolean finite(Node n) {
        if (n instanceof Constant c) return all(c.value(), Double::isFinite);
        if (!(n instanceof Apply a)) return false;
        Op op = a.op();
        return op instanceof Compare || op instanceof Shaping.OneHot || op instanceof FillLike f && Double.isFinite(f.value());
    }

    private static boolean finiteNonZero(Node n) {
        if (n instanceof Constant c) return all(c.value(), v -> Double.isFinite(v) && v != 0);
        return n instanceof Apply a && a.op() instanceof FillLike f && Double.isFinite(f.value()) && f.value() != 0;
    }

    /** Zeros of the product's type: the zero operand itself when it has that type, else zeros like x. */
    private static Node zeros(Match m, Node x, Node zero) {
        if (zero.type().equals(m.node().type())) return zero;
        return same(m, zerosLike(x));
    }

    private static Constant negated(Node c) {
        Constant k = (Constant) c;
        return Constant.of(k.value().map(v -> -v), k.type());
    }

    /** (c1 c2) * x, where every element of c1 c2 is finite and normal in its dtype, or an exact zero. */
    private static Node productOfConstants(Match m) {
        Constant c1 = (Constant) m.get(C), c2 = (Constant) m.get(D);
        boolean f32 = c1.type().dtype() == DType.F32;
        double minNormal = f32 ? Float.MIN_NORMAL : Double.MIN_NORMAL;
        Tensor p = c1.value().zip(c2.value(), (a, b) -> {
            double q = f32 ? (float) (a * b) : a * b;   // as the product rounds in the dtype
            boolean safe = Double.isFinite(q) && (Math.abs(q) >= minNormal || a == 0 || b == 0);
            return safe ? q : Double.NaN;
        });
        if (!all(p, v -> !Double.isNaN(v))) return null;
        Type t = Type.broadcast(c1.type(), c2.type());
        return same(m, mul(t.isConcrete() ? Constant.of(p) : Constant.of(p, t), m.get(X)));
    }

    /** An elementwise op of two operands, broadcasting them: +, the other arithmetic ops, comparisons. */
    private static boolean elementwise(Node n) {
        return n instanceof Apply a && (a.op() instanceof Add || a.op() instanceof Binary || a.op() instanceof Compare);
    }

    /**
     * The op with a constant operand that repeats one value replaced by that value as a scalar,
     * where the other operand has the result's type (so the constant broadcast nothing). Folding
     * makes such constants of broadcasts, e.g. the gradient of a sum.
     */
    private static Node scalarOperand(Match m) {
        Apply a = m.node();
        for (int i = 0; i < 2; i++) {
            Node other = a.inputs().get(1 - i);
            if (a.inputs().get(i) instanceof Constant c && c.type().rank() > 0 && c.value().size() > 0 && uniform(c.value())
                    && other.type().equals(a.type())) {
                return same(m, replaceOperand(a, i, Constant.scalar(c.type().dtype(), c.value().getFlat(0))));
            }
        }
        return null;
    }

    /** The op with an operand broadcast_to(y) read as y, where the other operand has the result's type. */
    private static Node unbroadcastOperand(Match m) {
        Apply a = m.node();
        for (int i = 0; i < 2; i++) {
            if (isBroadcast(a.inputs().get(i)) && a.inputs().get(1 - i).type().equals(a.type())) {
                return same(m, replaceOperand(a, i, a.inputs().get(i).inputs().get(0)));
            }
        }
        return null;
    }

    private static Apply replaceOperand(Apply a, int i, Node operand) {
        var in = new ArrayList<>(a.inputs());
        in.set(i, operand);
        return Apply.of(a.op(), in);
    }

    private static boolean isBroadcast(Node n) {
        return n instanceof Apply a && (a.op() instanceof BroadcastLike || a.op() instanceof Shaping.BroadcastTo);
    }

    private static boolean isReshape(Node n) {
        return n instanceof Apply a && (a.op() instanceof Shaping.Reshape || a.op() instanceof Shaping.ReshapeLike
                || a.op() instanceof Shaping.ExpandDims || a.op() instanceof Shaping.Squeeze);
    }

    /** The outer broadcast applied to the input of the inner one: broadcasting twice copies x as once does. */
    private static Node oneBroadcast(Match m) {
        Apply outer = m.node();
        Node inner = outer.inputs().get(0);
        return isBroadcast(inner) ? sameOrNull(m, () -> replaceOperand(outer, 0, inner.inputs().get(0))) : null;
    }

    /** The outer reshape applied to the input of the inner one, or, where it does not apply to it, a reshape to its dims. */
    private static Node oneReshape(Match m) {
        Apply outer = m.node();
        Node inner = outer.inputs().get(0);
        if (!isReshape(inner)) return null;
        Node x = inner.inputs().get(0);
        if (x.type().equals(outer.type())) return x;
        Node direct = sameOrNull(m, () -> replaceOperand(outer, 0, x));
        if (direct != null || !outer.type().isConcrete()) return direct;
        return same(m, reshape(x, outer.type().shape().dims()));
    }

    /** The replacement, where it can be built and has the replaced node's type. */
    private static Node sameOrNull(Match m, Supplier<Node> replacement) {
        try {
            return same(m, replacement.get());
        } catch (ShapeError e) {
            return null; // squeeze or expand_dims may not apply to the inner input, for one
        }
    }

    private static boolean sumOfZeros(Node n) {
        if (!(n instanceof Apply a) || !(a.op() instanceof Reduce.Sum || a.op() instanceof SumTo)) return false;
        return filledWith(a.inputs().get(0), 0.0) && a.type().isConcrete();
    }

    private static Node concreteZeros(Type t) { return Constant.of(Tensor.zeros(t.dtype(), t.shape())); }

    private static boolean identity(List<Integer> perm) {
        for (int i = 0; i < perm.size(); i++) if (perm.get(i) != i) return false;
        return true;
    }

    // transpose(transpose(x, p), q) takes axis j from axis q[j] of the inner result, which is axis p[q[j]] of x
    private static Node composedTranspose(Match m) {
        List<Integer> p = m.op(A, Transpose.class).perm(), q = m.op(Transpose.class).perm();
        var r = new ArrayList<Integer>(q.size());
        for (int j : q) r.add(p.get(j));
        Node x = m.get(X);
        return same(m, identity(r) ? x : Apply.of(new Transpose(r), x));
    }

    /**
     * a*(b ± c) for the products a*b and a*c (a on either side of each), where the graph reads
     * each product only here, so the factored form has one node fewer.
     */
    private static Node factored(Match m, boolean plus) {
        Node p = m.get(A), q = m.get(B);
        if (m.uses(p) != 1 || m.uses(q) != 1 || p == q) return null;
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                Node a = p.inputs().get(i);
                if (a != q.inputs().get(j)) continue;
                Node b = p.inputs().get(1 - i), c = q.inputs().get(1 - j);
                return sameOrNull(m, () -> mul(a, plus ? add(b, c) : sub(b, c)));
            }
        }
        return null;
    }

    private static boolean uniform(Tensor t) {
        for (int i = 1; i < t.size(); i++) if (Double.compare(t.getFlat(i), t.getFlat(0)) != 0) return false;
        return true;
    }

    private static boolean all(Tensor t, DoublePredicate p) {
        for (int i = 0; i < t.size(); i++) if (!p.test(t.getFlat(i))) return false;
        return true;
    }
}
