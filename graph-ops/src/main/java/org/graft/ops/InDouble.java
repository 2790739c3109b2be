package org.graft.ops;

import org.graft.core.Elementwise;

/**
 * The f32 loops of the functions computed in double (exp, log, sigmoid, tanh, pow, the binary
 * cross-entropy and the others whose f32 value is their f64 value rounded once): a block of
 * each operand widened into buffers of the thread's, the function's f64 loop run on them, and
 * the results rounded back. The values are those of {@code (float) f(x[i])} element by element,
 * which is how these loops were written before; that form took up to three times as long, each
 * element's widening, call of HotSpot's exp or log stub and rounding waiting on the last one's
 * (f32 exp 14.1 ns an element against 4.6, sigmoid 9.8 against 5.9; bench/README.md).
 */
final class InDouble {
    private InDouble() {}

    private static final int CHUNK = 1024; // the fused loops' block: the buffers stay in L1
    private static final int MOST_OPERANDS = 3;

    // per thread: [k] holds k operand buffers, then the result's
    private static final ThreadLocal<double[][][]> BUFFERS = ThreadLocal.withInitial(() -> {
        var byArity = new double[MOST_OPERANDS + 1][][];
        for (int k = 1; k <= MOST_OPERANDS; k++) {
            byArity[k] = new double[k][];
            for (int j = 0; j < k; j++) byArity[k][j] = new double[CHUNK];
        }
        byArity[0] = new double[][] {new double[CHUNK]};
        return byArity;
    });

    /** {@code y[i] = (float) f(x[i])} for {@code i < n}, f the f64 loop of {@code op}; {@code y} may be {@code x}. */
    static void apply(OneInput op, float[] x, float[] y, int n) {
        double[] t = BUFFERS.get()[1][0];
        for (int from = 0; from < n; from += CHUNK) {
            int m = Math.min(CHUNK, n - from);
            for (int i = 0; i < m; i++) t[i] = x[from + i];
            op.apply(t, t, m);
            for (int i = 0; i < m; i++) y[from + i] = (float) t[i];
        }
    }

    /** {@code y[i] = (float) f(a[i], b[i])} for {@code i < n}, f the f64 loop of {@code op}. */
    static void apply(Binary op, float[] a, float[] b, float[] y, int n) {
        double[][] t = BUFFERS.get()[2];
        double[] ta = t[0], tb = t[1];
        for (int from = 0; from < n; from += CHUNK) {
            int m = Math.min(CHUNK, n - from);
            for (int i = 0; i < m; i++) {
                ta[i] = a[from + i];
                tb[i] = b[from + i];
            }
            op.apply(ta, tb, ta, m);
            for (int i = 0; i < m; i++) y[from + i] = (float) ta[i];
        }
    }

    /** {@code out[i] = (float) f(in[0][i], in[1][i], ...)}, f the f64 loop of {@code op}, of at most three operands. */
    static void apply(Elementwise op, float[][] in, float[] out, int n) {
        double[][][] buffers = BUFFERS.get();
        double[][] t = buffers[in.length];
        double[] y = buffers[0][0];
        for (int from = 0; from < n; from += CHUNK) {
            int m = Math.min(CHUNK, n - from);
            for (int k = 0; k < in.length; k++) {
                float[] x = in[k];
                double[] tk = t[k];
                for (int i = 0; i < m; i++) tk[i] = x[from + i];
            }
            op.apply(t, y, m);
            for (int i = 0; i < m; i++) out[from + i] = (float) y[i];
        }
    }
}
