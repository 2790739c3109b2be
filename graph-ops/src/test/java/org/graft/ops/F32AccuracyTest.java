package org.graft.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;

import org.junit.jupiter.api.Test;

/**
 * The f32 exp, sigmoid, softplus, tanh and binary cross-entropy from logits compute e^x with
 * vectorized loops of their own ({@link InDouble}). The f64 sigmoid, softplus, tanh and binary
 * cross-entropy share those loops, so each of their floats is the f64 op's value rounded to
 * float. The f64 exp is HotSpot's: an f32 exp is its value rounded or, where that value lies
 * within a few ulps of double of a midpoint between two floats, the float next to it. Measured
 * over a grid of every 1/256 in [-120, 120] and a million random floats, with the infinities,
 * NaN and zeros.
 */
class F32AccuracyTest {

    /** At most one in this many floats of exp may be the neighbour of the f64 value's rounding. */
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
    private static int compare(String name, float[] got, double[] want, int rare) {
        int differ = 0;
        for (int i = 0; i < got.length; i++) {
            float w = (float) want[i];
            if (Float.floatToRawIntBits(got[i]) == Float.floatToRawIntBits(w) || Float.isNaN(w) && Float.isNaN(got[i])) continue;
            assertTrue(Float.isFinite(w) && Float.isFinite(got[i]) && Math.abs(got[i] - w) <= Math.ulp(w),
                    name + " at element " + i + ": " + got[i] + " where the f64 value rounds to " + w + " (" + want[i] + ")");
            differ++;
        }
        assertTrue(differ == 0 || rare > 0 && differ <= got.length / rare, name + ": " + differ + " of " + got.length + " floats are not the rounded f64 value");
        return differ;
    }

    /** {@link #compare}s with the f64 op's values: none may differ from their rounding, or one in {@code rare}. */
    private static int checkOne(String name, OneInput op, int rare) {
        float[] x = arguments(), y = new float[x.length];
        op.apply(x, y, 0, x.length);
        double[] want = new double[x.length];
        for (int i = 0; i < x.length; i++) want[i] = x[i];
        op.apply(want, want, 0, x.length);
        return compare(name, y, want, rare);
    }

    @Test
    void expIsTheF64ValueRoundedButNextToMidpoints() { checkOne("exp", new Unary.Exp(), RARE); }

    @Test
    void sigmoidIsTheF64ValueRounded() {
        checkOne("sigmoid", new Unary.Sigmoid(), 0);
        // bernoulli_logits compares with the sigmoid of one element, which must be the loop's
        float[] x = arguments(), y = new float[x.length];
        new Unary.Sigmoid().apply(x, y, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(y[i]), Float.floatToRawIntBits(Special.sigmoidF32(x[i])), "sigmoid(" + x[i] + ")");
        }
    }

    @Test
    void softplusIsTheF64ValueRounded() { checkOne("softplus", new Unary.Softplus(), 0); }

    @Test
    void tanhIsTheF64ValueRounded() { checkOne("tanh", new Unary.Tanh(), 0); }

    @Test
    void bceWithLogitsIsTheF64ValueRounded() {
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
        compare("bce_with_logits", got, want, 0);
    }
}
