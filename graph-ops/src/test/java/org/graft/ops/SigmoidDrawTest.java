package org.graft.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * The draws of {@code bernoulli_logits}, {@code u < σ(x)}, settled from a table of σ
 * ({@link Special#drawSigmoid}): the table is within the bound its comment derives, and every
 * comparison, above all those of a u next to σ(x), is the one that computing σ(x) makes.
 */
class SigmoidDrawTest {
    /** (1/64)² / 8 · 1/(6√3) for the interpolation, and the double rounding of the table and the sum. */
    private static final double BOUND = 0x1p-12 / 8 / (6 * Math.sqrt(3)) + 1e-15;

    @Example
    void theTableIsWithinItsBoundEverywhere() {
        double worst = 0;
        for (int i = -17 * 6400; i <= 17 * 6400; i++) { // a hundred points between two of the table's
            double x = i / 6400.0;
            worst = Math.max(worst, Math.abs(Special.sigmoidNear(x) - Special.sigmoid(x)));
        }
        assertTrue(worst <= BOUND, "the table is off by " + worst + ", more than " + BOUND);
        assertEquals(0.0, Special.sigmoidNear(Double.NEGATIVE_INFINITY));
        assertEquals(1.0, Special.sigmoidNear(Double.POSITIVE_INFINITY));
        assertTrue(Double.isNaN(Special.sigmoidNear(Double.NaN)));
    }

    @Provide
    Arbitrary<Double> logits() {
        Arbitrary<Double> bits = Arbitraries.longs().map(Double::longBitsToDouble);
        Arbitrary<Double> near = Arbitraries.doubles().between(-40, 40);
        Arbitrary<Double> edges = Arbitraries.of(0.0, -0.0, 32.0, -32.0, Math.nextDown(16.0), Math.nextUp(-16.0), 16.0, -16.0,
                Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                Double.NaN, Math.log(2 + Math.sqrt(3)), -Math.log(2 + Math.sqrt(3)), -745.0, 37.0);
        return Arbitraries.frequencyOf(Tuple.of(1, bits), Tuple.of(6, near), Tuple.of(1, edges));
    }

    /**
     * In f64, u a uniform of [0, 1), or σ(x) moved by a few ulps or by up to three margins: the
     * answer is {@code u < sigmoid(x)}'s.
     */
    @Property(tries = 5000)
    void f64DrawsAreTheComparisonsWithSigma(@ForAll("logits") double x, @ForAll @IntRange(min = 0, max = 2) int how,
                                            @ForAll @IntRange(min = -1_000_000, max = 1_000_000) int offset) {
        double p = Special.sigmoid(x);
        double u = switch (how) {
            case 0 -> (offset + 1_000_000) / 2_000_001.0;
            case 1 -> Double.isNaN(p) ? 0.5 : clamp(p + (offset % 4) * Math.ulp(p));
            default -> clamp(p + offset * 1.2e-11);
        };
        assertEquals(u < p, Special.drawSigmoid(u, Special.sigmoidNear(x), x) == 1, () -> "u = " + u + ", x = " + x + ", σ(x) = " + p);
    }

    /**
     * In f32, u every float uniform k 2^-24 within 80 steps of σ(x) rounded (the margin is 67
     * steps), and random ones: the answer is {@code u < sigmoidF32(x)}'s.
     */
    @Property(tries = 2000)
    void f32DrawsAreTheComparisonsWithSigma(@ForAll("logits") double logit, @ForAll @IntRange(min = 0, max = (1 << 24) - 1) int k) {
        float x = (float) logit;
        float p = Special.sigmoidF32(x);
        float random = k * 0x1p-24f;
        assertEquals(random < p, Special.drawSigmoidF32(random, Special.sigmoidNear(x), x) == 1, () -> "u = " + random + ", x = " + x);
        if (Float.isNaN(p)) return;
        long at = Math.round(p * 0x1p24);
        for (long j = Math.max(0, at - 80); j <= Math.min((1 << 24) - 1, at + 80); j++) {
            float u = j * 0x1p-24f;
            assertEquals(u < p, Special.drawSigmoidF32(u, Special.sigmoidNear(x), x) == 1, () -> "u = " + u + ", x = " + x + ", σ(x) = " + p);
        }
    }

    private static double clamp(double u) { return Math.min(Math.max(u, 0), Math.nextDown(1.0)); }
}
