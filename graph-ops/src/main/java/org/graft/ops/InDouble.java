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

    /** {@code y[i] = (float) f(x[i])} for {@code from <= i < to}, f the f64 loop of {@code op}; {@code y} may be {@code x}. */
    static void apply(OneInput op, float[] x, float[] y, int from, int to) {
        double[] t = BUFFERS.get()[1][0];
        for (int start = from; start < to; start += CHUNK) {
            int m = Math.min(CHUNK, to - start);
            for (int i = 0; i < m; i++) t[i] = x[start + i];
            op.apply(t, t, 0, m);
            for (int i = 0; i < m; i++) y[start + i] = (float) t[i];
        }
    }

    /** {@code y[i] = (float) f(a[i], b[i])} for {@code from <= i < to}, f the f64 loop of {@code op}. */
    static void apply(Binary op, float[] a, float[] b, float[] y, int from, int to) {
        double[][] t = BUFFERS.get()[2];
        double[] ta = t[0], tb = t[1];
        for (int start = from; start < to; start += CHUNK) {
            int m = Math.min(CHUNK, to - start);
            for (int i = 0; i < m; i++) {
                ta[i] = a[start + i];
                tb[i] = b[start + i];
            }
            op.apply(ta, tb, ta, 0, m);
            for (int i = 0; i < m; i++) y[start + i] = (float) ta[i];
        }
    }

    /**
     * {@code out[i] = (float) f(in[0][i], in[1][i], ...)} for {@code from <= i < to}, f the f64
     * loop of {@code op}, of at most three operands.
     */
    static void apply(Elementwise op, float[][] in, float[] out, int from, int to) {
        double[][][] buffers = BUFFERS.get();
        double[][] t = buffers[in.length];
        double[] y = buffers[0][0];
        for (int start = from; start < to; start += CHUNK) {
            int m = Math.min(CHUNK, to - start);
            for (int k = 0; k < in.length; k++) {
                float[] x = in[k];
                double[] tk = t[k];
                for (int i = 0; i < m; i++) tk[i] = x[start + i];
            }
            op.apply(t, y, 0, m);
            for (int i = 0; i < m; i++) out[start + i] = (float) y[i];
        }
    }
}
