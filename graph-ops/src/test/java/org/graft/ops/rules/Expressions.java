package org.graft.ops.rules;

import static org.graft.ops.Ops.abs;
import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.bceWithLogits;
import static org.graft.ops.Ops.binaryCrossEntropy;
import static org.graft.ops.Ops.broadcastTo;
import static org.graft.ops.Ops.clip;
import static org.graft.ops.Ops.concat;
import static org.graft.ops.Ops.constant;
import static org.graft.ops.Ops.cos;
import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.exp;
import static org.graft.ops.Ops.expandDims;
import static org.graft.ops.Ops.expm1;
import static org.graft.ops.Ops.greater;
import static org.graft.ops.Ops.less;
import static org.graft.ops.Ops.log;
import static org.graft.ops.Ops.log1p;
import static org.graft.ops.Ops.logSoftmax;
import static org.graft.ops.Ops.logsumexp;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.max;
import static org.graft.ops.Ops.maximum;
import static org.graft.ops.Ops.mean;
import static org.graft.ops.Ops.min;
import static org.graft.ops.Ops.minimum;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.neg;
import static org.graft.ops.Ops.pow;
import static org.graft.ops.Ops.reciprocal;
import static org.graft.ops.Ops.relu;
import static org.graft.ops.Ops.reshape;
import static org.graft.ops.Ops.sigmoid;
import static org.graft.ops.Ops.sign;
import static org.graft.ops.Ops.sin;
import static org.graft.ops.Ops.slice;
import static org.graft.ops.Ops.softmax;
import static org.graft.ops.Ops.softmaxCrossEntropy;
import static org.graft.ops.Ops.softplus;
import static org.graft.ops.Ops.sqrt;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.squeeze;
import static org.graft.ops.Ops.stopGradient;
import static org.graft.ops.Ops.sub;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.tanh;
import static org.graft.ops.Ops.transpose;
import static org.graft.ops.Ops.where;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Dim;
import org.graft.core.GraftException;
import org.graft.core.Graph;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Type;
import org.graft.core.grad.GradTable;
import org.graft.core.print.DebugPrint;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.ops.Slice;

/**
 * Random well-typed expression graphs over the whole op library, reduced to a scalar cost,
 * with values for their inputs: the ground on which rewriting must change nothing.
 *
 * <p>An expression is built step by step from a list of choices (jqwik shrinks a failing list
 * towards fewer and smaller choices, so towards a smaller graph; choice 0 is always the
 * simplest) and a seed for the input values, which are drawn before the graph is. Every node
 * is evaluated as it is built, and an op is only applied where its operands' actual values lie
 * in its domain with a margin ({@code log} of values at least 0.05, {@code exp} of values at
 * most 4, divisors at least 0.1 in magnitude, {@code log(1 - sigmoid x)} only for x at most 3),
 * so the graph as written is finite and accurate to a few ulps, and a difference beyond 1e-9
 * is the rewrite's, not rounding in a naive form the rewrite made exact. Nodes whose values
 * reach {@value #MAX_MAGNITUDE} in magnitude are not kept. Where a value or a gradient jumps
 * (comparisons, {@code where}, {@code clip}, {@code relu}, {@code abs}, {@code sign}, ties of
 * {@code maximum}, {@code max} and {@code min}), the operands stay at least {@value #MARGIN}
 * away from the jump: a rewrite may move a value by an ulp, which must not flip a comparison.
 *
 * <p>Besides random ops of every family, the steps deliberately write the forms the rules look
 * for ({@link #TEMPLATES}): {@code x*1}, {@code x+0} (also with a constant that broadcasts the
 * result to a larger shape, which must not become {@code x}), {@code log(1+x)},
 * {@code log(softmax x)}, {@code matmul(transpose a, b)}, {@code sum(x*y)} and so on. A batch
 * dim is symbolic ({@code n}) in a quarter of the expressions. Random ops ({@code normal_like}
 * and the like) are left out: a rewrite may reorder the schedule, and with it the draws.
 */
final class Expressions {
    private Expressions() {}

    /** Nodes with an element of this magnitude or more are not kept. */
    static final double MAX_MAGNITUDE = 1e3;
    /** How far from a jump (a comparison's threshold, a kink, a tie) a value must stay. */
    static final double MARGIN = 1e-6;
    /** Steps of one expression at most, each writing one op or one template. */
    static final int MAX_STEPS = 16;

    /**
     * A scalar {@code cost} of {@code inputs}, to be fed {@code values}; {@code written} names
     * what each step wrote ("unary", "log(1+x)", ...), for checking that the generator covers
     * the rules.
     */
    record Expression(List<Input> inputs, List<Tensor> values, Node cost, List<String> written) {
        @Override
        public String toString() {
            var text = new StringBuilder(DebugPrint.debugprint(cost));
            for (int i = 0; i < inputs.size(); i++) {
                text.append(inputs.get(i).label()).append(" = ").append(values.get(i)).append('\n');
            }
            return text.toString();
        }
    }

    /** Expressions from up to 200 choices and a seed for the input values. */
    static Arbitrary<Expression> expressions() {
        var choices = Arbitraries.integers().between(0, 1 << 16).withDistribution(RandomDistribution.uniform())
                .list().ofMaxSize(200).withSizeDistribution(RandomDistribution.uniform());
        return Combinators.combine(choices, Arbitraries.longs()).as(Expressions::build);
    }

    /** The expression these choices and this seed write. */
    static Expression build(List<Integer> choices, long seed) { return new Builder(choices, seed).build(); }

    /** The names of the steps that write the forms the rules look for. */
    static final List<String> TEMPLATES = List.of(
            "x*1", "x+0", "x*ones (broadcasting)", "x+zeros (broadcasting)", "x-x", "x/x", "--x", "a+(-b)", "a-(-b)",
            "x*0", "transpose(transpose x)", "reshape(reshape x)", "c1+c2", "(x+c1)+c2", "c1*(c2*x)", "a*b+a*c",
            "log(1+x)", "log(1-x)", "exp(x)-1", "log(sigmoid x)", "log(1-sigmoid x)", "log(softmax x)", "log(sum(exp x))",
            "-sum(t*log(softmax z))", "bce(sigmoid z, t)", "exp(log x)", "log(exp x)", "sqrt(x^2)",
            "sqrt(square x + 0.1)", "exp(z)/sum(exp z)", "exp(z-max z)/sum(exp(z-max z))", "log(softmax z)[i]", "1-sigmoid x",
            "exp(x)/(1+exp x)", "1/(1+exp(-x))", "x*x", "pow(x, 2)", "pow(x, 0.5)", "matmul(transpose a, b)",
            "matmul(a, transpose b)", "matmul(a, b)+c", "sum(x*y)", "f(x)+f(x)");

    /** The names of every kind of step, random ops and templates. */
    static List<String> stepNames() { return STEPS.stream().map(Step::name).toList(); }

    /** One kind of step: the node it writes, or null where the pool offers nothing it fits. */
    private record Step(String name, Function<Builder, Node> write) {}

    private static final List<Step> STEPS = List.of(
            // ---- random ops of every family
            new Step("unary", Builder::unary),
            new Step("binary", Builder::binary),
            new Step("reduce", Builder::reduce),
            new Step("matmul", b -> b.pair((x, y) -> matmul(x, y))),
            new Step("transpose", Builder::transposed),
            new Step("softmax", b -> b.alongAxis(Builder.IN_SOFTMAX_RANGE, (x, axis) -> b.choose(2) == 0 ? softmax(x, axis)
                    : logSoftmax(x, axis))),
            new Step("cross-entropy", Builder::crossEntropy),
            new Step("where", Builder::whereOrClip),
            new Step("shaping", Builder::shaping),
            new Step("slice", Builder::sliced),
            new Step("concat", b -> b.pair((x, y) -> concat(List.of(x, y), b.choose(2) == 0 ? 0 : -1))),
            new Step("stop_gradient", b -> stopGradient(b.any())),
            new Step("grad", Builder::gradient),
            // ---- canonicalize
            new Step("x*1", b -> b.commuted(b.any(), x -> constant(1), Builder::mulOp)),
            new Step("x+0", b -> b.choose(3) == 0 ? sub(b.any(), 0.0) : b.commuted(b.any(), x -> constant(0), Builder::addOp)),
            new Step("x*ones (broadcasting)", b -> b.broadcastingConstant(1.0, Builder::mulOp)),
            new Step("x+zeros (broadcasting)", b -> b.broadcastingConstant(0.0, Builder::addOp)),
            new Step("x-x", b -> {
                Node x = b.any();
                return sub(x, x);
            }),
            new Step("x/x", b -> {
                Node x = b.awayFromZero();
                return div(x, x);
            }),
            new Step("--x", b -> neg(neg(b.any()))),
            new Step("a+(-b)", b -> {
                Node x = b.any();
                return b.commuted(x, y -> neg(b.partner(y)), Builder::addOp);
            }),
            new Step("a-(-b)", b -> {
                Node x = b.any();
                return sub(x, neg(b.partner(x)));
            }),
            new Step("x*0", b -> b.commuted(b.any(), x -> constant(0), Builder::mulOp)),
            new Step("transpose(transpose x)", b -> {
                Node x = b.any(n -> n.type().rank() >= 2);
                return x == null ? null : transpose(transpose(x));
            }),
            new Step("reshape(reshape x)", Builder::reshapedTwice),
            new Step("c1+c2", b -> add(b.any(), add(b.randomConstant(), b.randomConstant()))),
            new Step("(x+c1)+c2", b -> add(add(b.any(), b.randomConstant()), b.randomConstant())),
            new Step("c1*(c2*x)", b -> mul(b.randomConstant(), mul(b.randomConstant(), b.any()))),
            new Step("a*b+a*c", b -> {
                Node a = b.any();
                return add(mul(a, b.partner(a)), mul(a, b.partner(a)));
            }),
            // ---- stabilize
            new Step("log(1+x)", b -> {
                Node x = b.within(-0.5, MAX_MAGNITUDE);
                return log(b.choose(2) == 0 ? add(1.0, x) : add(x, 1.0));
            }),
            // 1 + (-x), which canonicalize makes 1 - x, or 1 - x as written
            new Step("log(1-x)", b -> {
                Node x = b.within(-MAX_MAGNITUDE, 0.5);
                return log(b.choose(2) == 0 ? sub(1.0, x) : add(1.0, neg(x)));
            }),
            new Step("exp(x)-1", b -> sub(exp(b.within(-30, 4)), 1.0)),
            new Step("log(sigmoid x)", b -> log(sigmoid(b.within(-30, 30)))),
            // 1 - sigmoid(x) cancels for large x: 3 keeps the naive form accurate
            new Step("log(1-sigmoid x)", b -> log(sub(1.0, sigmoid(b.within(-30, 3))))),
            new Step("log(softmax x)", b -> b.alongAxis(Builder.IN_SOFTMAX_RANGE, (x, axis) -> log(softmax(x, axis)))),
            new Step("log(sum(exp x))", b -> {
                Node x = b.within(-30, 4);
                return log(sum(exp(x), b.axes(x), b.choose(2) == 0));
            }),
            new Step("-sum(t*log(softmax z))", Builder::naiveCrossEntropy),
            new Step("bce(sigmoid z, t)", b -> {
                Node z = b.within(-6, 6);
                return binaryCrossEntropy(sigmoid(z), b.probabilitiesLike(z));
            }),
            new Step("exp(log x)", b -> exp(log(b.positive(0.05)))),
            new Step("log(exp x)", b -> log(exp(b.within(-30, 4)))),
            new Step("sqrt(x^2)", b -> {
                Node x = b.awayFromZero();
                return sqrt(b.choose(2) == 0 ? pow(x, 2.0) : square(x));
            }),
            new Step("sqrt(square x + 0.1)", b -> sqrt(add(square(b.within(-30, 30)), 0.1))),
            // a softmax and a sigmoid written out by hand
            new Step("exp(z)/sum(exp z)", b -> b.alongAxis(new double[] {-30, 4}, (x, axis) -> div(exp(x), sum(exp(x), axis, true)))),
            new Step("exp(z-max z)/sum(exp(z-max z))", b -> b.alongAxis(Builder.IN_SOFTMAX_RANGE, (x, axis) -> {
                if (!b.noNearTies(x)) return null;
                Node e = exp(sub(x, max(x, axis, true)));
                return div(e, sum(e, axis, true));
            })),
            new Step("log(softmax z)[i]", b -> b.alongAxis(Builder.IN_SOFTMAX_RANGE,
                    (x, axis) -> log(slice(softmax(x, axis), Slice.index(b.choose(2) - 1))))),
            new Step("1-sigmoid x", b -> sub(1.0, sigmoid(b.within(-30, 3)))),
            new Step("exp(x)/(1+exp x)", b -> {
                Node x = b.within(-30, 4);
                return div(exp(x), add(1.0, exp(x)));
            }),
            new Step("1/(1+exp(-x))", b -> div(1.0, add(1.0, exp(neg(b.within(-4, 30)))))),
            // ---- specialize
            new Step("x*x", b -> {
                Node x = b.any();
                return mul(x, x);
            }),
            new Step("pow(x, 2)", b -> pow(b.any(), 2.0)),
            new Step("pow(x, 0.5)", b -> pow(b.positive(0.05), 0.5)),
            new Step("matmul(transpose a, b)", b -> b.pair((x, y) -> matmul(transpose(x), y))),
            new Step("matmul(a, transpose b)", b -> b.pair((x, y) -> matmul(x, transpose(y)))),
            new Step("matmul(a, b)+c", Builder::biasAdd),
            new Step("sum(x*y)", b -> {
                Node x = b.any();
                Node y = b.choose(3) == 0 ? b.partner(x) : b.sameType(x);
                return sum(mul(x, y));
            }),
            // two equal computations, for merging
            new Step("f(x)+f(x)", b -> {
                Node x = b.within(-30, 4);
                int f = b.choose(3);
                return add(Builder.unaryOp(f, x), Builder.unaryOp(f, x));
            }));

    /** Builds one expression. */
    private static final class Builder {
        /** Softmax of values this far apart keeps every probability far from underflow. */
        static final double[] IN_SOFTMAX_RANGE = {-20, 20};

        private final List<Integer> choices;
        private int next;
        private final SplittableRandom random;
        private final List<Input> inputs = new ArrayList<>();
        private final List<Tensor> values = new ArrayList<>();
        private final Map<String, Integer> sizes = new HashMap<>();
        private final List<Node> pool = new ArrayList<>();
        private final Map<Node, Tensor> value = new IdentityHashMap<>();
        private final List<String> written = new ArrayList<>();
        private boolean differentiated;

        Builder(List<Integer> choices, long seed) {
            this.choices = choices;
            this.random = new SplittableRandom(seed);
        }

        /** The next choice, in [0, n); 0 once the choices run out. */
        int choose(int n) { return next < choices.size() ? Math.floorMod(choices.get(next++), n) : 0; }

        Expression build() {
            int[] sizeChoices = {2, 3, 1, 4};
            int m = sizeChoices[choose(4)], k = sizeChoices[choose(4)], j = sizeChoices[choose(4)];
            Object batch = m;
            if (choose(4) == 3) {
                batch = "n";
                sizes.put("n", m);
            }
            Object[][] shapes = {{batch, k}, {k, j}, {batch, j}, {k}, {j}, {}, {1, k}, {batch, 1}, {2, k, j}, {batch, k}};
            int count = 1 + choose(4);
            for (int i = 0; i < count; i++) {
                var in = new Input(String.valueOf((char) ('a' + i)), Type.f64(shapes[choose(shapes.length)]));
                // four decimals, so that the values a failure prints are the values
                Tensor v = Tensor.uniform(concrete(in.type()), -2.0, 2.0, random).map(x -> Math.rint(x * 1e4) / 1e4);
                inputs.add(in);
                values.add(v);
                value.put(in, v);
                pool.add(in);
            }
            int steps = 1 + choose(MAX_STEPS);
            for (int s = 0; s < steps; s++) step();
            return new Expression(List.copyOf(inputs), List.copyOf(values), cost(), List.copyOf(written));
        }

        /** Writes one step: the chosen kind if the pool offers it operands, else the next kind that fits. */
        private void step() {
            int first = choose(STEPS.size());
            for (int i = 0; i < STEPS.size(); i++) {
                Step kind = STEPS.get((first + i) % STEPS.size());
                Node n;
                try {
                    n = kind.write().apply(this);
                } catch (GraftException e) { // a shape that does not fit: try the next kind
                    continue;
                }
                if (n != null && keep(n)) {
                    written.add(kind.name());
                    return;
                }
            }
        }

        /** Keeps {@code n} for later steps if its values are finite and moderate. */
        private boolean keep(Node n) {
            Tensor v = eval(n);
            for (int i = 0; i < v.size(); i++) {
                double e = v.getFlat(i);
                if (!Double.isFinite(e) || Math.abs(e) >= MAX_MAGNITUDE) return false;
            }
            pool.add(n);
            return true;
        }

        /** The sum of every node no other node uses, each summed or averaged to a scalar. */
        private Node cost() {
            Set<Node> used = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Node n : Graph.topologicalOrder(pool)) used.addAll(n.inputs());
            Node cost = null;
            for (Node n : pool) {
                if (used.contains(n)) continue;
                // the mean of no elements is NaN
                Node term = n.type().isScalar() ? n : choose(2) == 0 || eval(n).size() == 0 ? sum(n) : mean(n);
                cost = cost == null ? term : add(cost, term);
            }
            return cost;
        }

        // ---- the values, and nodes chosen by them ---------------------------------------------

        Tensor eval(Node n) {
            Tensor v = value.get(n);
            if (v != null) return v;
            if (n instanceof Constant c) v = c.value();
            else if (n instanceof Apply a) v = a.op().fprop(a.inputs().stream().map(this::eval).toList());
            else throw new IllegalStateException("no value for " + n);
            value.put(n, v);
            return v;
        }

        private Shape concrete(Type t) {
            return Shape.of(t.dims().stream().mapToInt(d -> d instanceof Dim.Size s ? s.n() : sizes.get(((Dim.Var) d).name()))
                    .toArray());
        }

        private double lo(Node n) { return stat(n, Math::min, Double.POSITIVE_INFINITY, v -> v); }

        private double hi(Node n) { return stat(n, Math::max, Double.NEGATIVE_INFINITY, v -> v); }

        private double leastMagnitude(Node n) { return stat(n, Math::min, Double.POSITIVE_INFINITY, Math::abs); }

        /** Whether every element is at least {@link #MARGIN} away from 0. */
        private static boolean clearOfZero(Tensor v) {
            for (int i = 0; i < v.size(); i++) if (!(Math.abs(v.getFlat(i)) >= MARGIN)) return false;
            return true;
        }

        /**
         * Whether x's values are clear of the kink of relu, abs and sign at 0. Not even an exact
         * 0 will do: it may be the difference of two computations that a rewrite moves apart.
         */
        boolean kinkFree(Node x) { return clearOfZero(eval(x)); }

        /** Whether a and b (broadcast) are the same node or clearly apart everywhere: a comparison of them is stable. */
        boolean apart(Node a, Node b) { return a == b || clearOfZero(eval(a).sub(eval(b))); }

        /**
         * Whether any two of x's values are equal or clearly apart: its max and min have no
         * near-ties. Equal values are copies (broadcasting) or zeros (relu), which stay equal.
         */
        boolean noNearTies(Node x) {
            double[] v = eval(x).toArray();
            Arrays.sort(v);
            for (int i = 1; i < v.length; i++) if (v[i] != v[i - 1] && v[i] - v[i - 1] < MARGIN) return false;
            return true;
        }

        private double stat(Node n, DoubleBinaryOperator f, double identity, DoubleUnaryOperator g) {
            Tensor v = eval(n);
            double out = identity;
            for (int i = 0; i < v.size(); i++) out = f.applyAsDouble(out, g.applyAsDouble(v.getFlat(i)));
            return out;
        }

        Node any() { return pool.get(choose(pool.size())); }

        /** A node of the pool that satisfies {@code ok}, or null. */
        Node any(Predicate<Node> ok) {
            List<Node> fit = pool.stream().filter(ok).toList();
            return fit.isEmpty() ? null : fit.get(choose(fit.size()));
        }

        /** A node with every value in [lo, hi]: one of the pool, else one squashed into the range by tanh. */
        Node within(double lo, double hi) {
            Node x = choose(4) == 0 ? null : any(n -> lo(n) >= lo && hi(n) <= hi);
            if (x != null) return x;
            double top = Math.min(hi, 10), bottom = Math.max(lo, -10);
            return add((top + bottom) / 2, mul((top - bottom) / 2, tanh(any())));
        }

        /** A node with every value at least {@code floor}. */
        Node positive(double floor) {
            Node x = choose(4) == 0 ? null : any(n -> lo(n) >= floor);
            if (x != null) return x;
            Node y = any();
            switch (choose(3)) {
                case 0: return add(softplus(y), floor);
                case 1: return add(square(y), floor);
                default: return add(exp(within(-3, 3)), floor);
            }
        }

        Node awayFromZero() {
            Node x = any(n -> leastMagnitude(n) >= 0.1);
            if (x != null && choose(4) != 0) return x;
            Node p = positive(0.1);
            return choose(2) == 0 ? p : neg(p);
        }

        /** A node whose type broadcasts with {@code x}'s ({@code x} itself at worst). */
        Node partner(Node x) {
            Node y = any(n -> broadcasts(x, n));
            return y == null ? x : y;
        }

        /** A node of {@code x}'s type ({@code x} itself at worst). */
        Node sameType(Node x) {
            Node y = any(n -> n.type().equals(x.type()));
            return y == null ? x : y;
        }

        static boolean broadcasts(Node a, Node b) {
            try {
                Type.broadcast(a.type(), b.type());
                return true;
            } catch (GraftException e) {
                return false;
            }
        }

        /** {@code op(x, y)} or {@code op(y, x)} for {@code y} made from {@code x}. */
        Node commuted(Node x, Function<Node, Node> other, BinaryOperator<Node> op) {
            Node y = other.apply(x);
            return choose(2) == 0 ? op.apply(x, y) : op.apply(y, x);
        }

        static Node mulOp(Node a, Node b) { return mul(a, b); }

        static Node addOp(Node a, Node b) { return add(a, b); }

        /** A constant scalar, or one shaped like a node of the pool (a symbolic dim taken as 1). */
        Constant randomConstant() {
            double v = Math.round(random.nextDouble(-2, 2) * 100) / 100.0;
            if (choose(2) == 0) return constant(v);
            return constant(Tensor.full(broadcastable(any().type()), v));
        }

        /** The dims of {@code t}, each symbolic one replaced by 1, so the shape broadcasts against t. */
        private static Shape broadcastable(Type t) {
            return Shape.of(t.dims().stream().mapToInt(d -> d instanceof Dim.Size s ? s.n() : 1).toArray());
        }

        /**
         * {@code x op c} with {@code c} a constant filled with {@code fill}: of x's own shape, or
         * of a shape that broadcasts x to a larger one (where {@code x * 1} is not x).
         */
        Node broadcastingConstant(double fill, BinaryOperator<Node> op) {
            Node x = any();
            var dims = new ArrayList<Integer>();
            for (int d : broadcastable(x.type()).dims()) dims.add(d);
            switch (choose(3)) {
                case 0: dims.add(0, 2); break;                                          // a new leading axis
                case 1: if (!dims.isEmpty()) dims.set(dims.size() - 1, 1); break;      // a size 1 that x broadcasts over
                default: break;
            }
            Constant c = constant(Tensor.full(Shape.of(dims.stream().mapToInt(Integer::intValue).toArray()), fill));
            return choose(2) == 0 ? op.apply(x, c) : op.apply(c, x);
        }

        /** Targets in [0, 1] of {@code z}'s type. */
        Node probabilitiesLike(Node z) {
            Node t = any(n -> n.type().equals(z.type()) && lo(n) >= 0 && hi(n) <= 1);
            if (t != null && choose(2) == 0) return t;
            if (z.type().isConcrete() && choose(2) == 0) {
                return constant(Tensor.uniform(z.type().shape(), 0, 1, random));
            }
            return sigmoid(sameType(z));
        }

        /** A subset of x's axes (maybe none, maybe negative), for a reduction. */
        int[] axes(Node x) {
            int rank = x.type().rank();
            int mask = choose(1 << rank);
            if (mask == 0 && choose(3) != 0) return IntStream.range(0, rank).toArray();
            return IntStream.range(0, rank).filter(a -> (mask >> a & 1) == 1).map(a -> choose(2) == 0 ? a : a - rank).toArray();
        }

        /** {@code f(x, axis)} for an x of rank 1 or more with values in {@code range}. */
        Node alongAxis(double[] range, BiFunction<Node, Integer, Node> f) {
            Node x = within(range[0], range[1]);
            if (x.type().rank() == 0) x = any(n -> n.type().rank() > 0 && lo(n) >= range[0] && hi(n) <= range[1]);
            if (x == null) return null;
            int rank = x.type().rank();
            int axis = choose(rank);
            return f.apply(x, choose(2) == 0 ? axis : axis - rank);
        }

        /** {@code op(x, y)} for the first pair of the pool, from a chosen start, where the shapes fit. */
        Node pair(BinaryOperator<Node> op) {
            int n = pool.size(), start = choose(n * n);
            for (int i = 0; i < n * n; i++) {
                int at = (start + i) % (n * n);
                try {
                    return op.apply(pool.get(at / n), pool.get(at % n));
                } catch (GraftException e) {
                    // the next pair
                }
            }
            return null;
        }

        // ---- random ops -----------------------------------------------------------------------

        static final int UNARY_OPS = 16;

        /** One of the elementwise functions, each on an operand in its domain. */
        Node unary() {
            int op = choose(UNARY_OPS);
            switch (op) {
                case 1: return exp(within(-30, 4));
                case 2: return log(positive(0.05));
                case 3: return log1p(within(-0.5, MAX_MAGNITUDE));
                case 4: return expm1(within(-30, 4));
                case 5: return sqrt(positive(0.05));
                case 7: return reciprocal(awayFromZero());
                case 8: case 9: case 13: {
                    Node x = any(this::kinkFree);
                    return x == null ? null : unaryOp(op, x);
                }
                default: return unaryOp(op, any());
            }
        }

        /** The elementwise function number {@code op} of x, for ops defined everywhere (else neg). */
        static Node unaryOp(int op, Node x) {
            switch (op) {
                case 1: return tanh(x);
                case 2: return sigmoid(x);
                case 6: return square(x);
                case 8: return abs(x);
                case 9: return sign(x);
                case 10: return sigmoid(x);
                case 11: return softplus(x);
                case 12: return tanh(x);
                case 13: return relu(x);
                case 14: return sin(x);
                case 15: return cos(x);
                default: return neg(x);
            }
        }

        /** An elementwise op of two operands that broadcast together. */
        Node binary() {
            Node x = any();
            switch (choose(6)) {
                case 0: return commuted(x, this::partner, Builder::addOp);
                case 1: return commuted(x, this::partner, (a, b) -> sub(a, b));
                case 2: return commuted(x, this::partner, Builder::mulOp);
                case 3: {
                    Node d = any(n -> broadcasts(x, n) && leastMagnitude(n) >= 0.1);
                    return div(x, d != null ? d : add(softplus(partner(x)), 0.1));
                }
                case 4: {
                    // a positive base, and an exponent either constant or of moderate size
                    Node base = lo(x) >= 0.1 ? x : add(softplus(x), 0.1);
                    Node e = any(n -> broadcasts(base, n) && Math.abs(lo(n)) <= 2 && Math.abs(hi(n)) <= 2);
                    if (e == null || choose(3) == 0) e = constant(new double[] {2, 0.5, 3, -1, 1.5}[choose(5)]);
                    return pow(base, e);
                }
                default: {
                    Node y = any(n -> broadcasts(x, n) && apart(x, n));
                    if (y == null) return null;
                    return choose(2) == 0 ? maximum(x, y) : minimum(x, y);
                }
            }
        }

        Node reduce() {
            Node x = any();
            int[] axes = axes(x);
            boolean keepdims = choose(2) == 1;
            switch (choose(5)) {
                case 0: return sum(x, axes, keepdims);
                case 1: return mean(x, axes, keepdims);
                case 2: return noNearTies(x) ? max(x, axes, keepdims) : null;
                case 3: return noNearTies(x) ? min(x, axes, keepdims) : null;
                default: return logsumexp(x, axes, keepdims);
            }
        }

        Node transposed() {
            Node x = any(n -> n.type().rank() >= 2);
            if (x == null) return null;
            if (x.type().rank() == 2 || choose(2) == 0) return transpose(x);
            int[][] perms = {{2, 0, 1}, {1, 2, 0}, {0, 2, 1}, {2, 1, 0}, {1, 0, 2}};
            return transpose(x, perms[choose(perms.length)]);
        }

        /** One of the losses, on fitting operands. */
        Node crossEntropy() {
            switch (choose(3)) {
                case 0: {
                    Node z = alongAxis(IN_SOFTMAX_RANGE, (x, axis) -> x);
                    return z == null ? null : softmaxCrossEntropy(z, targetsLike(z));
                }
                case 1: {
                    Node p = any(n -> lo(n) >= 0.02 && hi(n) <= 0.98);
                    if (p == null || choose(2) == 0) p = sigmoid(within(-6, 6));
                    return binaryCrossEntropy(p, probabilitiesLike(p));
                }
                default: {
                    Node z = any();
                    return bceWithLogits(z, choose(2) == 0 ? probabilitiesLike(z) : partner(z));
                }
            }
        }

        /** Targets for logits z: one-hot rows, probabilities from a softmax, or any values of z's type. */
        private Node targetsLike(Node z) {
            switch (choose(3)) {
                case 0:
                    if (z.type().isConcrete()) return constant(oneHotRows(z.type().shape()));
                    return softmax(sameType(z));
                case 1: return softmax(sameType(z));
                default: return sameType(z);
            }
        }

        /** 0/1 rows along the last axis, one 1 in each, at random places. */
        private Tensor oneHotRows(Shape shape) {
            int k = shape.dim(-1);
            double[] data = new double[shape.size()];
            for (int row = 0; k > 0 && row < shape.size() / k; row++) data[row * k + random.nextInt(k)] = 1;
            return Tensor.of(shape, data);
        }

        Node whereOrClip() {
            Node x = any();
            if (choose(3) == 0) {
                Node lo = constant(-1 - choose(3)), hi = constant(1 + choose(3));
                return apart(x, lo) && apart(x, hi) ? clip(x, lo, hi) : null;
            }
            Node y = partner(x), c = partner(x);
            Node d = choose(2) == 0 ? partner(c) : constant(0);
            if (!apart(c, d)) return null;
            return where(choose(2) == 0 ? greater(c, d) : less(c, d), x, y);
        }

        /** Reshape, expand_dims, squeeze or broadcast_to. */
        Node shaping() {
            Node x = any();
            int rank = x.type().rank();
            switch (choose(4)) {
                case 0: return choose(2) == 0 ? reshape(x, -1) : reshape(x, reversed(x));
                case 1: return expandDims(x, choose(rank + 1));
                case 2: {
                    int[] ones = IntStream.range(0, rank).filter(a -> x.type().dim(a).isOne()).toArray();
                    return ones.length == 0 ? null : squeeze(x, ones[choose(ones.length)]);
                }
                default: {
                    Node like = any(n -> n != x && broadcasts(x, n) && Type.broadcast(x.type(), n.type()).equals(n.type()));
                    return like == null ? null : broadcastTo(x, like);
                }
            }
        }

        /** x's dims in reverse order, a symbolic one written -1. */
        private static int[] reversed(Node x) {
            List<Dim> dims = new ArrayList<>(x.type().dims());
            Collections.reverse(dims);
            return dims.stream().mapToInt(d -> d instanceof Dim.Size s ? s.n() : -1).toArray();
        }

        Node reshapedTwice() {
            Node x = any();
            Node flat = reshape(x, -1);
            return choose(2) == 0 ? reshape(flat, reversed(x)) : reshape(flat, x);
        }

        Node sliced() {
            Node x = any(n -> n.type().rank() >= 1);
            if (x == null) return null;
            Slice[] index;
            switch (choose(4)) {
                case 0: index = new Slice[] {Slice.range(null, null, -1)}; break;
                case 1: index = new Slice[] {Slice.index(choose(2) - 1)}; break;
                case 2: index = new Slice[] {Slice.range(choose(2), 1 + choose(3))}; break;
                default: index = new Slice[] {Slice.all(), Slice.range(null, null, choose(2) == 0 ? 2 : -1)}; break;
            }
            return slice(x, index);
        }

        /** The gradient of a sum of a node with respect to an input it reads; once per expression. */
        Node gradient() {
            if (differentiated) return null;
            Node y = any(n -> n instanceof Apply);
            if (y == null) return null;
            List<Input> read = Graph.topologicalOrder(List.of(y)).stream().filter(Input.class::isInstance)
                    .map(Input.class::cast).toList();
            if (read.isEmpty()) return null;
            Node g = GradTable.grad(sum(y), read.get(choose(read.size())));
            differentiated = true;
            return g;
        }

        // ---- templates --------------------------------------------------------------------------

        /** -sum(t * log(softmax z), -1) with t one-hot rows (or probabilities), maybe averaged over the rest. */
        Node naiveCrossEntropy() {
            Node z = alongAxis(IN_SOFTMAX_RANGE, (x, axis) -> x);
            if (z == null) return null;
            Node t = z.type().isConcrete() && choose(3) != 0 ? constant(oneHotRows(z.type().shape())) : softmax(sameType(z));
            Node ce = neg(sum(mul(t, log(softmax(z))), -1));
            return choose(2) == 0 ? mean(ce) : ce;
        }

        /** matmul(a, b) + c with c broadcasting to the product: a bias. */
        Node biasAdd() {
            Node mm = pair((x, y) -> matmul(x, y));
            if (mm == null) return null;
            Node c = any(n -> broadcasts(mm, n) && Type.broadcast(mm.type(), n.type()).equals(mm.type()));
            if (c == null || choose(3) == 0) {
                int rank = mm.type().rank();
                Shape bias = rank == 0 ? Shape.scalar() : Shape.of(broadcastable(mm.type()).dim(-1));
                c = constant(Tensor.uniform(bias, -1, 1, random));
            }
            return choose(2) == 0 ? add(mm, c) : add(c, mm);
        }
    }

    /** The names in {@code written} of every expression, with how often each appears. */
    static Map<String, Long> tally(List<Expression> expressions) {
        return expressions.stream().flatMap(e -> e.written().stream())
                .collect(Collectors.groupingBy(s -> s, TreeMap::new, Collectors.counting()));
    }
}
