package org.graft.ops;

import org.graft.core.Elementwise;

/**
 * Loops of functions computed in double that C2 vectorizes. For f32 (exp, log, sigmoid, tanh,
 * pow, the binary cross-entropy and the others whose f32 value is their f64 value rounded
 * once): a block of each operand widened into buffers of the thread's, the function's f64 loop
 * run on them, and the results rounded back. The values are those of {@code (float) f(x[i])}
 * element by element, which is how these loops were written before; that form took up to three
 * times as long, each element's widening, call of HotSpot's exp or log stub and rounding waiting
 * on the last one's (f32 exp 14.1 ns an element against 4.6, sigmoid 9.8 against 5.9;
 * bench/README.md).
 *
 * <p>exp, sigmoid, softplus, tanh and the binary cross-entropy from logits compute e^x (e^x - 1
 * for tanh) here with loops that C2 vectorizes ({@link #exp(double[], double[], double[], int)})
 * rather than a call of HotSpot's exp stub per element, and log1p of e^-|x| as a series. The
 * f64 sigmoid, softplus, tanh and binary cross-entropy run the same loops over all of double's
 * range (at the end), so the f32 values of those four are the f64 values rounded once. f64 exp
 * is HotSpot's: the f32 exp's double values are within a few ulps of it, so its floats are the
 * f64 values rounded once but where such a value lies within those few ulps of a midpoint
 * between two floats, where they may be the float next to it (F32AccuracyTest counts them).
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

    // ---- e^x in loops that C2 vectorizes, for the f32 functions -------------------------------

    /**
     * e^x's argument is clamped to [-110, 110] first: beyond it e^x is 0 or infinite in float,
     * and so are 1 / (1 + e^x) and log1p(e^x) next to the terms they are added to.
     */
    private static final double CLAMP = 110;
    private static final double LOG2E = 1.4426950408889634;
    // fdlibm's ln 2 in two parts: n LN2_HI is exact for |n| < 2^20
    private static final double LN2_HI = 6.93147180369123816490e-01, LN2_LO = 1.90821492927058770002e-10;
    /**
     * The f64 loops' clamp: below -746 e^x is under half the least subnormal, and from 710 on
     * beyond the largest double.
     */
    private static final double LOWEST_64 = -746, HIGHEST_64 = 710;
    /** Added to a number below 2^51 in size, rounds it to an integer, which the sum's low 32 bits hold. */
    private static final double SHIFT = 0x1.8p52;
    private static final int POW2_BIAS = 2048;
    private static final double[] POW2 = new double[2 * POW2_BIAS]; // 2^(j - 2048): 0 below 2^-1074, inf from 2^1024

    static {
        for (int j = 0; j < POW2.length; j++) POW2[j] = Math.scalb(1.0, j - POW2_BIAS);
    }

    /**
     * {@code y[i] = e^x[i]} for {@code i < m}, to within 2 ulps of double, x clamped to
     * [-110, 110]; {@code k} is scratch of m elements, y may be x. e^x = 2^n e^r with n the
     * integer nearest x / ln 2 and |r| at most ln 2 / 2, e^r its Taylor polynomial of degree 12
     * (the remainder below 2e-16 of it). The first loop, which does all of that but 2^n, has no
     * call, branch or move of bits between a double and a long, so C2 vectorizes it (the same
     * loop with Math.rint for the rounding did not vectorize); the second multiplies by 2^n from a
     * table, one element at a time. Over 78,400 floats in blocks of 1024, with their widening and
     * rounding: 2.4-2.6 ns an element against 4.5-5.4 for Math.exp (bench/README.md).
     */
    static void exp(double[] x, double[] y, double[] k, int m) {
        reduce(x, y, k, m, -CLAMP, CLAMP);
        for (int i = 0; i < m; i++) y[i] = (y[i] + 1.0) * pow2(k[i]);
    }

    /** {@code y[i] = e^r - 1} and {@code k[i] = n + SHIFT} for x = n ln 2 + r, x clamped to [lo, hi]: the loop that C2 vectorizes. */
    private static void reduce(double[] x, double[] y, double[] k, int m, double lo, double hi) {
        for (int i = 0; i < m; i++) {
            double v = Math.min(Math.max(x[i], lo), hi);
            double t = v * LOG2E + SHIFT;
            y[i] = expm1OfReduced(v, t - SHIFT);
            k[i] = t;
        }
    }

    /** e^x as {@link #exp(double[], double[], double[], int)} computes it, for one element: the same operations, the same bits. */
    static double exp(double x) {
        double v = Math.min(Math.max(x, -CLAMP), CLAMP);
        double t = v * LOG2E + SHIFT;
        return (expm1OfReduced(v, t - SHIFT) + 1.0) * pow2(t);
    }

    /** 2^n for n in the low bits of {@code t = n + SHIFT} (any index for NaN, whose product stays NaN). */
    private static double pow2(double t) { return POW2[((int) Double.doubleToRawLongBits(t) + POW2_BIAS) & (POW2.length - 1)]; }

    // e^r - 1, r = v - n ln 2, by Horner's rule: r (1 + r/2 + ... + r^11/12!), whose rest is below
    // 5e-16 of it, so that e^r - 1 keeps its digits where r is small
    private static double expm1OfReduced(double v, double n) {
        double r = v - n * LN2_HI - n * LN2_LO;
        double p = 1.0 / 479001600 * r + 1.0 / 39916800;
        p = p * r + 1.0 / 3628800;
        p = p * r + 1.0 / 362880;
        p = p * r + 1.0 / 40320;
        p = p * r + 1.0 / 5040;
        p = p * r + 1.0 / 720;
        p = p * r + 1.0 / 120;
        p = p * r + 1.0 / 24;
        p = p * r + 1.0 / 6;
        p = p * r + 0.5;
        p = p * r + 1.0;
        return p * r;
    }

    /**
     * {@code y[i] = e^x[i] - 1} for {@code i < m}, as {@link #exp(double[], double[], double[], int)}
     * but for the 1: 2^n (e^r - 1) + (2^n - 1), written {@code 2^n q - (1 - 2^n)} so that n = 0
     * leaves q, -0 included.
     */
    static void expm1(double[] x, double[] y, double[] k, int m) {
        reduce(x, y, k, m, -CLAMP, CLAMP);
        for (int i = 0; i < m; i++) {
            double s = pow2(k[i]);
            y[i] = s * y[i] - (1.0 - s);
        }
    }

    /**
     * log(1 + u) for u in [0, 1] (an e^-|x|), with no log: 2 atanh(s) = 2 (s + s³/3 + s⁵/5 + ...)
     * for s = u / (2 + u), at most 1/3, to the term in s^33, past which the series' rest is below
     * 2e-17 of it. u's digits all count, since 1 + u is never formed.
     */
    static double log1pOfUnit(double u) {
        double s = u / (2.0 + u), z = s * s;
        double p = 1.0 / 33 * z + 1.0 / 31;
        p = p * z + 1.0 / 29;
        p = p * z + 1.0 / 27;
        p = p * z + 1.0 / 25;
        p = p * z + 1.0 / 23;
        p = p * z + 1.0 / 21;
        p = p * z + 1.0 / 19;
        p = p * z + 1.0 / 17;
        p = p * z + 1.0 / 15;
        p = p * z + 1.0 / 13;
        p = p * z + 1.0 / 11;
        p = p * z + 1.0 / 9;
        p = p * z + 1.0 / 7;
        p = p * z + 1.0 / 5;
        p = p * z + 1.0 / 3;
        p = p * z + 1.0;
        return 2.0 * s * p;
    }

    /** {@code y[i] = (float) e^x[i]} for {@code from <= i < to}; y may be x. */
    static void exp(float[] x, float[] y, int from, int to) { ofExp(Form.EXP, x, y, from, to); }

    /** {@code y[i] = (float) (1 / (1 + e^-x[i]))} for {@code from <= i < to}, as {@link #sigmoid(float)}; y may be x. */
    static void sigmoid(float[] x, float[] y, int from, int to) { ofExp(Form.SIGMOID, x, y, from, to); }

    /**
     * {@code y[i] = (float) tanh(x[i])} for {@code from <= i < to}, as e / (e + 2) with e = e^2x - 1
     * from {@link #expm1}, which needs no sign put back (for x < 0, e is in (-1, 0]); y may be x.
     */
    static void tanh(float[] x, float[] y, int from, int to) { ofExp(Form.TANH, x, y, from, to); }

    /** The functions of one e^x: e^x, 1 / (1 + e^-x), and e / (e + 2) of e = e^2x - 1. */
    private enum Form {
        EXP(1), SIGMOID(-1), TANH(2);

        final double scale; // of x, exactly: e^(scale x)

        Form(double scale) { this.scale = scale; }
    }

    private static void ofExp(Form form, float[] x, float[] y, int from, int to) {
        double[][] t = BUFFERS.get()[2];
        double[] v = t[0], k = t[1];
        double scale = form.scale;
        for (int start = from; start < to; start += CHUNK) {
            int m = Math.min(CHUNK, to - start);
            for (int i = 0; i < m; i++) v[i] = scale * x[start + i];
            if (form == Form.TANH) {
                expm1(v, v, k, m);
                for (int i = 0; i < m; i++) v[i] = v[i] / (v[i] + 2.0);
            } else {
                exp(v, v, k, m);
                if (form == Form.SIGMOID) for (int i = 0; i < m; i++) v[i] = 1.0 / (1.0 + v[i]);
            }
            for (int i = 0; i < m; i++) y[start + i] = (float) v[i];
        }
    }

    /**
     * The f32 sigmoid of one element, with the bits of {@link #sigmoid(float[], float[], int, int)}'s:
     * 1 / (1 + e^-x) in double, within a few ulps of double at every x (e^-x's error passes to
     * the quotient scaled by e^-x / (1 + e^-x) < 1), rounded once. -x is taken as -1 times x, as
     * the loop takes it, so that a NaN's sign bit is the loop's too.
     */
    static float sigmoid(float x) { return (float) (1.0 / (1.0 + exp(Form.SIGMOID.scale * x))); }

    /**
     * {@code e[i] = log1p(e^-|x[i]|)} for {@code i < m}, the part softplus(x) and softplus(-x)
     * share, as {@link #softplusOfMinusAbs(double)}; k is scratch. The log1p has a loop of its
     * own: joined with the sum after it in the binary cross-entropy, C2 left that loop scalar
     * (13.6 ns an element for the whole, against 4.9). e^-|x| comes from {@link #exp64}, the f64
     * kernels' e^x, so that the f32 softplus and cross-entropy are the f64 ones rounded.
     */
    private static void softplusOfMinusAbs(double[] x, double[] e, double[] k, int m) {
        for (int i = 0; i < m; i++) e[i] = -Math.abs(x[i]);
        exp64(e, e, k, m);
        for (int i = 0; i < m; i++) e[i] = log1pOfUnit(e[i]);
    }

    /** {@code y[i] = (float) softplus(x[i])}, {@code max(x, 0) + log1p(e^-|x|)}, for {@code from <= i < to}; y may be x. */
    static void softplus(float[] x, float[] y, int from, int to) {
        double[][] t = BUFFERS.get()[3];
        double[] v = t[0], e = t[1], k = t[2];
        for (int start = from; start < to; start += CHUNK) {
            int m = Math.min(CHUNK, to - start);
            for (int i = 0; i < m; i++) v[i] = x[start + i];
            softplusOfMinusAbs(v, e, k, m);
            for (int i = 0; i < m; i++) v[i] = Math.max(v[i], 0.0) + e[i];
            for (int i = 0; i < m; i++) y[start + i] = (float) v[i];
        }
    }

    /**
     * The binary cross-entropy from logits, {@code (1 - t) max(z, 0) + t max(-z, 0) + log1p(e^-|z|)}
     * as {@link Neural.BceWithLogits} writes it, rounded to {@code out[i]} for {@code from <= i < to}.
     */
    static void bceWithLogits(float[] z, float[] t, float[] out, int from, int to) {
        double[][][] buffers = BUFFERS.get();
        double[][] b = buffers[3];
        double[] a = b[0], c = b[1], e = b[2], k = buffers[0][0];
        for (int start = from; start < to; start += CHUNK) {
            int m = Math.min(CHUNK, to - start);
            for (int i = 0; i < m; i++) a[i] = z[start + i];
            for (int i = 0; i < m; i++) c[i] = t[start + i];
            softplusOfMinusAbs(a, e, k, m);
            for (int i = 0; i < m; i++) a[i] = (1 - c[i]) * Math.max(a[i], 0.0) + c[i] * Math.max(-a[i], 0.0) + e[i];
            for (int i = 0; i < m; i++) out[start + i] = (float) a[i];
        }
    }

    // ---- the f64 loops of the same functions ----------------------------------------------------

    /*
     * The f64 sigmoid, softplus, tanh and binary cross-entropy take e^x from the same vectorized
     * loop, over all of double's range: where HotSpot's exp stub (and for the last three its log
     * stub too) is called per element, these took 8-21 ns an element (the autoencoders' f64
     * steps spent 9-10% of their time there, LeNet's 12% in tanh; bench/README.md). Each loop has a scalar twin,
     * made of the same operations, for the ops that need one value: the Bernoulli draws compare
     * with the sigmoid op's value to the bit, and Special's sigmoid, softplus and tanh are these.
     */

    /**
     * {@code y[i] = e^x[i]} for {@code i < m}, over all of double's range: within 2 ulps of double
     * where e^x is normal, 0 below -746, infinite from 710 on (and from about 709.78, where e^x
     * passes the largest double); k is scratch, y may be x. 2^n is applied as 2^(n-1) times 2,
     * so that e^x just below the largest double, whose n is 1024, is not taken as 2^1024 = inf.
     */
    static void exp64(double[] x, double[] y, double[] k, int m) {
        reduce(x, y, k, m, LOWEST_64, HIGHEST_64);
        for (int i = 0; i < m; i++) y[i] = (y[i] + 1.0) * pow2(k[i] - 1.0) * 2.0;
    }

    /** e^x as {@link #exp64(double[], double[], double[], int)} computes it, for one element: the same operations, the same bits. */
    static double exp64(double x) {
        double v = Math.min(Math.max(x, LOWEST_64), HIGHEST_64);
        double t = v * LOG2E + SHIFT;
        return (expm1OfReduced(v, t - SHIFT) + 1.0) * pow2(t - 1.0) * 2.0;
    }

    /** {@code y[i] = 1 / (1 + e^-x[i])} for {@code from <= i < to}, as {@link #sigmoid64(double)}; y may be x. */
    static void sigmoid(double[] x, double[] y, int from, int to) {
        double[][] t = BUFFERS.get()[2];
        double[] v = t[0], k = t[1];
        for (int start = from; start < to; start += CHUNK) {
            int m = Math.min(CHUNK, to - start);
            for (int i = 0; i < m; i++) v[i] = -x[start + i];
            exp64(v, v, k, m);
            for (int i = 0; i < m; i++) y[start + i] = 1.0 / (1.0 + v[i]);
        }
    }

    /**
     * The f64 sigmoid, 1 / (1 + e^-x): e^-x's error enters the quotient scaled by
     * e^-x / (1 + e^-x) < 1, so it is within 4 ulps at every x where it is normal
     * (SpecialAccuracyTest measures it against BigDecimal); below -709.78 e^-x is infinite and the
     * sigmoid 0, where it would be subnormal.
     */
    static double sigmoid64(double x) { return 1.0 / (1.0 + exp64(-x)); }

    /** log(1 + e^-|x|) as the loops take it: {@link #log1pOfUnit} of {@link #exp64(double)}. */
    static double softplusOfMinusAbs(double x) { return log1pOfUnit(exp64(-Math.abs(x))); }

    /** {@code y[i] = max(x[i], 0) + log1p(e^-|x[i]|)} for {@code from <= i < to}; y may be x. */
    static void softplus(double[] x, double[] y, int from, int to) {
        double[][] t = BUFFERS.get()[3];
        double[] v = t[0], e = t[1], k = t[2];
        for (int start = from; start < to; start += CHUNK) {
            int m = Math.min(CHUNK, to - start);
            System.arraycopy(x, start, v, 0, m);
            softplusOfMinusAbs(v, e, k, m);
            for (int i = 0; i < m; i++) y[start + i] = Math.max(v[i], 0.0) + e[i];
        }
    }

    /** The binary cross-entropy from logits of {@link Neural.BceWithLogits}, in f64, for {@code from <= i < to}. */
    static void bceWithLogits(double[] z, double[] t, double[] out, int from, int to) {
        double[][][] buffers = BUFFERS.get();
        double[][] b = buffers[3];
        double[] a = b[0], c = b[1], e = b[2], k = buffers[0][0];
        for (int start = from; start < to; start += CHUNK) {
            int m = Math.min(CHUNK, to - start);
            System.arraycopy(z, start, a, 0, m);
            System.arraycopy(t, start, c, 0, m);
            softplusOfMinusAbs(a, e, k, m);
            for (int i = 0; i < m; i++) out[start + i] = (1 - c[i]) * Math.max(a[i], 0.0) + c[i] * Math.max(-a[i], 0.0) + e[i];
        }
    }

    /** From 22 on, 1 - tanh x is below 2^-62 and tanh x rounds to 1. */
    private static final double TANH_FLAT = 22;

    /**
     * {@code y[i] = tanh x[i]} for {@code from <= i < to}, as {@link #tanh64(double)}: e / (e + 2)
     * with e = e^2x - 1 from the vectorized {@link #expm1}, x clamped to [-22, 22]; y may be x.
     */
    static void tanh(double[] x, double[] y, int from, int to) {
        double[][] t = BUFFERS.get()[2];
        double[] v = t[0], k = t[1];
        for (int start = from; start < to; start += CHUNK) {
            int m = Math.min(CHUNK, to - start);
            for (int i = 0; i < m; i++) v[i] = 2.0 * Math.min(Math.max(x[start + i], -TANH_FLAT), TANH_FLAT);
            expm1(v, v, k, m);
            for (int i = 0; i < m; i++) y[start + i] = v[i] / (v[i] + 2.0);
        }
    }

    /**
     * The f64 tanh: e / (e + 2) with e = e^2x - 1, which for x < 0 lies in (-1, 0], so no sign
     * is put back (a sign put back would keep the loop scalar). Within 4 ulps
     * (SpecialAccuracyTest measures it against BigDecimal); ±0 and subnormals come out as they
     * are, and from 22 on, where 1 - tanh x is below 2^-62, ±1.
     */
    static double tanh64(double x) {
        double v = 2.0 * Math.min(Math.max(x, -TANH_FLAT), TANH_FLAT);
        double t = v * LOG2E + SHIFT, s = pow2(t);
        double e = s * expm1OfReduced(v, t - SHIFT) - (1.0 - s);
        return e / (e + 2.0);
    }
}
