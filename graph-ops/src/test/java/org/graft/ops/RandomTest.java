package org.graft.ops;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.bernoulli;
import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.exp;
import static org.graft.ops.Ops.grad;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.normalLike;
import static org.graft.ops.Ops.param;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.stopGradient;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.uniformLike;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;

import org.graft.core.Apply;
import org.graft.core.Grad;
import org.graft.core.GradientError;
import org.graft.core.GraftException;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.Type;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

class RandomTest {
    private static final long SEED = 20_240_611;
    private static final int MANY = 100_000; // samples for the statistics

    private final Input x = input("x", "n", 3);
    private final Input p = input("p", "n", 3);
    private final Tensor probabilities = Tensor.matrix(new double[] {0.5, 0.2, 0.9}, new double[] {0.1, 0.7, 0.3});

    /** One function drawing from all three samplers, fed x and p of shape [2, 3]. */
    private Function allThree() {
        return Compiler.compile(List.of(x, p), List.of(normalLike(x), uniformLike(x, -1, 1), bernoulli(p)));
    }

    private List<Tensor> callAllThree(Function f) { return f.call(Tensor.zeros(Shape.of(2, 3)), probabilities); }

    private static Function sampling(Input in, Node sample) { return Compiler.compile(List.of(in), List.of(sample)); }

    private static RandomGenerator stream(long seed) { return RandomGeneratorFactory.of("L64X128MixRandom").create(seed); }

    // ---- reproducibility ----------------------------------------------------------------------

    @Example
    void theSameSeedGivesTheSameSamplesBitForBitInTwoFunctions() {
        Function f = allThree().seed(SEED), g = allThree().seed(SEED);
        assertEquals(callAllThree(f), callAllThree(g));
        assertEquals(callAllThree(f), callAllThree(g));
        assertEquals(callAllThree(allThree()), callAllThree(allThree())); // from the default seed too
    }

    @Example
    void reseedingAFunctionReplaysItsSamples() {
        Function f = allThree().seed(SEED);
        List<Tensor> first = callAllThree(f), second = callAllThree(f);
        f.seed(SEED);
        assertEquals(first, callAllThree(f));
        assertEquals(second, callAllThree(f));
    }

    @Example
    void differentSeedsGiveDifferentSamples() {
        List<Tensor> a = callAllThree(allThree().seed(SEED)), b = callAllThree(allThree().seed(SEED + 1));
        assertNotEquals(a.get(0), b.get(0));
        assertNotEquals(a.get(1), b.get(1));
    }

    @Example
    void successiveCallsDrawFreshSamples() {
        Function f = allThree().seed(SEED);
        List<Tensor> a = callAllThree(f), b = callAllThree(f);
        assertNotEquals(a.get(0), b.get(0));
        assertNotEquals(a.get(1), b.get(1));
    }

    @Example
    void twoSamplesOfTheSameShapeAreIndependent() { // so merging must never make them one
        List<Tensor> out = Compiler.compile(List.of(x), List.of(normalLike(x), normalLike(x))).call(Tensor.zeros(Shape.of(2, 3)));
        assertNotEquals(out.get(0), out.get(1));
    }

    @Example
    void theOpsDrawAsTheTensorSamplersDo() {
        Shape shape = Shape.of(2, 3);
        List<Tensor> out = callAllThree(allThree().seed(SEED));
        RandomGenerator s = stream(SEED);
        assertEquals(Tensor.normal(shape, 0, 1, s), out.get(0));
        assertEquals(Tensor.uniform(shape, -1, 1, s), out.get(1));
        assertEquals(Tensor.uniform(shape, 0, 1, s).zip(probabilities, (u, q) -> u < q ? 1.0 : 0.0), out.get(2));
    }

    // ---- statistics ---------------------------------------------------------------------------
    // The seed is fixed, so these are exact replays; each tolerance is about five standard errors.

    @Example
    void normalSamplesHaveTheRequestedMeanAndVariance() {
        Input v = input("v", "n");
        Tensor z = sampling(v, normalLike(v, 2, 3)).seed(SEED).call(Tensor.zeros(Shape.of(MANY))).get(0);
        assertEquals(2.0, mean(z), 0.05);       // standard error 3 / √n ≈ 0.0095
        assertEquals(9.0, variance(z), 0.2);    // standard error 9 √(2/n) ≈ 0.04
    }

    @Example
    void uniformSamplesFillTheirIntervalWithTheRightMeanAndVariance() {
        Input v = input("v", "n");
        Tensor u = sampling(v, uniformLike(v, -2, 3)).seed(SEED).call(Tensor.zeros(Shape.of(MANY))).get(0);
        double[] values = u.toArray();
        assertTrue(Arrays.stream(values).allMatch(e -> e >= -2 && e < 3));
        assertEquals(-2, Arrays.stream(values).min().orElseThrow(), 1e-3);
        assertEquals(3, Arrays.stream(values).max().orElseThrow(), 1e-3);
        assertEquals(0.5, mean(u), 0.025);               // standard error 5 / √(12 n) ≈ 0.0046
        assertEquals(25.0 / 12, variance(u), 0.03);      // standard error ≈ 0.006
    }

    @Example
    void bernoulliFrequenciesMatchTheProbabilities() {
        int rows = 20_000;
        double[] row = {0, 0.1, 0.5, 0.9, 1};
        Input q = input("q", "n", row.length);
        Tensor ps = Tensor.vector(row).broadcastTo(Shape.of(rows, row.length));
        Tensor b = sampling(q, bernoulli(q)).seed(SEED).call(ps).get(0);
        assertTrue(Arrays.stream(b.toArray()).allMatch(e -> e == 0 || e == 1));
        Tensor frequency = b.sum(new int[] {0}, false).div(Tensor.scalar(rows));
        assertEquals(0.0, frequency.get(0), 0);          // u < 0 never holds
        assertEquals(1.0, frequency.get(4), 0);          // u < 1 always holds
        for (int j = 1; j < 4; j++) assertEquals(row[j], frequency.get(j), 0.02); // standard error ≤ 0.0036
    }

    /**
     * An f32 bernoulli compares float uniforms k 2^-24, two from each 64 bits of the stream, the
     * top 24 bits for the first and the next 24 for the second: written out here from the
     * stream's longs, and the compiled kernel, the sampler and that agree bit for bit.
     */
    @Example
    void anF32BernoulliComparesFloatUniformsOf24BitsTwoFromEach64() {
        int rows = 7; // 21 elements: the last one takes half of its draw
        Input q = new Input("q", Type.of(DType.F32, rows, 3));
        Tensor ps = Tensor.uniform(DType.F32, Shape.of(rows, 3), 0, 1, stream(1));
        Tensor compiled = sampling(q, bernoulli(q)).seed(SEED).call(ps).get(0);
        Tensor sampled = new Random.Bernoulli().sample(List.of(ps), stream(SEED));
        RandomGenerator s = stream(SEED);
        double[] want = new double[ps.size()];
        for (int i = 0; i < want.length; i += 2) {
            long bits = s.nextLong();
            want[i] = (float) ((bits >>> 40) / 16777216.0) < (float) ps.getFlat(i) ? 1 : 0;
            if (i + 1 < want.length) want[i + 1] = (float) (((bits >>> 16) & 0xFFFFFF) / 16777216.0) < (float) ps.getFlat(i + 1) ? 1 : 0;
        }
        assertEquals(DType.F32, compiled.dtype());
        assertEquals(Tensor.of(DType.F32, ps.shape(), want), compiled);
        assertEquals(compiled, sampled);
    }

    /**
     * The compiled f32 kernel draws what the reference sampler draws from the same stream, at
     * every size (none, odd ones whose last draw is half used) and for probabilities with 0 and 1
     * among them; two calls in a row continue the stream alike.
     */
    @Property(tries = 100)
    void theF32KernelDrawsWhatTheSamplerDraws(@ForAll @IntRange(min = 0, max = 40) int size, @ForAll long seed) {
        Input q = new Input("q", Type.of(DType.F32, "n"));
        RandomGenerator values = stream(seed + 1);
        double[] ps = new double[size];
        for (int i = 0; i < size; i++) ps[i] = i % 7 == 0 ? 0 : i % 7 == 1 ? 1 : values.nextDouble();
        Tensor p = Tensor.of(DType.F32, Shape.of(size), ps);
        Function f = sampling(q, bernoulli(q)).seed(seed);
        RandomGenerator s = stream(seed);
        for (int call = 0; call < 2; call++) assertEquals(new Random.Bernoulli().sample(List.of(p), s), f.call(p).get(0));
    }

    @Example
    void f32BernoulliFrequenciesMatchTheProbabilitiesAndOneAlwaysFires() {
        int rows = 20_000;
        double[] row = {0, 0.1, 0.5, 0.9, 1, 1 - 0x1p-24};
        Input q = new Input("q", Type.of(DType.F32, "n", row.length));
        Tensor ps = Tensor.vector(row).broadcastTo(Shape.of(rows, row.length)).astype(DType.F32);
        Tensor b = sampling(q, bernoulli(q)).seed(SEED).call(ps).get(0).astype(DType.F64);
        Tensor frequency = b.sum(new int[] {0}, false).div(Tensor.scalar(rows));
        assertEquals(0.0, frequency.get(0), 0);          // u < 0 never holds
        assertEquals(1.0, frequency.get(4), 0);          // u ≤ 1 - 2^-24 < 1 always holds
        for (int j = 1; j < 4; j++) assertEquals(row[j], frequency.get(j), 0.02); // standard error ≤ 0.0036
        assertEquals(1.0, frequency.get(5), 1e-3);       // fails only for u = 1 - 2^-24, one draw in 2^24
    }

    @Property(tries = 50)
    void uniformSamplesLieInTheirInterval(@ForAll long seed, @ForAll @DoubleRange(min = -1e3, max = 1e3) double lo,
                                          @ForAll @DoubleRange(min = 1e-3, max = 1e3) @Scale(6) double width) {
        Input v = input("v", "n");
        double hi = lo + width;
        Tensor u = sampling(v, uniformLike(v, lo, hi)).seed(seed).call(Tensor.zeros(Shape.of(64))).get(0);
        // lo + (hi - lo) u with u < 1 can round up to hi itself, never below lo
        assertTrue(Arrays.stream(u.toArray()).allMatch(e -> e >= lo && e <= hi), u.toString());
    }

    private static double mean(Tensor t) { return t.sum() / t.size(); }

    private static double variance(Tensor t) {
        double m = mean(t);
        return t.map(e -> (e - m) * (e - m)).sum() / (t.size() - 1);
    }

    // ---- shapes -------------------------------------------------------------------------------

    @Example
    void samplesTakeTheirInputsTypeWithSymbolicDims() {
        assertEquals(Type.f64("n", 3), normalLike(x).type());
        assertEquals(Type.f64("n", 3), uniformLike(x).type());
        assertEquals(Type.f64("n", 3), bernoulli(p).type());
        assertEquals("normal_like(x)", Apply.call(new Random.NormalLike(0, 1), List.of(x)));
        assertEquals("uniform_like(x)", Apply.call(new Random.UniformLike(0, 1), List.of(x)));
        assertEquals("bernoulli(p)", Apply.call(new Random.Bernoulli(), List.of(p)));
    }

    @Example
    void samplesFollowTheBatchSizeOfEachCallIncludingZero() {
        Function f = allThree();
        for (int n : new int[] {4, 1, 0}) {
            List<Tensor> out = f.call(Tensor.zeros(Shape.of(n, 3)), Tensor.full(Shape.of(n, 3), 0.5));
            for (Tensor t : out) assertEquals(Shape.of(n, 3), t.shape());
        }
    }

    @Example
    void aScalarGivesAScalarSample() {
        Input s = input("s");
        List<Tensor> out = Compiler.compile(List.of(s), List.of(normalLike(s), uniformLike(s), bernoulli(s)))
                .call(Tensor.scalar(1));
        for (Tensor t : out) assertEquals(Shape.scalar(), t.shape());
        assertEquals(1.0, out.get(2).item());
    }

    // ---- attributes and values ----------------------------------------------------------------

    @Example
    void attributesOutsideTheirDomainAreRefusedWhenTheOpIsMade() {
        var std = assertThrows(IllegalArgumentException.class, () -> normalLike(x, 0, -1));
        assertEquals("normal_like needs a finite mean and a finite std >= 0, found mean 0.0, std -1.0", std.getMessage());
        assertThrows(IllegalArgumentException.class, () -> normalLike(x, Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> normalLike(x, 0, Double.POSITIVE_INFINITY));
        var empty = assertThrows(IllegalArgumentException.class, () -> uniformLike(x, 1, 1));
        assertEquals("uniform_like needs finite bounds lo < hi, found lo 1.0, hi 1.0", empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> uniformLike(x, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> uniformLike(x, 0, Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> uniformLike(x, -Double.MAX_VALUE, Double.MAX_VALUE));
    }

    @Example
    void aNormalWithZeroStdIsItsMean() {
        Tensor z = sampling(x, normalLike(x, 2.5, 0)).call(Tensor.zeros(Shape.of(2, 3))).get(0);
        assertEquals(Tensor.full(Shape.of(2, 3), 2.5), z);
    }

    @Example
    void aProbabilityOutsideZeroOneIsAnErrorNamingItsValueAndIndex() {
        Function f = sampling(p, bernoulli(p));
        var above = assertThrows(GraftException.class,
                () -> f.call(Tensor.matrix(new double[] {0.5, 0.2, 0.1}, new double[] {1.5, 0, 1})));
        assertEquals("bernoulli(p): probability 1.5 at [1, 0] is outside [0, 1]", above.getMessage());
        var nan = assertThrows(GraftException.class,
                () -> f.call(Tensor.matrix(new double[] {0.5, 0.2, Double.NaN})));
        assertEquals("bernoulli(p): probability NaN at [0, 2] is outside [0, 1]", nan.getMessage());
        var below = assertThrows(GraftException.class, () -> f.call(Tensor.matrix(new double[] {0, -1e-9, 1})));
        assertEquals("bernoulli(p): probability -1.0E-9 at [0, 1] is outside [0, 1]", below.getMessage());
    }

    @Example
    void samplersRefuseFpropWithoutAStream() {
        var e = assertThrows(UnsupportedOperationException.class,
                () -> new Random.NormalLike(0, 1).fprop(List.of(Tensor.zeros(Shape.of(3)))));
        assertEquals("normal_like draws random numbers, so it has no fprop: call sample(inputs, stream), "
                + "as a compiled Function does with the stream it owns", e.getMessage());
    }

    // ---- gradients ----------------------------------------------------------------------------

    @Example
    void normalAndUniformLendOnlyTheirInputsShape() {
        for (Random op : List.of(new Random.NormalLike(0, 1), new Random.UniformLike(0, 1))) {
            assertFalse(op.connected(0));
            assertEquals(List.of(Grad.disconnected()), op.bprop(List.of(x), x, x));
        }
        var e = assertThrows(GradientError.class, () -> grad(sum(normalLike(x)), x));
        assertEquals("grad: no gradient reaches x: every path from it to the cost passes through stop_gradient or "
                + "uses only its shape (as zeros_like does)", e.getMessage());
    }

    @Example
    void aGradientThroughBernoulliIsAnErrorSayingWhy() {
        assertTrue(new Random.Bernoulli().connected(0));
        var e = assertThrows(GradientError.class, () -> grad(sum(bernoulli(p)), p));
        assertEquals("bernoulli(p) is not differentiable with respect to p: its samples are 0 or 1, a step function "
                + "of the probabilities (wrap it in stop_gradient if no gradient should pass)", e.getMessage());
    }

    @Example
    void stopGradientLetsTheGradientReachAParamBesideASample() {
        Param w = param("w", Tensor.vector(1, 2, 3));
        Node b = stopGradient(bernoulli(p));
        Node cost = sum(mul(b, w));
        List<Tensor> out = Compiler.compile(List.of(p), List.of(b, grad(cost, w))).seed(SEED).call(probabilities);
        // d/dw sum(b * w) = b, summed over the batch
        assertEquals(out.get(0).sumTo(Shape.of(3)), out.get(1));
    }

    @Example
    void theReparameterisationHasTheAnalyticGradients() {
        Input mu = input("mu", "n", 3), logvar = input("logvar", "n", 3);
        Node eps = normalLike(mu);
        Node sigma = exp(div(logvar, 2.0));
        Node z = add(mu, mul(sigma, eps));
        Node linear = sum(z), quadratic = sum(square(z));
        Function f = Compiler.compile(List.of(mu, logvar), List.of(eps, z,
                grad(linear, mu), grad(linear, logvar), grad(quadratic, mu), grad(quadratic, logvar))).seed(SEED);
        Tensor muv = Tensor.matrix(new double[] {0.3, -1, 2}, new double[] {0, 0.5, -0.2});
        Tensor lv = Tensor.matrix(new double[] {-0.4, 0, 1.2}, new double[] {0.7, -2, 0.1});
        List<Tensor> out = f.call(muv, lv);
        Tensor e = out.get(0), zv = out.get(1);
        Tensor s = lv.map(v -> Math.exp(v / 2));
        assertTrue(zv.allClose(muv.add(s.mul(e)), 1e-14, 0));
        // z = mu + exp(logvar/2) eps: dz/dmu = 1, dz/dlogvar = eps exp(logvar/2) / 2
        assertEquals(Tensor.ones(Shape.of(2, 3)), out.get(2));
        assertTrue(out.get(3).allClose(e.mul(s).div(Tensor.scalar(2)), 1e-14, 0));
        // d/dmu sum z² = 2z; d/dlogvar sum z² = 2z eps exp(logvar/2) / 2
        assertTrue(out.get(4).allClose(zv.mul(Tensor.scalar(2)), 1e-14, 0));
        assertTrue(out.get(5).allClose(zv.mul(e).mul(s), 1e-14, 0));
    }
}
