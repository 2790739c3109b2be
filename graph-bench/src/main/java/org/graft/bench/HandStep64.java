package org.graft.bench;

import java.util.Arrays;

import org.graft.core.blas.Blas;
import org.graft.core.blas.Gemm;

/**
 * The step written by hand in float64, as a careful engineer would without hand-written SIMD:
 * every array allocated once, every product one call of {@link Gemm#dgemm} on the back end
 * {@link Blas#gemm()} chose, with transposed operands passed as flags, and each elementwise
 * pass fused into the loop next to it.
 *
 * <p>With {@code a_0 = x}, {@code z_l = a_l W_l + b_l}, {@code a_{l+1} = relu(z_l)} and the
 * cost {@code C = (1/n) sum_i CE(softmax(z_L,i), t_i)}:
 * <pre>
 *   delta_L = softmax(z_L) - t                                        (times 1/n, folded into alpha below)
 *   delta_l = (delta_{l+1} W_{l+1}^T) * [a_{l+1} > 0]                    (relu'(0) = 0, as Graft)
 *   W_l    <- W_l - (lr/n) a_l^T delta_l,   b_l <- b_l - (lr/n) sum_i delta_l,i
 * </pre>
 * The bias enters each product through beta: {@code z_l} is filled with {@code b_l} row by row,
 * then {@code z_l = 1 a_l W_l + 1 z_l}. The weight update is one product too,
 * {@code W_l = -(lr/n) a_l^T delta_l + 1 W_l}, so no gradient matrix is ever stored; it runs
 * after {@code delta_{l-1}} has read the old {@code W_l}, so every gradient comes from the params
 * before the step, as in Graft. ReLU is applied in place on {@code z_l}, whose sign is all the
 * backward pass needs of it.
 */
public final class HandStep64 implements TrainingStep {
    private final Problem problem;
    private final Gemm gemm = Blas.gemm();
    private final int n;
    private final int[] widths;
    private final double[] x;
    private final double[] t;
    private final double[][] w;
    private final double[][] b;
    private final double[][] a;      // a[l + 1] = relu(z_l) for the hidden layers, a[L] the logits
    private final double[][] delta;  // delta[l]: dC/dz_l times n
    private final double[] biasGrad;
    private double cost;

    public HandStep64(Problem problem) {
        this.problem = problem;
        Mlp mlp = problem.mlp();
        n = mlp.batch();
        int layers = mlp.layers();
        widths = mlp.widths().stream().mapToInt(Integer::intValue).toArray();
        x = problem.x().clone();
        t = problem.targets().clone();
        w = new double[layers][];
        b = new double[layers][];
        a = new double[layers + 1][];
        delta = new double[layers][];
        a[0] = x;
        int widest = 0;
        for (int l = 0; l < layers; l++) {
            w[l] = problem.weights(l).clone();
            b[l] = problem.biases(l).clone();
            a[l + 1] = new double[n * widths[l + 1]];
            delta[l] = new double[n * widths[l + 1]];
            widest = Math.max(widest, widths[l + 1]);
        }
        biasGrad = new double[widest];
    }

    @Override
    public void reset() {
        for (int l = 0; l < w.length; l++) {
            System.arraycopy(problem.weights(l), 0, w[l], 0, w[l].length);
            System.arraycopy(problem.biases(l), 0, b[l], 0, b[l].length);
        }
    }

    @Override
    public double step() {
        int layers = w.length;
        for (int l = 0; l < layers; l++) {
            int in = widths[l], out = widths[l + 1];
            double[] z = a[l + 1];
            for (int i = 0; i < n; i++) System.arraycopy(b[l], 0, z, i * out, out);
            gemm.dgemm(false, false, n, out, in, 1.0, a[l], w[l], 1.0, z);
            if (l < layers - 1) {
                for (int i = 0; i < z.length; i++) if (z[i] < 0) z[i] = 0;
            }
        }
        softmaxCrossEntropy();
        double scale = -Problem.LEARNING_RATE / n;
        for (int l = layers - 1; l >= 0; l--) {
            int in = widths[l], out = widths[l + 1];
            double[] d = delta[l];
            if (l > 0) {
                double[] below = delta[l - 1];
                double[] h = a[l];
                gemm.dgemm(false, true, n, in, out, 1.0, d, w[l], 0.0, below);
                for (int i = 0; i < below.length; i++) if (h[i] <= 0) below[i] = 0;
            }
            gemm.dgemm(true, false, in, out, n, scale, a[l], d, 1.0, w[l]);
            Arrays.fill(biasGrad, 0, out, 0.0);
            for (int i = 0; i < n; i++) {
                int row = i * out;
                for (int j = 0; j < out; j++) biasGrad[j] += d[row + j];
            }
            double[] bl = b[l];
            for (int j = 0; j < out; j++) bl[j] += scale * biasGrad[j];
        }
        return cost;
    }

    /**
     * The cost and {@code delta_L = softmax(z) - t}, row by row in one pass each: with
     * {@code m = max z}, {@code s = sum exp(z - m)}, {@code log softmax(z) = z - m - log s}, so
     * no exp overflows; {@code CE = -sum t log softmax(z)}.
     */
    private void softmaxCrossEntropy() {
        int k = widths[widths.length - 1];
        double[] z = a[a.length - 1];
        double[] d = delta[delta.length - 1];
        double total = 0;
        for (int i = 0; i < n; i++) {
            int row = i * k;
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) m = Math.max(m, z[row + j]);
            double s = 0;
            for (int j = 0; j < k; j++) {
                double e = Math.exp(z[row + j] - m);
                d[row + j] = e;
                s += e;
            }
            double logS = Math.log(s), inv = 1 / s;
            for (int j = 0; j < k; j++) {
                double tj = t[row + j];
                total -= tj * (z[row + j] - m - logS);
                d[row + j] = d[row + j] * inv - tj;
            }
        }
        cost = total / n;
    }

    /** The weights of layer {@code l} as they are now. */
    public double[] weights(int l) { return w[l]; }

    /** The biases of layer {@code l} as they are now. */
    public double[] biases(int l) { return b[l]; }
}
