package org.graft.ops.rules;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.binaryCrossEntropy;
import static org.graft.ops.Ops.constant;
import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.erfc;
import static org.graft.ops.Ops.exp;
import static org.graft.ops.Ops.expm1;
import static org.graft.ops.Ops.grad;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.log;
import static org.graft.ops.Ops.log1p;
import static org.graft.ops.Ops.max;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.neg;
import static org.graft.ops.Ops.pow;
import static org.graft.ops.Ops.slice;
import static org.graft.ops.Ops.sigmoid;
import static org.graft.ops.Ops.slice;
import static org.graft.ops.Ops.softmax;
import static org.graft.ops.Ops.sqrt;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sub;
import static org.graft.ops.Ops.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.apache.commons.numbers.gamma.Erfc;
import org.apache.commons.numbers.gamma.Erfcx;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.rewrite.Rewrite;
import org.graft.core.rewrite.Rewriter;
import org.graft.core.rewrite.Rule;
import org.graft.core.runtime.Compiler;
import org.graft.core.tensor.Tensor;
import org.graft.ops.Slice;

/**
 * Every stabilize rule keeps its promise after canonicalize has run, which is how the
 * compiler runs them: each rule's naive form (a witness) is written with its input in
 * disguises that canonicalize undoes or turns into another form ({@code -y} makes
 * {@code 1 + x} into {@code 1 - y}), and the whole pipeline must still compute the stable
 * value at the points where the naive form fails, to a few ulps of a reference written in
 * Java with the stable formula.
 */
class StabilizeAfterCanonicalizeTest {

    /** A rule's naive form of a vector x, the stable value it stands for, and points where the naive form fails. */
    private record Witness(String rule, UnaryOperator<Node> naive, UnaryOperator<double[]> stable, double[] at) {}

    /** A disguise of the input: the node written for it, and the value it has at y. */
    private record Disguise(String name, UnaryOperator<Node> write, UnaryOperator<double[]> value) {}

    private static final double[] T = {0.2, 0.3, 0.5}; // targets of the cross-entropies, a distribution
    private static final double[] B = {1, 0, 0.3};     // targets of the binary cross-entropy

    private static final List<Witness> WITNESSES = List.of(
            elementwise("log(1+x) -> log1p(x)", x -> log(add(1.0, x)), Math::log1p, 1e-18, -1e-17, 0.5),
            elementwise("log(1+x) -> log1p(x)", x -> log(add(x, 1.0)), Math::log1p, 1e-18, -1e-17, 0.5),
            elementwise("log(1-x) -> log1p(-x)", x -> log(sub(1.0, x)), v -> Math.log1p(-v), 1e-18, -1e-17, 0.9),
            elementwise("exp(x)-1 -> expm1(x)", x -> sub(exp(x), 1.0), Math::expm1, 1e-18, -1e-17, 2),
            elementwise("exp(x)-1 -> expm1(x)", x -> add(exp(x), -1.0), Math::expm1, 1e-18, -1e-17, 2),
            elementwise("exp(x)-1 -> expm1(x)", x -> add(-1.0, exp(x)), Math::expm1, 1e-18, -1e-17, 2),
            elementwise("log1p(exp(x)) -> softplus(x)", x -> log1p(exp(x)), R::softplus, 800, -800, 0.3),
            elementwise("log(sigmoid(x)) -> -softplus(-x)", x -> log(sigmoid(x)), v -> -R.softplus(-v), -800, 800, 0.1),
            // σ(x) read twice, as the binary cross-entropy written out reads it: alone, 1 - σ(x) would be σ(-x) first
            new Witness("log(1 - sigmoid(x)) -> -softplus(x)",
                    x -> add(mul(constant(Tensor.vector(B)), log(sigmoid(x))), mul(constant(Tensor.vector(R.complement(B))), log(sub(1.0, sigmoid(x))))),
                    z -> R.negated(R.bce(z)), new double[] {800, -800, 40}),
            elementwise("log1p(-sigmoid(x)) -> -softplus(x)", x -> log1p(neg(sigmoid(x))), v -> -R.softplus(v), 800, -800, 40),
            elementwise("log(exp(x)) -> x", x -> log(exp(x)), v -> v, 800, -800, 1),
            elementwise("exp(log(x)) -> x where x >= 0, else nan", x -> exp(log(x)), v -> v >= 0 ? v : Double.NaN, 1e300, 0, -1),
            elementwise("sqrt(x^2) -> abs(x)", x -> sqrt(pow(x, 2.0)), Math::abs, 1e200, -1e200, 3),
            elementwise("sqrt(x^2) -> abs(x)", x -> sqrt(square(x)), Math::abs, 1e200, -1e200, 3),
            elementwise("sqrt(x^2) -> abs(x)", x -> sqrt(mul(x, x)), Math::abs, 1e200, -1e200, 3),
            // -softplus(-(-x)), once log(sigmoid(-x)) is rewritten
            elementwise("-(-x) -> x", x -> log(sigmoid(neg(x))), v -> -R.softplus(v), 800, -800, 2),
            new Witness("log(softmax(x)) -> log_softmax(x)", x -> log(softmax(x)), R::logSoftmax,
                    new double[] {1000, 0, -1000}),
            new Witness("log(sum(exp(x))) -> logsumexp(x)", x -> log(sum(exp(x))), x -> new double[] {R.logSumExp(x)},
                    new double[] {1000, 1000, 0}),
            new Witness("sum(t * log_softmax(z), -1) -> -softmax_cross_entropy(z, t)",
                    z -> sum(mul(constant(Tensor.vector(T)), log(softmax(z))), -1), z -> new double[] {R.dot(T, R.logSoftmax(z))},
                    new double[] {1000, 0, -1000}),
            // targets that are no constant, which canonicalize would fold the minus sign into: exp(z - z) / 3 is 1/3
            new Witness("sum(-(t * log_softmax(z)), -1) -> softmax_cross_entropy(z, t)",
                    z -> sum(neg(mul(div(exp(sub(z, z)), 3.0), log(softmax(z)))), -1),
                    z -> new double[] {-R.dot(new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0}, R.logSoftmax(z))}, new double[] {1000, 0, -1000}),
            // the exact value for t in [0, 1] is (1 - t) softplus(z) + t softplus(-z), with no cancellation
            new Witness("binary_cross_entropy(sigmoid(z), t) -> bce_with_logits(z, t)",
                    z -> binaryCrossEntropy(sigmoid(z), constant(Tensor.vector(B))), R::bce,
                    new double[] {30, -800, 2}),
            // the gradients of naive forms, which grad builds from the naive forms themselves
            elementwise("a s / (b s) -> a / b, s > 0", x -> grad(sum(log(sigmoid(x))), x), v -> R.sigmoid(-v), -800, 800, 0.5),
            new Witness("s (a/s - c) -> a - s c, s > 0", x -> grad(sum(log(softmax(x))), x),
                    x -> {
                        double[] s = R.softmax(x), g = new double[x.length];
                        for (int i = 0; i < x.length; i++) g[i] = 1 - x.length * s[i];
                        return g;
                    }, new double[] {1000, 0, -1000}),
            new Witness("(g / sum(exp(x))) * exp(x) -> g * softmax(x)", x -> grad(log(sum(exp(x))), x),
                    R::softmax, new double[] {1000, 1000, 0}),
            // weighted: with g = 1 the quotient is 1 / (1 + e^x), which the rule for a sigmoid written out takes
            new Witness("(g / (1 + exp(x))) * exp(x) -> g * sigmoid(x)",
                    x -> grad(sum(mul(constant(Tensor.vector(T)), log(add(1.0, exp(x))))), x),
                    x -> {
                        double[] g = new double[x.length];
                        for (int i = 0; i < x.length; i++) g[i] = T[i] * R.sigmoid(x[i]);
                        return g;
                    }, new double[] {800, -800, 0}),
            // ---- a softmax or a sigmoid written out by hand, and their gradients
            new Witness("exp(x) / sum(exp(x)) -> softmax(x)", x -> div(exp(x), sum(exp(x), -1, true)), R::softmax,
                    new double[] {1000, 0, -1000}),
            new Witness("softmax(x - c) -> softmax(x), c constant along the axis", x -> {
                Node e = exp(sub(x, max(x, -1, true)));
                return div(e, sum(e, -1, true));
            }, R::softmax, new double[] {1000, 0, -1000}),
            new Witness("log(softmax(x)[i]) -> log_softmax(x)[i]", x -> log(slice(softmax(x), Slice.range(1, 3))),
                    x -> Arrays.copyOfRange(R.logSoftmax(x), 1, 3), new double[] {1000, 0, -1000}),
            elementwise("1 - sigmoid(x) -> sigmoid(-x)", x -> sub(1.0, sigmoid(x)), v -> R.sigmoid(-v), 40, 800, -800),
            elementwise("exp(x) / (1 + exp(x)) -> sigmoid(x)", x -> div(exp(x), add(1.0, exp(x))), R::sigmoid, 800, -800, 1),
            elementwise("1 / (1 + exp(-x)) -> sigmoid(x)", x -> div(1.0, add(1.0, exp(neg(x)))), R::sigmoid, 800, -800, 1),
            // σ'(x) = σ(x) σ(-x): the gradient of 1 / (1 + e^-x) holds σ(x)² e^-x once the quotient is σ(x)
            elementwise("sigmoid(x) exp(-x) -> sigmoid(-x)", x -> grad(sum(div(1.0, add(1.0, exp(neg(x))))), x),
                    v -> R.sigmoid(v) * R.sigmoid(-v), -800, 800, 0.5),
            // d/dx log softmax(x)_2 = [0, 0, 1] - softmax(x)
            new Witness("s unslice(a / s[i]) -> unslice(a), s > 0", x -> grad(log(slice(softmax(x), Slice.index(2))), x),
                    x -> {
                        double[] g = R.negated(R.softmax(x));
                        g[2] += 1;
                        return g;
                    }, new double[] {1000, 0, -1000}),
            // d/dx Σ t softmax(x) = softmax(x) (t - Σ t softmax(x)), the softmax written out
            new Witness("sum_to(a / sum(exp(x))) -> sum_to(a) / sum(exp(x)), constant along the summed axes",
                    x -> grad(sum(mul(constant(Tensor.vector(T)), div(exp(x), sum(exp(x), -1, true)))), x),
                    x -> {
                        double[] s = R.softmax(x), g = new double[x.length];
                        double ts = R.dot(T, s);
                        for (int i = 0; i < x.length; i++) g[i] = s[i] * (T[i] - ts);
                        return g;
                    }, new double[] {1000, 0, -1000}),

            // ---- logaddexp, log1mexp and log(erfc), and their gradients (issue 16) ----
            elementwise("log(exp(x) + exp(y)) -> logaddexp(x, y)", x -> log(add(exp(x), exp(neg(x)))), v -> R.logaddexp(v, -v),
                    800, -800, 0.5),
            elementwise("log(1 - exp(x)) -> log1mexp(x)", x -> log(sub(1.0, exp(x))), R::log1mexp, -1e-20, -800, -0.3),
            elementwise("log1p(-exp(x)) -> log1mexp(x)", x -> log1p(neg(exp(x))), R::log1mexp, -1e-20, -800, -0.3),
            elementwise("log(-expm1(x)) -> log1mexp(x)", x -> log(neg(expm1(x))), R::log1mexp, -1e-20, -800, -0.3),
            elementwise("log(erfc(x)) -> log(erfcx(x)) - x^2 for x > 0", x -> log(erfc(x)), R::logErfc, 30, 27, -3),
            elementwise("exp(-x^2) / erfc(x) -> 1 / erfcx(x)", x -> grad(sum(log(erfc(x))), x),
                    v -> -2 / Math.sqrt(Math.PI) / Erfcx.value(v), 30, 27, 0.5),
            // x and x reversed, so that the two terms of the gradient reach x by different paths (canonicalize would
            // take g e^x - g e^-x for g (e^x - e^-x)): d/dx_i Σ_j log(e^x_j + e^x_(2-j)) = 2 σ(x_i - x_(2-i))
            new Witness("(g / (exp(x) + exp(y))) * exp(x) -> g * sigmoid(x - y)",
                    x -> grad(sum(log(add(exp(x), exp(slice(x, Slice.range(null, null, -1)))))), x),
                    x -> new double[] {2 * R.sigmoid(x[0] - x[2]), 2 * R.sigmoid(0), 2 * R.sigmoid(x[2] - x[0])},
                    new double[] {800, -800, 0.5}));

    /** Ways to write x that canonicalize undoes, and ways to write it as the negation of another input. */
    private static final List<Disguise> DISGUISES = List.of(
            new Disguise("x", x -> x, y -> y),
            new Disguise("--x", x -> neg(neg(x)), y -> y),
            new Disguise("1*x", x -> mul(1.0, x), y -> y),
            new Disguise("x*1", x -> mul(x, 1.0), y -> y),
            new Disguise("x+0", x -> add(x, 0.0), y -> y),
            new Disguise("0+x", x -> add(0.0, x), y -> y),
            new Disguise("x-0", x -> sub(x, 0.0), y -> y),
            new Disguise("x/1", x -> div(x, 1.0), y -> y),
            new Disguise("-y", y -> neg(y), R::negated),
            new Disguise("-1*y", y -> mul(-1.0, y), R::negated),
            new Disguise("0-y", y -> sub(0.0, y), R::negated));

    @Example
    void everyStabilizeRuleHasAWitness() {
        Set<String> rules = Stabilize.RULES.stream().map(Rule::name).collect(Collectors.toCollection(TreeSet::new));
        Set<String> witnessed = WITNESSES.stream().map(Witness::rule).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(rules, witnessed);
    }

    /** Each witness as written: the compiler's pipeline fires its rule (so the witness is one). */
    @Example
    void eachWitnessFiresItsRuleInThePipeline() {
        for (Witness w : WITNESSES) {
            Input x = input("x", 3);
            var log = Rewriter.of(Rewriter.standard()).rewrite(List.of(w.naive().apply(x))).log();
            assertTrue(log.stream().map(Rewrite::rule).anyMatch(w.rule()::equals), () -> w.rule() + " did not fire: " + log);
        }
    }

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void everyWitnessInEveryDisguiseComputesTheStableValue(@ForAll("witnesses") Witness w, @ForAll("disguises") Disguise d) {
        Input y = input("y", 3);
        // the input the witness sees is d(y); choose y so that d(y) is the hard point
        double[] x = w.at();
        double[] yValue = d.value().apply(x); // both disguise kinds are their own inverses
        Node out = w.naive().apply(d.write().apply(y));
        Tensor got = Compiler.compile(List.of(y), List.of(out)).call(Tensor.vector(yValue)).get(0);
        double[] want = w.stable().apply(x);
        assertEquals(want.length, got.size(), w.rule());
        for (int i = 0; i < want.length; i++) {
            double g = got.getFlat(i), e = want[i];
            boolean close = Double.isNaN(e) ? Double.isNaN(g) : Double.isInfinite(e) ? g == e
                    : Math.abs(g - e) <= 8 * Math.ulp(e) + Double.MIN_NORMAL;
            int at = i;
            assertTrue(close, () -> w.rule() + " written with " + d.name() + " at " + x[at] + ": " + g + ", stable " + e);
        }
    }

    @Provide
    Arbitrary<Witness> witnesses() { return Arbitraries.of(WITNESSES); }

    @Provide
    Arbitrary<Disguise> disguises() { return Arbitraries.of(DISGUISES); }

    // ---- the stable references --------------------------------------------------------------

    private static Witness elementwise(String rule, UnaryOperator<Node> naive, java.util.function.DoubleUnaryOperator f,
                                       double... at) {
        return new Witness(rule, naive, x -> {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) y[i] = f.applyAsDouble(x[i]);
            return y;
        }, at);
    }

    /** The stable formulas, in Java: what each rule's replacement must compute. */
    private static final class R {
        static double[] negated(double[] x) {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) y[i] = -x[i];
            return y;
        }

        static double[] complement(double[] x) {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) y[i] = 1 - x[i];
            return y;
        }

        static double softplus(double x) { return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))); }

        static double sigmoid(double x) { return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)); }

        static double logaddexp(double a, double b) { return Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b))); }

        // Mächler's two forms, either side of -ln 2
        static double log1mexp(double x) { return x > -Math.log(2) ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x)); }

        // erfc(x) = e^(-x²) erfcx(x): its log is log erfcx(x) - x², finite where erfc underflows
        static double logErfc(double x) { return x > 0 ? Math.log(Erfcx.value(x)) - x * x : Math.log(Erfc.value(x)); }

        static double logSumExp(double[] x) {
            double m = Double.NEGATIVE_INFINITY, s = 0;
            for (double v : x) m = Math.max(m, v);
            for (double v : x) s += Math.exp(v - m);
            return m + Math.log(s);
        }

        static double[] logSoftmax(double[] x) {
            double l = logSumExp(x);
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) y[i] = x[i] - l;
            return y;
        }

        // e^(x - m) / Σ e^(x - m): exp of the log-softmax would carry the rounding of its log
        static double[] softmax(double[] x) {
            double m = Double.NEGATIVE_INFINITY, s = 0;
            for (double v : x) m = Math.max(m, v);
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) s += y[i] = Math.exp(x[i] - m);
            for (int i = 0; i < x.length; i++) y[i] /= s;
            return y;
        }

        static double[] bce(double[] z) {
            double[] y = new double[z.length];
            for (int i = 0; i < z.length; i++) y[i] = (1 - B[i]) * softplus(z[i]) + B[i] * softplus(-z[i]);
            return y;
        }

        static double dot(double[] a, double[] b) {
            double s = 0;
            for (int i = 0; i < a.length; i++) s += a[i] * b[i];
            return s;
        }
    }
}
