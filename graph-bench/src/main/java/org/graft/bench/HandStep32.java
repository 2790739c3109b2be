package org.graft.bench;

import java.util.Arrays;

import org.graft.core.blas.Blas;
import org.graft.core.blas.Gemm;

/**
 * {@link HandStep64} in float32: the same passes in the same order on {@code float[]}, every
 * product one call of {@link Gemm#sgemm}. Sums are accumulated in float32 as well, as a float32
 * step in any framework does; the problem's float64 values are rounded to float32 once.
 */
public final class HandStep32 implements TrainingStep {
    private final Problem problem;
    private final Gemm gemm = Blas.gemm();
    private final int n;
    private final int[] widths;
    private final float[] x;
    private final float[] t;
    private final float[][] w;
    private final float[][] b;
    private final float[][] a;      // a[l + 1] = relu(z_l) for the hidden layers, a[L] the logits
    private final float[][] delta;  // delta[l]: dC/dz_l times n
    private final float[] biasGrad;
    private float cost;

    public HandStep32(Problem problem) {
        this.problem = problem;
        Mlp mlp = problem.mlp();
        n = mlp.batch();
        int layers = mlp.layers();
        widths = mlp.widths().stream().mapToInt(Integer::intValue).toArray();
        x = toFloat(problem.x());
        t = toFloat(problem.targets());
        w = new float[layers][];
        b = new float[layers][];
        a = new float[layers + 1][];
        delta = new float[layers][];
        a[0] = x;
        int widest = 0;
        for (int l = 0; l < layers; l++) {
            w[l] = toFloat(problem.weights(l));
            b[l] = toFloat(problem.biases(l));
            a[l + 1] = new float[n * widths[l + 1]];
            delta[l] = new float[n * widths[l + 1]];
            widest = Math.max(widest, widths[l + 1]);
        }
        biasGrad = new float[widest];
    }

    @Override
    public void reset() {
        for (int l = 0; l < w.length; l++) {
            copy(problem.weights(l), w[l]);
            copy(problem.biases(l), b[l]);
        }
    }

    @Override
    public double step() {
        int layers = w.length;
        for (int l = 0; l < layers; l++) {
            int in = widths[l], out = widths[l + 1];
            float[] z = a[l + 1];
            for (int i = 0; i < n; i++) System.arraycopy(b[l], 0, z, i * out, out);
            gemm.sgemm(false, false, n, out, in, 1f, a[l], w[l], 1f, z);
            if (l < layers - 1) {
                for (int i = 0; i < z.length; i++) if (z[i] < 0) z[i] = 0;
            }
        }
        softmaxCrossEntropy();
        float scale = (float) (-Problem.LEARNING_RATE / n);
        for (int l = layers - 1; l >= 0; l--) {
            int in = widths[l], out = widths[l + 1];
            float[] d = delta[l];
            if (l > 0) {
                float[] below = delta[l - 1];
                float[] h = a[l];
                gemm.sgemm(false, true, n, in, out, 1f, d, w[l], 0f, below);
                for (int i = 0; i < below.length; i++) if (h[i] <= 0) below[i] = 0;
            }
            gemm.sgemm(true, false, in, out, n, scale, a[l], d, 1f, w[l]);
            Arrays.fill(biasGrad, 0, out, 0f);
            for (int i = 0; i < n; i++) {
                int row = i * out;
                for (int j = 0; j < out; j++) biasGrad[j] += d[row + j];
            }
            float[] bl = b[l];
            for (int j = 0; j < out; j++) bl[j] += scale * biasGrad[j];
        }
        return cost;
    }

    /** As {@link HandStep64}'s: one stable pass per row for the cost and {@code softmax(z) - t}. */
    private void softmaxCrossEntropy() {
        int k = widths[widths.length - 1];
        float[] z = a[a.length - 1];
        float[] d = delta[delta.length - 1];
        float total = 0;
        for (int i = 0; i < n; i++) {
            int row = i * k;
            float m = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) m = Math.max(m, z[row + j]);
            float s = 0;
            for (int j = 0; j < k; j++) {
                float e = (float) Math.exp(z[row + j] - m);
                d[row + j] = e;
                s += e;
            }
            float logS = (float) Math.log(s), inv = 1 / s;
            for (int j = 0; j < k; j++) {
                float tj = t[row + j];
                total -= tj * (z[row + j] - m - logS);
                d[row + j] = d[row + j] * inv - tj;
            }
        }
        cost = total / n;
    }

    /** The weights of layer {@code l} as they are now. */
    public float[] weights(int l) { return w[l]; }

    /** The biases of layer {@code l} as they are now. */
    public float[] biases(int l) { return b[l]; }

    private static float[] toFloat(double[] values) {
        var out = new float[values.length];
        copy(values, out);
        return out;
    }

    private static void copy(double[] from, float[] to) {
        for (int i = 0; i < from.length; i++) to[i] = (float) from[i];
    }
}
