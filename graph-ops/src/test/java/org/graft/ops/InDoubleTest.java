package org.graft.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The f32 loops computed through blocks of doubles give, at every length (across the block's
 * 1024 and its multiples), in place or not, what rounding each element's f64 value gives; those
 * with e^x of their own (exp, sigmoid, softplus, the binary cross-entropy from logits) what their
 * one-element forms give, and tanh what it gives over the whole array; F32AccuracyTest measures
 * their distance from the f64 values. The f64 loops of sigmoid, softplus, tanh and the binary
 * cross-entropy give the bits of their one-element forms in {@link Special}, which
 * SpecialAccuracyTest measures, over all of double's range.
 */
class InDoubleTest {

    @Property(tries = 60)
    void oneOperandLoopsRoundTheF64ValuesElementByElement(@ForAll @IntRange(min = 0, max = 3000) int n, @ForAll long seed,
                                                          @ForAll boolean inPlace) {
        float[] x = floats(n, seed, -30, 30);
        int from = n / 3; // a range that does not start at 0: the elements before it stay as they were
        for (OneInput op : new OneInput[] {new Unary.Exp(), new Unary.Sigmoid(), new Unary.Softplus(), new Unary.Tanh(), new Activation.Gelu(false)}) {
            float[] want = inPlace ? x.clone() : new float[n];
            for (int i = from; i < n; i++) {
                double[] one = {x[i]};
                op.apply(one, one, 0, 1);
                if (op instanceof Unary.Exp) want[i] = (float) InDouble.exp(x[i]);
                else if (op instanceof Unary.Sigmoid) want[i] = InDouble.sigmoid(x[i]);
                else if (op instanceof Unary.Softplus) want[i] = (float) (Math.max(x[i], 0.0) + InDouble.softplusOfMinusAbs(x[i]));
                else want[i] = (float) one[0];
            }
            if (op instanceof Unary.Tanh) {
                float[] whole = new float[n];
                op.apply(x, whole, 0, n);
                System.arraycopy(whole, from, want, from, n - from);
            }
            float[] y = inPlace ? x.clone() : new float[n];
            op.apply(inPlace ? y : x.clone(), y, from, n);
            assertArrayEquals(want, y, op.toString());
        }
    }

    @Property(tries = 60)
    void twoOperandLoopsRoundTheF64ValuesElementByElement(@ForAll @IntRange(min = 0, max = 3000) int n, @ForAll long seed) {
        float[] a = floats(n, seed, -5, 5), b = floats(n, seed + 1, 0, 3);
        float[] want = new float[n], got = new float[n];
        var pow = new Binary.Pow();
        for (int i = 0; i < n; i++) want[i] = (float) Math.pow(a[i], b[i]);
        pow.apply(a, b, got, 0, n);
        assertArrayEquals(want, got, "pow");
        var bce = new Neural.BceWithLogits();
        float[] t = floats(n, seed + 2, 0, 1), gotBce = new float[n];
        bce.applyF32(new float[][] {a, t}, gotBce, 0, n);
        for (int i = 0; i < n; i++) {
            double z = a[i], w = t[i], e = InDouble.softplusOfMinusAbs(z);
            want[i] = (float) ((1 - w) * Math.max(z, 0.0) + w * Math.max(-z, 0.0) + e);
        }
        assertArrayEquals(want, gotBce, "bce_with_logits");
    }

    @Property(tries = 60)
    void f64LoopsGiveTheBitsOfTheirOneElementForms(@ForAll @IntRange(min = 0, max = 3000) int n, @ForAll long seed, @ForAll boolean inPlace) {
        double[] x = doubles(n, seed), t = doubles(n, seed + 1);
        for (int i = 0; i < n; i++) t[i] = Math.abs(t[i]) % 1.0;
        int from = n / 3;
        for (OneInput op : new OneInput[] {new Unary.Sigmoid(), new Unary.Softplus(), new Unary.Tanh()}) {
            double[] want = inPlace ? x.clone() : new double[n];
            for (int i = from; i < n; i++) {
                want[i] = op instanceof Unary.Sigmoid ? Special.sigmoid(x[i]) : op instanceof Unary.Softplus ? Special.softplus(x[i]) : Special.tanh(x[i]);
            }
            double[] y = inPlace ? x.clone() : new double[n];
            op.apply(inPlace ? y : x.clone(), y, from, n);
            assertArrayEquals(want, y, op.toString());
        }
        double[] want = new double[n], got = new double[n];
        for (int i = from; i < n; i++) {
            want[i] = (1 - t[i]) * Math.max(x[i], 0.0) + t[i] * Math.max(-x[i], 0.0) + Special.softplusOfMinusAbs(x[i]);
        }
        new Neural.BceWithLogits().apply(new double[][] {x, t}, got, from, n);
        assertArrayEquals(want, got, "bce_with_logits");
    }

    /** Mostly in [-40, 40], some beyond 700 either way, and the edges: ±0, subnormals, ±inf, NaN. */
    private static double[] doubles(int n, long seed) {
        var random = new SplittableRandom(seed);
        double[] edges = {0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN,
            709.78, -709.78, 745.5, -745.5, 22.0, -22.0, 1e-300};
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(10);
            x[i] = kind == 0 ? edges[random.nextInt(edges.length)] : kind == 1 ? random.nextDouble(-800, 800) : random.nextDouble(-40, 40);
        }
        return x;
    }

    private static float[] floats(int n, long seed, double lo, double hi) {
        var random = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextDouble(lo, hi);
        return x;
    }
}
