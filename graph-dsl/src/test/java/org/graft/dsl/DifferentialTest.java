package org.graft.dsl;

import static org.graft.ops.Ops.abs;
import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.argmax;
import static org.graft.ops.Ops.argmin;
import static org.graft.ops.Ops.binaryCrossEntropy;
import static org.graft.ops.Ops.concat;
import static org.graft.ops.Ops.constant;
import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.greater;
import static org.graft.ops.Ops.grad;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.logsumexp;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.max;
import static org.graft.ops.Ops.mean;
import static org.graft.ops.Ops.min;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.neg;
import static org.graft.ops.Ops.param;
import static org.graft.ops.Ops.pow;
import static org.graft.ops.Ops.relu;
import static org.graft.ops.Ops.sigmoid;
import static org.graft.ops.Ops.slice;
import static org.graft.ops.Ops.softmaxCrossEntropy;
import static org.graft.ops.Ops.split;
import static org.graft.ops.Ops.sub;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.transpose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.runtime.Compiler;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.ops.Slice;

/**
 * Programs evaluated through the language agree with the same computations built with the
 * Java API ({@link org.graft.ops.Ops}), compiled alike and fed the same input and param values.
 * The Java graphs are written from the contract's meaning of each program (precedence,
 * associativity, built-ins), not from what the compiler happens to build, so a misparse or a
 * wrong built-in shows as a difference in the numbers. Values come from a {@link Random}
 * seeded by the property's {@code seed}, which jqwik reports on a failure.
 */
class DifferentialTest {

    // ---- an MLP with softmax cross-entropy ------------------------------------------------------

    private static final String MLP = """
            input x: [n, 4]
            input y: [n, 3]
            param W1: [4, 5] = normal(0, 0.5)
            param b1: [5]    = zeros
            param W2: [5, 3] = normal(0, 0.5)
            param b2: [3]    = zeros
            const l2 = 1e-2

            fn dense(x, W, b) = x @ W + b

            h      = relu(dense(x, W1, b1))
            logits = dense(h, W2, b2)
            loss   = mean(softmax_cross_entropy(logits, y)) + l2 * (sum(W1^2) + sum(W2^2))
            gW1, gb1 = grad(loss, [W1, b1])
            gW2    = grad(loss, W2)
            gb2    = grad(loss, b2)
            gx     = grad(loss, x)
            """;

    /** The MLP of {@link #MLP} in Java, with its gradients: loss, logits, then d/dW1, b1, W2, b2, x. */
    private static List<Node> mlp(Input x, Input y, Param w1, Param b1, Param w2, Param b2) {
        Node h = relu(add(matmul(x, w1), b1));
        Node logits = add(matmul(h, w2), b2);
        Node penalty = mul(1e-2, add(sum(pow(w1, 2)), sum(pow(w2, 2))));
        Node loss = add(mean(softmaxCrossEntropy(logits, y)), penalty);
        var out = new ArrayList<Node>(List.of(loss, logits));
        for (Node w : List.of(w1, b1, w2, b2, x)) out.add(grad(loss, w));
        return out;
    }

    @Property(tries = 30)
    void anMlpWithSoftmaxCrossEntropyAndItsGradientsAgree(@ForAll long seed, @ForAll @IntRange(min = 1, max = 5) int n) {
        var random = new Random(seed);
        var values = values(
                "x", normal(random, n, 4), "y", oneHot(random, n, 3),
                "W1", normal(random, 4, 5), "b1", normal(random, 5), "W2", normal(random, 5, 3), "b2", normal(random, 3));

        Input x = input("x", "n", 4), y = input("y", "n", 3);
        var expected = run(List.of(x, y), mlp(x, y, param("W1", values.get("W1")), param("b1", values.get("b1")),
                param("W2", values.get("W2")), param("b2", values.get("b2"))), values);
        var actual = viaLanguage(MLP, values, "loss", "logits", "gW1", "gb1", "gW2", "gb2", "gx");
        assertAllClose(expected, actual);
    }

    // ---- an autoencoder with sigmoid and binary cross-entropy -----------------------------------

    private static final String AUTOENCODER = """
            input x: [n, 6]
            param W: [6, 3] = glorot_uniform
            param b: [3]    = zeros
            param c: [6]    = zeros
            code = sigmoid(x @ W + b)
            xhat = sigmoid(code @ W.T + c)
            loss = mean(sum(binary_cross_entropy(xhat, x), axis = 1))
            gW   = grad(loss, W)
            gb   = grad(loss, b)
            gc   = grad(loss, c)
            """;

    @Property(tries = 30)
    void anAutoencoderWithTiedWeightsAndBinaryCrossEntropyAgrees(@ForAll long seed, @ForAll @IntRange(min = 1, max = 5) int n) {
        var random = new Random(seed);
        var values = values("x", uniform(random, 0.05, 0.95, n, 6),
                "W", normal(random, 6, 3), "b", normal(random, 3), "c", normal(random, 6));

        Input x = input("x", "n", 6);
        Param w = param("W", values.get("W")), b = param("b", values.get("b")), c = param("c", values.get("c"));
        Node code = sigmoid(add(matmul(x, w), b));
        Node xhat = sigmoid(add(matmul(code, transpose(w)), c));
        Node loss = mean(sum(binaryCrossEntropy(xhat, x), 1));
        var expected = run(List.of(x), List.of(loss, xhat, grad(loss, w), grad(loss, b), grad(loss, c)), values);
        assertAllClose(expected, viaLanguage(AUTOENCODER, values, "loss", "xhat", "gW", "gb", "gc"));
    }

    // ---- slicing, concat and split ---------------------------------------------------------------

    private static final String SHAPES = """
            input x: [4, 6]
            rows    = x[1:3, ::2]
            last    = x[-1]
            flipped = x[::-1, 2:]
            glued   = concat([rows, flipped[0:2, 0:3]], axis = 0)
            l, m, r = split(x, 3, axis = 1)
            top, bottom = split(x, 2)
            mix     = l * r - m + concat([bottom, top])[:, 0:2]
            """;

    @Property(tries = 30)
    void slicingConcatAndSplitAgree(@ForAll long seed) {
        var random = new Random(seed);
        var values = values("x", normal(random, 4, 6));

        Input x = input("x", 4, 6);
        Node rows = slice(x, Slice.range(1, 3, 1), Slice.range(null, null, 2));
        Node last = slice(x, Slice.index(-1));
        Node flipped = slice(x, Slice.range(null, null, -1), Slice.range(2, null, 1));
        Node glued = concat(List.of(rows, slice(flipped, Slice.range(0, 2, 1), Slice.range(0, 3, 1))), 0);
        List<? extends Node> thirds = split(x, 3, 1), halves = split(x, 2, 0);
        Node mix = add(sub(mul(thirds.get(0), thirds.get(2)), thirds.get(1)),
                slice(concat(List.of(halves.get(1), halves.get(0)), 0), Slice.all(), Slice.range(0, 2, 1)));
        var expected = run(List.of(x), List.of(rows, last, flipped, glued, mix), values);
        assertAllClose(expected, viaLanguage(SHAPES, values, "rows", "last", "flipped", "glued", "mix"));
    }

    // ---- reductions with axis and keepdims -------------------------------------------------------

    private static final String REDUCTIONS = """
            input x: [n, 4, 3]
            all   = sum(x)
            a0    = sum(x, axis = 0)
            a1k   = mean(x, axis = 1, keepdims = true)
            neg   = max(x, axis = -1)
            least = min(x, 1, true)
            lse   = logsumexp(x, axis = -2, keepdims = false)
            norm  = x - logsumexp(x, axis = 2, keepdims = true)
            flat  = argmax(x)
            top   = argmax(x, axis = -1)
            low   = argmin(x, axis = 1, keepdims = true)
            """;

    @Property(tries = 30)
    void reductionsWithAxisAndKeepdimsAgree(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int n) {
        var random = new Random(seed);
        var values = values("x", normal(random, n, 4, 3));

        Input x = input("x", "n", 4, 3);
        var expected = run(List.of(x), List.of(sum(x), sum(x, 0), mean(x, 1, true), max(x, -1), min(x, 1, true),
                logsumexp(x, -2, false), sub(x, logsumexp(x, 2, true)), argmax(x), argmax(x, -1), argmin(x, 1, true)), values);
        assertAllClose(expected, viaLanguage(REDUCTIONS, values, "all", "a0", "a1k", "neg", "least", "lse", "norm",
                "flat", "top", "low"));
    }

    // ---- operator precedence ---------------------------------------------------------------------

    private static final String PRECEDENCE = """
            input a: [3, 3]
            input b: [3, 3]
            input c: [3, 3]
            input d: [3, 3]
            p = abs(a) + 0.5
            negsq  = -a^2
            recip  = p ^ -1
            left   = a - b - c
            right  = 2 ^ 3 ^ 2
            ratio  = a / p / p
            mixed  = a @ b * c
            lowest = a + b > c * d
            post   = -a.T[1] ^ 2
            powneg = p ^ -a
            """;

    @Property(tries = 30)
    void operatorsBindAsTheContractSays(@ForAll long seed) {
        var random = new Random(seed);
        var values = values("a", normal(random, 3, 3), "b", normal(random, 3, 3), "c", normal(random, 3, 3),
                "d", normal(random, 3, 3));

        Input a = input("a", 3, 3), b = input("b", 3, 3), c = input("c", 3, 3), d = input("d", 3, 3);
        Node p = add(abs(a), 0.5);
        var expected = run(List.of(a, b, c, d), List.of(
                neg(pow(a, 2)),                                      // -(a ^ 2), not (-a) ^ 2
                pow(p, -1),                                          // p ^ (-1)
                sub(sub(a, b), c),                                   // (a - b) - c
                pow(2, pow(constant(3), 2)),                         // 2 ^ (3 ^ 2)
                div(div(a, p), p),                                   // (a / p) / p
                mul(matmul(a, b), c),                                // (a @ b) * c
                greater(add(a, b), mul(c, d)),                       // (a + b) > (c * d)
                neg(pow(slice(transpose(a), Slice.index(1)), 2)),    // -((a.T[1]) ^ 2)
                pow(p, neg(a))),                                     // p ^ (-a)
                values);
        var actual = viaLanguage(PRECEDENCE, values, "negsq", "recip", "left", "right", "ratio", "mixed", "lowest", "post", "powneg");
        assertAllClose(expected, actual);
    }

    @Example
    void twoToTheThreeToTheTwoIsFiveHundredTwelve() {
        assertEquals(512.0, viaLanguage("r = 2 ^ 3 ^ 2\n", Map.of(), "r").get(0).item());
    }

    @Example
    void minusXSquaredIsNeverPositive() {
        Tensor x = Tensor.of(Shape.of(3), new double[] {-2, 0, 3});
        assertAllClose(List.of(Tensor.of(Shape.of(3), new double[] {-4, 0, -9})),
                viaLanguage("input x: [3]\nr = -x^2\n", Map.of("x", x), "r"));
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /**
     * Compiles {@code source}, gives its params and inputs the values of the same names, and
     * evaluates the named bindings.
     */
    private static List<Tensor> viaLanguage(String source, Map<String, Tensor> values, String... names) {
        Program program = Graft.compile("differential.graft", source);
        for (Param p : program.params()) p.set(values.get(p.label()));
        var outputs = new ArrayList<Node>();
        for (String name : names) outputs.add(program.bindings().get(name));
        return run(program.inputs(), outputs, values);
    }

    private static List<Tensor> run(List<Input> inputs, List<Node> outputs, Map<String, Tensor> values) {
        var fed = new ArrayList<Tensor>();
        for (Input in : inputs) fed.add(values.get(in.label()));
        return Compiler.compile(inputs, outputs).call(fed);
    }

    private static void assertAllClose(List<Tensor> expected, List<Tensor> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            Tensor e = expected.get(i), a = actual.get(i);
            assertEquals(e.shape(), a.shape(), "shape of result " + i);
            for (int k = 0; k < e.size(); k++) {
                double x = e.getFlat(k), y = a.getFlat(k);
                assertTrue(Math.abs(x - y) <= 1e-12 * (1 + Math.abs(x)), "result " + i + " at " + k + ": " + x + " vs " + y);
            }
        }
    }

    private static Map<String, Tensor> values(Object... nameValue) {
        var out = new HashMap<String, Tensor>();
        for (int i = 0; i < nameValue.length; i += 2) out.put((String) nameValue[i], (Tensor) nameValue[i + 1]);
        return out;
    }

    private static Tensor normal(Random random, int... dims) {
        Shape shape = Shape.of(dims);
        double[] data = new double[shape.size()];
        for (int i = 0; i < data.length; i++) data[i] = random.nextGaussian();
        return Tensor.of(shape, data);
    }

    private static Tensor uniform(Random random, double lo, double hi, int... dims) {
        Shape shape = Shape.of(dims);
        double[] data = new double[shape.size()];
        for (int i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * random.nextDouble();
        return Tensor.of(shape, data);
    }

    /** {@code n} one-hot rows of {@code k} classes. */
    private static Tensor oneHot(Random random, int n, int k) {
        double[] data = new double[n * k];
        for (int i = 0; i < n; i++) data[i * k + random.nextInt(k)] = 1;
        return Tensor.of(Shape.of(n, k), data);
    }
}
