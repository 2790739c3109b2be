package org.graft.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;

import org.junit.jupiter.api.Test;

/**
 * The f32 exp, sigmoid, softplus, tanh and binary cross-entropy from logits compute e^x with
 * vectorized loops of their own ({@link InDouble}), not HotSpot's exp: each of their floats is
 * the f64 op's value rounded to float or, where that value lies within a few ulps of double of
 * a midpoint between two floats, the float next to it. Measured over a grid of every 1/256 in
 * [-120, 120] and a million random floats, with the infinities, NaN and zeros.
 */
class F32AccuracyTest {

    /** At most one in this many floats may be the neighbour of the f64 value's rounding. */
    private static final int RARE = 100_000;

    private static float[] arguments() {
        int grid = 240 * 256 + 1, random = 1_000_000;
        float[] x = new float[grid + random + 5];
        for (int i = 0; i < grid; i++) x[i] = -120 + i / 256f;
        var r = new SplittableRandom(11);
        for (int i = 0; i < random; i++) x[grid + i] = (float) (i % 2 == 0 ? r.nextDouble(-120, 120) : r.nextGaussian() * 4);
        int s = grid + random;
        x[s] = Float.POSITIVE_INFINITY;
        x[s + 1] = Float.NEGATIVE_INFINITY;
        x[s + 2] = Float.NaN;
        x[s + 3] = 0f;
        x[s + 4] = -0f;
        return x;
    }

    /** Counts the floats that differ from the rounded f64 values, failing on one more than an ulp away or of another sign or class. */
    private static int compare(String name, float[] got, double[] want) {
        int differ = 0;
        for (int i = 0; i < got.length; i++) {
            float w = (float) want[i];
            if (Float.floatToRawIntBits(got[i]) == Float.floatToRawIntBits(w) || Float.isNaN(w) && Float.isNaN(got[i])) continue;
            assertTrue(Float.isFinite(w) && Float.isFinite(got[i]) && Math.abs(got[i] - w) <= Math.ulp(w),
                    name + " at element " + i + ": " + got[i] + " where the f64 value rounds to " + w + " (" + want[i] + ")");
            differ++;
        }
        assertTrue(differ <= got.length / RARE, name + ": " + differ + " of " + got.length + " floats are not the rounded f64 value");
        return differ;
    }

    private static int checkOne(String name, OneInput op) {
        float[] x = arguments(), y = new float[x.length];
        op.apply(x, y, 0, x.length);
        double[] want = new double[x.length];
        for (int i = 0; i < x.length; i++) want[i] = x[i];
        op.apply(want, want, 0, x.length);
        return compare(name, y, want);
    }

    @Test
    void expIsTheF64ValueRoundedButNextToMidpoints() { checkOne("exp", new Unary.Exp()); }

    @Test
    void sigmoidIsTheF64ValueRoundedButNextToMidpoints() {
        checkOne("sigmoid", new Unary.Sigmoid());
        // bernoulli_logits compares with the sigmoid of one element, which must be the loop's
        float[] x = arguments(), y = new float[x.length];
        new Unary.Sigmoid().apply(x, y, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(y[i]), Float.floatToRawIntBits(Special.sigmoidF32(x[i])), "sigmoid(" + x[i] + ")");
        }
    }

    @Test
    void softplusIsTheF64ValueRoundedButNextToMidpoints() { checkOne("softplus", new Unary.Softplus()); }

    @Test
    void tanhIsTheF64ValueRoundedButNextToMidpoints() { checkOne("tanh", new Unary.Tanh()); }

    @Test
    void bceWithLogitsIsTheF64ValueRoundedButNextToMidpoints() {
        float[] z = arguments(), t = new float[z.length];
        var r = new SplittableRandom(12);
        for (int i = 0; i < t.length; i++) t[i] = i % 3 == 0 ? (float) r.nextDouble() : i % 3 - 1;
        var op = new Neural.BceWithLogits();
        float[] got = new float[z.length];
        op.applyF32(new float[][] {z, t}, got, 0, z.length);
        double[] zd = new double[z.length], td = new double[z.length], want = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            zd[i] = z[i];
            td[i] = t[i];
        }
        op.apply(new double[][] {zd, td}, want, 0, z.length);
        compare("bce_with_logits", got, want);
    }
}
