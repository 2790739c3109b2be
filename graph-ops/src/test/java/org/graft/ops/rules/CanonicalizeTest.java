package org.graft.ops.rules;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.argmax;
import static org.graft.ops.Ops.argmin;
import static org.graft.ops.Ops.bernoulli;
import static org.graft.ops.Ops.broadcastTo;
import static org.graft.ops.Ops.constant;
import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.equal;
import static org.graft.ops.Ops.expandDims;
import static org.graft.ops.Ops.fill;
import static org.graft.ops.Ops.greater;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.log;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.mean;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.neg;
import static org.graft.ops.Ops.onesLike;
import static org.graft.ops.Ops.param;
import static org.graft.ops.Ops.pow;
import static org.graft.ops.Ops.relu;
import static org.graft.ops.Ops.reshape;
import static org.graft.ops.Ops.softmaxCrossEntropy;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.squeeze;
import static org.graft.ops.Ops.stopGradient;
import static org.graft.ops.Ops.sub;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.sumTo;
import static org.graft.ops.Ops.tanh;
import static org.graft.ops.Ops.transpose;
import static org.graft.ops.Ops.zerosLike;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Graph;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.Type;
import org.graft.core.check.Tensors;
import org.graft.core.grad.GradTable;
import org.graft.core.ops.Broadcasting.BroadcastLike;
import org.graft.core.ops.Broadcasting.SumTo;
import org.graft.core.rewrite.Phase;
import org.graft.core.rewrite.Rewrite;
import org.graft.core.rewrite.Rewriter;
import org.graft.core.rewrite.Rule;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

class CanonicalizeTest {
    private static final Phase CANONICALIZE = new StandardRules().phases().get(0);

    private static final Input X = input("x", "n", 3), Y = input("y", "n", 3), V = input("v", 3), S = input("s"),
            M = input("m", 2, 3), Z = input("z", 2, 3, 4);
    private static final List<Input> INPUTS = List.of(X, Y, V, S, M, Z);

    /** A graph, the rule that must fire on it, and the graph canonicalize leaves. */
    record Fires(String rule, Node graph, String result) {
        @Override
        public String toString() { return rule + " on " + show(graph); }
    }

    /** A graph on which a rule must not fire, and why. */
    record Keeps(String rule, Node graph, String why) {
        @Override
        public String toString() { return rule + " on " + show(graph) + ": " + why; }
    }

    private static final List<Fires> FIRES = List.of(
            new Fires("x * 1 -> x", mul(X, 1.0), "x"),
            new Fires("1 * x -> x", mul(onesLike(X), X), "x"),
            new Fires("x / 1 -> x", div(V, constant(Tensor.ones(Shape.of(3)))), "v"),
            new Fires("x + 0 -> x", add(X, zerosLike(Y)), "x"),
            new Fires("0 + x -> x", add(0.0, S), "s"),
            new Fires("x - 0 -> x", sub(X, 0.0), "x"),
            new Fires("x ^ 1 -> x", pow(X, 1.0), "x"),
            new Fires("x * -1 -> -x", mul(X, -1.0), "neg(x)"),
            new Fires("-1 * x -> -x", mul(-1.0, X), "neg(x)"),
            new Fires("x / -1 -> -x", div(X, -1.0), "neg(x)"),
            new Fires("0 - x -> -x", sub(0.0, X), "neg(x)"),
            new Fires("--x -> x", neg(neg(X)), "x"),
            new Fires("-(a - b) -> b - a", neg(sub(X, Y)), "sub(y, x)"),
            new Fires("a + -b -> a - b", add(X, neg(V)), "sub(x, v)"),
            new Fires("-a + b -> b - a", add(neg(X), Y), "sub(y, x)"),
            new Fires("a - -b -> a + b", sub(X, neg(Y)), "add(x, y)"),
            new Fires("-a * -b -> a * b", mul(neg(X), neg(Y)), "mul(x, y)"),
            new Fires("-a / -b -> a / b", div(neg(X), neg(Y)), "div(x, y)"),
            new Fires("c * -x -> (-c) * x", mul(2.0, neg(X)), "mul(-2, x)"),
            new Fires("-(c * x) -> (-c) * x", neg(mul(3.0, X)), "mul(-3, x)"),
            new Fires("x - x -> 0 (x finite)", sub(greater(X, Y), greater(X, Y)), "zeros_like(greater(x, y))"),
            new Fires("x * 0 -> 0 (x finite)", mul(greater(X, Y), 0.0), "zeros_like(greater(x, y))"),
            new Fires("0 * x -> 0 (x finite)", mul(zerosLike(X), equal(X, Y)), "zeros_like(x)"),
            new Fires("x / x -> 1 (x finite, non-zero)", div(fill(X, 2.0), fill(X, 2.0)), "ones_like(fill{value=2.0}(x))"),
            new Fires("x + c -> c + x", add(X, 1.0), "add(1, x)"),
            new Fires("x * c -> c * x", mul(X, 2.0), "mul(2, x)"),
            new Fires("c1 * (c2 * x) -> (c1 c2) * x", mul(2.0, mul(X, 3.0)), "mul(6, x)"),
            new Fires("x op [c, c, ...] -> x op c", sub(M, constant(Tensor.full(Shape.of(2, 3), 0.5))), "sub(m, 0.5)"),
            new Fires("x op broadcast_to(y) -> x op y", mul(X, broadcastTo(V, Y)), "mul(x, v)"),
            new Fires("bernoulli(0 or 1) -> 0 or 1", mul(X, bernoulli(mul(1.0, onesLike(X)))), "x"),
            new Fires("bernoulli(0 or 1) -> 0 or 1", bernoulli(constant(Tensor.vector(0, 1, 1))), "constant[3]"),
            new Fires("sum_to(x) -> x", Apply.of(new SumTo(V.type()), V), "v"),
            new Fires("broadcast_to(x) -> x", Apply.of(new BroadcastLike(), X, Y), "x"),
            new Fires("broadcast_to(broadcast_to(x)) -> broadcast_to(x)", broadcastTo(broadcastTo(S, V), X), "broadcast_to(s, x)"),
            new Fires("sum(0) -> 0", sum(zerosLike(X)), "0"),
            new Fires("transpose(x) -> x", transpose(X, 0, 1), "x"),
            new Fires("transpose(transpose(x)) -> transpose(x)", transpose(transpose(X)), "x"),
            new Fires("transpose(transpose(x)) -> transpose(x)", transpose(transpose(Z, 1, 2, 0), 1, 2, 0),
                    "transpose{perm=[2, 0, 1]}(z)"),
            new Fires("reshape(x) -> x", reshape(X, -1, 3), "x"),
            new Fires("reshape(reshape(x)) -> reshape(x)", reshape(reshape(Z, 24), 4, 6), "reshape{dims=[4, 6]}(z)"),
            new Fires("reshape(reshape(x)) -> reshape(x)", squeeze(expandDims(X, 0), 0), "x"),
            new Fires("reshape(reshape(x)) -> reshape(x)", squeeze(expandDims(M, 1), 1), "m"),
            new Fires("reshape(reshape(x)) -> reshape(x)", reshape(expandDims(X, 1), -1, 3), "x"),
            new Fires("a*b + a*c -> a*(b + c)", add(mul(X, Y), mul(V, X)), "mul(x, add(y, v))"),
            new Fires("a*b - a*c -> a*(b - c)", sub(mul(Y, X), mul(Y, S)), "mul(y, sub(x, s))"));

    private static final List<Keeps> KEEPS = List.of(
            new Keeps("x * 1 -> x", mul(V, constant(Tensor.ones(Shape.of(2, 3)))), "the 1 broadcasts v to [2, 3]"),
            new Keeps("1 * x -> x", mul(onesLike(X), S), "ones_like(x) broadcasts s to [n, 3]"),
            new Keeps("x / 1 -> x", div(S, constant(Tensor.ones(Shape.of(3)))), "the 1 broadcasts s"),
            new Keeps("x + 0 -> x", add(V, zerosLike(X)), "the 0 broadcasts v"),
            new Keeps("0 + x -> x", add(constant(Tensor.zeros(Shape.of(2, 3))), V), "the 0 broadcasts v"),
            new Keeps("x - 0 -> x", sub(S, zerosLike(M)), "the 0 broadcasts s"),
            new Keeps("x ^ 1 -> x", pow(S, constant(Tensor.ones(Shape.of(3)))), "the 1 broadcasts s"),
            new Keeps("x * -1 -> -x", mul(S, constant(Tensor.full(Shape.of(3), -1))), "the -1 broadcasts s"),
            new Keeps("-1 * x -> -x", mul(constant(Tensor.full(Shape.of(3), -1)), S), "the -1 broadcasts s"),
            new Keeps("x / -1 -> -x", div(S, constant(Tensor.full(Shape.of(3), -1))), "the -1 broadcasts s"),
            new Keeps("0 - x -> -x", sub(constant(Tensor.zeros(Shape.of(2, 3))), V), "the 0 broadcasts v"),
            new Keeps("--x -> x", neg(stopGradient(neg(X))), "stop_gradient stands between the negations"),
            new Keeps("-(a - b) -> b - a", neg(add(X, Y)), "a sum, not a difference"),
            new Keeps("a + -b -> a - b", add(X, mul(-2.0, Y)), "a product by a negative constant is not a negation"),
            new Keeps("-a + b -> b - a", add(mul(-2.0, X), Y), "a product by a negative constant is not a negation"),
            new Keeps("a - -b -> a + b", sub(X, mul(-2.0, Y)), "a product by a negative constant is not a negation"),
            new Keeps("-a * -b -> a * b", mul(neg(X), Y), "one negation only"),
            new Keeps("-a / -b -> a / b", div(neg(X), Y), "one negation only"),
            new Keeps("c * -x -> (-c) * x", mul(V, neg(X)), "v is not a constant"),
            new Keeps("-(c * x) -> (-c) * x", neg(mul(V, X)), "v is not a constant"),
            new Keeps("x - x -> 0 (x finite)", sub(X, X), "inf - inf is NaN"),
            new Keeps("x * 0 -> 0 (x finite)", mul(X, 0.0), "inf * 0 is NaN"),
            new Keeps("0 * x -> 0 (x finite)", mul(zerosLike(X), X), "0 * inf is NaN"),
            new Keeps("x / x -> 1 (x finite, non-zero)", div(X, X), "0 / 0 and inf / inf are NaN"),
            new Keeps("x / x -> 1 (x finite, non-zero)", div(greater(X, Y), greater(X, Y)), "a comparison can be 0"),
            new Keeps("x + c -> c + x", add(X, V), "v is not a constant"),
            new Keeps("x * c -> c * x", mul(X, V), "v is not a constant"),
            new Keeps("c1 * (c2 * x) -> (c1 c2) * x", mul(1e300, mul(1e300, X)), "1e600 overflows"),
            new Keeps("c1 * (c2 * x) -> (c1 c2) * x", mul(1e-200, mul(1e-200, X)), "1e-400 underflows"),
            new Keeps("x op [c, c, ...] -> x op c", sub(M, constant(Tensor.matrix(new double[] {1, 2, 3}, new double[] {1, 2, 3}))),
                    "the constant holds more than one value"),
            new Keeps("x op [c, c, ...] -> x op c", add(V, constant(Tensor.full(Shape.of(2, 3), 0.5))), "the constant broadcasts v"),
            new Keeps("x op broadcast_to(y) -> x op y", add(broadcastTo(V, X), S), "s does not have the result's type"),
            new Keeps("bernoulli(0 or 1) -> 0 or 1", bernoulli(fill(X, 0.5)), "a probability of 0.5 draws"),
            new Keeps("bernoulli(0 or 1) -> 0 or 1", bernoulli(constant(Tensor.vector(0, 1, 0.25))), "one probability is 0.25"),
            new Keeps("sum_to(x) -> x", sumTo(X, Type.f64(3)), "it sums over n"),
            new Keeps("broadcast_to(x) -> x", broadcastTo(V, X), "it copies v n times"),
            new Keeps("broadcast_to(broadcast_to(x)) -> broadcast_to(x)", broadcastTo(neg(broadcastTo(S, V)), X), "a negation stands between"),
            new Keeps("sum(0) -> 0", sum(onesLike(X)), "ones sum to 3n"),
            new Keeps("sum(0) -> 0", sum(zerosLike(X), 1), "zeros of type [n]: no constant has that type"),
            new Keeps("transpose(x) -> x", transpose(X), "it swaps the axes"),
            new Keeps("transpose(transpose(x)) -> transpose(x)", transpose(neg(transpose(X))), "a negation stands between"),
            new Keeps("reshape(x) -> x", reshape(Z, 6, 4), "it changes the dims"),
            new Keeps("reshape(reshape(x)) -> reshape(x)", reshape(neg(reshape(Z, 24)), 4, 6), "a negation stands between"),
            new Keeps("a*b + a*c -> a*(b + c)", add(mul(X, Y), mul(V, S)), "no common factor"),
            new Keeps("a*b - a*c -> a*(b - c)", sub(mul(X, Y), mul(V, S)), "no common factor"));

    @Example
    void everyRuleFiresOnItsExampleAndLeavesTheExpectedGraph() {
        for (Fires c : FIRES) {
            var result = canonicalize(c.graph());
            assertTrue(rules(result).contains(c.rule()), () -> c + ": the rule did not fire; what fired: " + rules(result));
            assertEquals(c.result(), show(result.roots().get(0)), c::toString);
        }
    }

    @Example
    void noRuleFiresWhereItWouldChangeATypeOrAValue() {
        for (Keeps c : KEEPS) {
            var result = canonicalize(c.graph());
            assertFalse(rules(result).contains(c.rule()), () -> c + ": it fired, giving " + show(result.roots().get(0)));
        }
    }

    @Example
    void everyRuleHasAnExampleWhereItFiresAndOneWhereItMustNot() {
        var names = Canonicalize.RULES.stream().map(Rule::name).collect(Collectors.toSet());
        assertEquals(names, FIRES.stream().map(Fires::rule).collect(Collectors.toSet()));
        assertEquals(names, KEEPS.stream().map(Keeps::rule).collect(Collectors.toSet()));
    }

    @Property(tries = 200)
    void theExamplesKeepTheirValuesAndGradients(@ForAll("examples") Node graph, @ForAll("feeds") Feed feed) {
        assertSameValuesAndGradients(graph, feed);
    }

    @Property(tries = 100)
    void randomExpressionsKeepTheirValuesAndGradientsAndSettle(@ForAll("tapes") List<Integer> tape, @ForAll("feeds") Feed feed) {
        Node graph = new Expressions(tape).matrix(4);
        assertSameValuesAndGradients(graph, feed);
        List<Node> once = canonicalize(graph).roots();
        assertTrue(Rewriter.of(List.of(CANONICALIZE)).rewrite(once).log().isEmpty(), () -> "not settled: " + show(once.get(0)));
    }

    @Example
    void whatIeee754MakesNanStaysNanAfterCanonicalize() {
        double nan = Double.NaN;
        Input u = input("u", 3);
        Tensor at = Tensor.vector(Double.POSITIVE_INFINITY, nan, 0);
        Tensor nanWhereNotFinite = Tensor.vector(nan, nan, 0);
        assertEquals(nanWhereNotFinite, canonicalizedValue(mul(u, 0.0), u, at));
        assertEquals(nanWhereNotFinite, canonicalizedValue(mul(zerosLike(u), u), u, at));
        assertEquals(nanWhereNotFinite, canonicalizedValue(sub(u, u), u, at));
        assertEquals(Tensor.vector(nan, nan, nan), canonicalizedValue(div(u, u), u, at));
    }

    private static Tensor canonicalizedValue(Node graph, Input u, Tensor at) {
        List<Node> rewritten = canonicalize(graph).roots();
        return Compiler.compile(List.of(u), rewritten, Options.NONE).call(at).get(0);
    }

    @Example
    void argmaxOfAConstantFoldsToItsIndices() {
        var result = canonicalize(add(argmax(constant(Tensor.matrix(new double[] {1, 3, 2}, new double[] {4, 0, 4})), 1), 1.0));
        assertTrue(rules(result).contains("constant folding"), () -> "what fired: " + rules(result));
        assertTrue(result.roots().get(0) instanceof Constant c && c.value().equals(Tensor.vector(2, 1)), () -> show(result.roots().get(0)));
    }

    @Property(tries = 50)
    void indexReductionsKeepTheirValuesAndGradients(@ForAll("feeds") Feed feed) {
        for (Node graph : List.of(mean(equal(argmax(X, -1), argmax(Y, -1))), mul(argmax(M, 1), sum(M, 1)),
                sub(argmin(Z, new int[] {0, 2}, true), argmin(Z, new int[] {0, 2}, true)), argmax(mul(X, 1.0)))) {
            assertSameValuesAndGradients(graph, feed);
        }
    }

    @Example
    void aProductReadElsewhereIsNotFactoredOut() {
        Node xy = mul(X, Y);
        Node sum = add(xy, mul(X, V));
        var alone = canonicalize(sum);
        var shared = Rewriter.of(List.of(CANONICALIZE)).rewrite(List.of(sum, xy));
        assertTrue(rules(alone).contains("a*b + a*c -> a*(b + c)"));
        assertFalse(rules(shared).contains("a*b + a*c -> a*(b + c)"));
        assertEquals(Graph.topologicalOrder(List.of(sum, xy)).size(), Graph.topologicalOrder(shared.roots()).size());
    }

    @Example
    void constantsMoveLeftSoThatOnePatternMeetsBothOrders() {
        var result = Rewriter.of(List.of(CANONICALIZE)).rewrite(List.of(log(add(X, 1.0)), log(add(1.0, X))));
        assertEquals("log(add(1, x))", show(result.roots().get(0)));
        assertSame(result.roots().get(0), result.roots().get(1)); // and merging then sees one computation
    }

    /**
     * The training graph of a 64-32-10 digits MLP with an L2 penalty, as the bundled mlp.graft
     * writes it: the cost and its gradients with respect to the four params.
     */
    @Example
    void theDigitsMlpTrainingGraphShrinks() {
        var random = new Random(7);
        Input x = input("x", "n", 64), t = input("t", "n", 10);
        Param w1 = param("W1", Tensor.normal(Shape.of(64, 32), 0, 0.05, random)), b1 = param("b1", Tensor.zeros(Shape.of(32)));
        Param w2 = param("W2", Tensor.normal(Shape.of(32, 10), 0, 0.05, random)), b2 = param("b2", Tensor.zeros(Shape.of(10)));
        Node logits = add(matmul(relu(add(matmul(x, w1), b1)), w2), b2);
        Node cost = mean(softmaxCrossEntropy(logits, t));
        Node loss = add(cost, mul(1e-4, add(sum(pow(w1, 2.0)), sum(pow(w2, 2.0)))));
        assertEquals(List.of(28, 27), counts(cost, List.of(w1, b1, w2, b2)));
        // the penalty's gradient 1e-4 * broadcast(1) * (2 * W^1) becomes 0.0002 * W
        assertEquals(List.of(55, 41), counts(loss, List.of(w1, b1, w2, b2)));
    }

    /** The nodes of a cost and its gradients, before and after canonicalize. */
    private static List<Integer> counts(Node cost, List<Param> params) {
        var roots = new ArrayList<Node>(List.of(cost));
        roots.addAll(GradTable.grad(cost, params));
        List<Node> after = Rewriter.of(List.of(CANONICALIZE)).rewrite(roots).roots();
        return List.of(Graph.topologicalOrder(roots).size(), Graph.topologicalOrder(after).size());
    }

    // ---- values and gradients ------------------------------------------------------------------

    /** Values of the inputs, with the batch size n drawn from 1 to 3, and a seed for the output's weights. */
    record Feed(Map<Input, Tensor> values, long seed) {}

    @Provide
    Arbitrary<Feed> feeds() {
        return Arbitraries.integers().between(1, 3).flatMap(n -> Combinators.combine(values(n, 3), values(n, 3), values(3),
                values(), values(2, 3), values(2, 3, 4), Arbitraries.longs()).as((x, y, v, s, m, z, seed) -> {
                    var feed = new HashMap<Input, Tensor>();
                    List<Tensor> all = List.of(x, y, v, s, m, z);
                    for (int i = 0; i < INPUTS.size(); i++) feed.put(INPUTS.get(i), all.get(i));
                    return new Feed(feed, seed);
                }));
    }

    private static Arbitrary<Tensor> values(int... dims) { return Tensors.withShape(Shape.of(dims)).between(-2, 2); }

    @Provide
    Arbitrary<Node> examples() {
        return Arbitraries.of(Stream.concat(FIRES.stream().map(Fires::graph), KEEPS.stream().map(Keeps::graph)).toList());
    }

    @Provide
    Arbitrary<List<Integer>> tapes() { return Arbitraries.integers().between(0, 999).list().ofMinSize(10).ofMaxSize(80); }

    /**
     * The graph and its vector-Jacobian products with respect to every input, against: the
     * same graphs canonicalized (as compile does it: gradients first, then rewriting), and the
     * gradients of the canonicalized graph. Within 1e-9 relative, with an absolute floor of
     * 1e-12 for values that cancel to about zero; NaN and infinities must agree exactly.
     */
    private static void assertSameValuesAndGradients(Node y, Feed feed) {
        Tensor shape = run(List.of(y), feed).get(0);
        Constant gy = Constant.of(Tensor.uniform(shape.shape(), 0.5, 1.5, new SplittableRandom(feed.seed())), y.type());
        List<Node> asWritten = withGradients(y, gy);
        List<Node> rewritten = Rewriter.of(List.of(CANONICALIZE)).rewrite(asWritten).roots();
        List<Node> ofRewritten = withGradients(canonicalize(y).roots().get(0), gy);
        List<Tensor> expected = run(asWritten, feed);
        assertClose(expected, run(rewritten, feed), "canonicalized gradients of " + show(y));
        assertClose(expected, run(ofRewritten, feed), "gradients of canonicalized " + show(y));
    }

    private static List<Node> withGradients(Node y, Node gy) {
        var roots = new ArrayList<Node>(List.of(y));
        roots.addAll(GradTable.vjp(y, gy, INPUTS, GradTable.Disconnected.ZEROS));
        return roots;
    }

    private static List<Tensor> run(List<Node> roots, Feed feed) {
        return Compiler.compile(INPUTS, roots, Options.NONE).call(feed.values());
    }

    private static void assertClose(List<Tensor> expected, List<Tensor> actual, String what) {
        for (int k = 0; k < expected.size(); k++) {
            Tensor e = expected.get(k), a = actual.get(k);
            assertEquals(e.shape(), a.shape(), what);
            for (int i = 0; i < e.size(); i++) {
                int output = k, element = i;
                assertTrue(close(e.getFlat(i), a.getFlat(i)),
                        () -> what + ": output " + output + " element " + element + " is " + a.getFlat(element) + ", not " + e.getFlat(element));
            }
        }
    }

    private static boolean close(double e, double a) {
        if (Double.isNaN(e) || Double.isNaN(a)) return Double.isNaN(e) && Double.isNaN(a);
        if (e == a) return true;
        return Math.abs(e - a) <= 1e-9 * Math.max(Math.abs(e), Math.abs(a)) + 1e-12;
    }

    /**
     * Well-typed expressions of type [n, 3] read off a tape of choices, rich in what the rules
     * match: constants 0, 1, -1, negations, shared subexpressions, broadcasts, chained
     * transposes and reshapes. Values stay moderate: divisors are at least 2, no exp.
     */
    private static final class Expressions {
        private static final double[] CONSTANTS = {0, 1, -1, 2, 0.5};
        private final List<Integer> tape;
        private int at;

        Expressions(List<Integer> tape) { this.tape = tape; }

        private int next(int bound) { return at < tape.size() ? tape.get(at++) % bound : 0; }

        private double literal() { return CONSTANTS[next(CONSTANTS.length)]; }

        Node matrix(int depth) {
            if (depth == 0) {
                return switch (next(6)) {
                    case 0 -> X;
                    case 1 -> Y;
                    case 2 -> onesLike(X);
                    case 3 -> zerosLike(Y);
                    case 4 -> greater(X, Y);
                    default -> add(literal(), X);
                };
            }
            int d = depth - 1;
            switch (next(20)) {
                case 0: return add(matrix(d), matrix(d));
                case 1: return sub(matrix(d), matrix(d));
                case 2: return mul(matrix(d), matrix(d));
                case 3: return add(matrix(d), vector(d));
                case 4: return mul(scalar(d), matrix(d));
                case 5: return neg(matrix(d));
                case 6: return mul(matrix(d), literal());
                case 7: return add(literal(), matrix(d));
                case 8: {
                    Node a = matrix(d);
                    return next(2) == 0 ? sub(a, a) : mul(a, a);
                }
                case 9: {
                    Node a = matrix(d);
                    return add(mul(a, matrix(d)), mul(vector(d), a));
                }
                case 10: return transpose(transpose(matrix(d)));
                case 11: return next(2) == 0 ? reshape(expandDims(matrix(d), 1), -1, 3) : squeeze(expandDims(matrix(d), 0), 0);
                case 12: return mul(broadcastTo(vector(d), X), matrix(d));
                case 13: return div(matrix(d), add(2.0, square(matrix(d))));
                case 14: return tanh(matrix(d));
                case 15: return pow(matrix(d), literal() == 0 ? 0.0 : 1.0);
                case 16: return neg(sub(matrix(d), matrix(d)));
                case 17: return mul(neg(matrix(d)), neg(matrix(d)));
                case 18: return add(matrix(d), neg(matrix(d)));
                default: return sub(literal(), neg(mul(literal(), matrix(d))));
            }
        }

        Node vector(int depth) {
            if (depth == 0) return next(2) == 0 ? V : constant(Tensor.vector(0.5, -1, 2));
            int d = depth - 1;
            return switch (next(5)) {
                case 0 -> sumTo(matrix(d), V.type());
                case 1 -> add(vector(d), vector(d));
                case 2 -> mul(vector(d), literal());
                case 3 -> neg(vector(d));
                default -> sum(matrix(d), 0);
            };
        }

        Node scalar(int depth) {
            if (depth == 0) return next(2) == 0 ? S : constant(literal());
            int d = depth - 1;
            return switch (next(3)) {
                case 0 -> sum(matrix(d));
                case 1 -> mul(scalar(d), scalar(d));
                default -> mean(vector(d));
            };
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static Rewriter.Result canonicalize(Node graph) { return Rewriter.of(List.of(CANONICALIZE)).rewrite(List.of(graph)); }

    private static List<String> rules(Rewriter.Result result) { return result.log().stream().map(Rewrite::rule).toList(); }

    /** The graph as nested calls, {@code mul(x, add(y, v))}: inputs by name, scalar constants by value. */
    static String show(Node n) {
        if (!(n instanceof Apply a)) return n.label();
        return a.op().describe() + a.inputs().stream().map(CanonicalizeTest::show).collect(Collectors.joining(", ", "(", ")"));
    }
}
