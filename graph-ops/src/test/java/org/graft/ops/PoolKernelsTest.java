package org.graft.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Arrays;
import java.util.Random;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.Op;
import org.graft.core.kernel.Kernel;
import org.graft.core.kernel.Site;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;

/**
 * The pools' kernels, f64 and f32, against the kernels they replaced, kept here as the
 * reference: every output bit the same in f64 (ties, -0 and 0, infinities, NaN, windows
 * wholly in the padding), and in f32 the reference on the floats widened, rounded once, which
 * is what an f32 node computed before it had kernels of its own. The buffers are longer than
 * the values, as a plan's may be, and what lies past a value must stay untouched.
 */
class PoolKernelsTest {

    /** Images {@code [n, c, h, w]} whose values are floats, pooled by {@code window}; g and u random floats. */
    record Case(Pool.Window window, Shape shape, double[] x, double[] g, double[] u) {
        @Override
        public String toString() { return "x " + shape + " " + Arrays.toString(x) + ", window " + window; }
    }

    private static final double PAST = 12345.0;   // what the buffers hold past each value

    @Property(tries = 300)
    void maxPoolsKernelsGiveTheReferencesBits(@ForAll("cases") Case c) { assertMax(c); }

    @Property(tries = 300)
    void maxPoolsGradientKernelsGiveTheReferencesBits(@ForAll("cases") Case c) { assertMaxGrad(c); }

    @Property(tries = 300)
    void avgPoolsKernelsGiveTheReferencesBits(@ForAll("cases") Case c) { assertMean(c); }

    /**
     * Images of at least {@code Planes.PARALLEL_FROM} values, which graph-ops's tests (on two
     * threads, its pom) split into a range of planes per thread: still the reference's bits.
     */
    @Property(tries = 12)
    void largeImagesSplitOverTheThreadsGiveTheReferencesBits(@ForAll("largeCases") Case c) {
        assertEquals(2, org.graft.core.blas.Parallel.shared().parts(), "graph-ops's surefire runs set graft.threads=2");
        assertMax(c);
        assertMaxGrad(c);
        assertMean(c);
    }

    private static void assertMax(Case c) {
        var ref = new Reference(c.window(), c.shape());
        double[] y = new double[ref.pooled()];
        ref.max(c.x(), y);
        Shape x = c.shape(), p = pooledShape(c.window(), x);
        assertSame(y, run(new Pool.MaxPool2d(c.window()), p, new Shape[] {x}, c.x()));
    }

    private static void assertMaxGrad(Case c) {
        var ref = new Reference(c.window(), c.shape());
        double[] y = new double[ref.pooled()], g = Arrays.copyOf(c.g(), ref.pooled()), gx = new double[c.x().length];
        ref.max(c.x(), y);
        ref.maxGrad(c.x(), y, g, gx);
        Shape x = c.shape(), p = pooledShape(c.window(), x);
        assertSame(gx, run(new Pool.MaxPool2dGrad(c.window()), x, new Shape[] {x, p, p}, c.x(), y, g));
        double[] gathered = new double[ref.pooled()];
        ref.maxGather(c.x(), y, c.u(), gathered);
        assertSame(gathered, run(new Pool.MaxPool2dGather(c.window()), p, new Shape[] {x, p, x}, c.x(), y, c.u()));
    }

    private static void assertMean(Case c) {
        var window = new Pool.Window(c.window().kh(), c.window().kw(), c.window().sh(), c.window().sw(), c.window().ph(), c.window().pw(), 1, 1);
        var ref = new Reference(window, c.shape());
        double[] g = Arrays.copyOf(c.g(), ref.pooled());
        Shape x = c.shape(), p = pooledShape(window, x);
        for (boolean countPadding : new boolean[] {true, false}) {
            double[] y = new double[ref.pooled()], gx = new double[c.x().length];
            ref.mean(c.x(), y, countPadding);
            assertSame(y, run(new Pool.AvgPool2d(window, countPadding), p, new Shape[] {x}, c.x()));
            ref.meanGrad(g, gx, countPadding);
            assertSame(gx, run(new Pool.AvgPool2dGrad(window, countPadding, x.dim(2), x.dim(3)), x, new Shape[] {p}, g));
        }
    }

    /**
     * The f64 and the f32 result, of shape {@code out}, of {@code op}'s kernels on {@code operands}
     * of {@code shapes}, each in buffers 3 longer, as [f64, f32]. The f32 operands are the f64
     * ones rounded, which leaves the cases' values (floats) as they are.
     */
    private static double[][] run(Op op, Shape out, Shape[] shapes, double[]... operands) {
        int outSize = out.size();
        int[] slots = new int[operands.length];
        for (int i = 0; i < slots.length; i++) slots[i] = i;
        Object[] wide = new Object[operands.length + 1], narrow = new Object[operands.length + 1];
        for (int i = 0; i < operands.length; i++) {
            wide[i] = Arrays.copyOf(operands[i], operands[i].length + 3);
            float[] f = new float[operands[i].length + 3];
            for (int k = 0; k < f.length; k++) f[k] = (float) ((double[]) wide[i])[k];
            narrow[i] = f;
        }
        double[] y64 = new double[outSize + 3];
        float[] y32 = new float[outSize + 3];
        Arrays.fill(y64, PAST);
        Arrays.fill(y32, (float) PAST);
        wide[operands.length] = y64;
        narrow[operands.length] = y32;
        op.kernel(new Site(DType.F64, out, shapes, operands.length, slots, () -> null)).run(wide);
        Kernel f32 = op.kernelF32(new Site(DType.F32, out, shapes, operands.length, slots, () -> null));
        assertNotNull(f32, op.name() + " has no f32 kernel");
        f32.run(narrow);
        double[] y32wide = new double[y32.length];
        for (int k = 0; k < y32.length; k++) y32wide[k] = y32[k];
        return new double[][] {y64, y32wide};
    }

    /** The f64 result is the reference's to the bit, the f32 one the reference rounded, and nothing past them is written. */
    private static void assertSame(double[] want, double[][] got) {
        double[] past = {PAST, PAST, PAST};
        assertEquals(Arrays.toString(past), Arrays.toString(Arrays.copyOfRange(got[0], want.length, want.length + 3)));
        assertEquals(Arrays.toString(past), Arrays.toString(Arrays.copyOfRange(got[1], want.length, want.length + 3)));
        for (int i = 0; i < want.length; i++) {
            assertEquals(Double.doubleToLongBits(want[i]), Double.doubleToLongBits(got[0][i]), "f64 at " + i + ": " + want[i] + " " + got[0][i]);
            assertEquals(Float.floatToIntBits((float) want[i]), Float.floatToIntBits((float) got[1][i]),
                    "f32 at " + i + ": " + (float) want[i] + " " + got[1][i]);
        }
    }

    private static Shape pooledShape(Pool.Window window, Shape x) {
        ConvGeometry g = window.over(x.dim(2), x.dim(3));
        return Shape.of(x.dim(0), x.dim(1), g.oh(), g.ow());
    }

    /**
     * Windows of 1 to 4 taps (a third of them 2 x 2 with stride 2), strides 1 to 3, dilations 1 to 3, padding up to half the window,
     * images of 1 to 9 pixels a side (windows wholly in the padding included); values drawn from
     * a few levels, so windows tie, with -0 beside 0, infinities and NaN among them, or random
     * floats; g and u random floats.
     */
    @Provide
    Arbitrary<Case> cases() { return cases(1); }

    /** As {@link #cases()}, with as many images as give at least {@code Planes.PARALLEL_FROM} values. */
    @Provide
    Arbitrary<Case> largeCases() { return cases(Pool.Planes.PARALLEL_FROM); }

    private static Arbitrary<Case> cases(int least) {
        double[] levels = {-1, 0, -0.0, 1, 2.5, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN};
        return Arbitraries.randomValue(r -> {
            while (true) {
                int kh = 1 + r.nextInt(4), kw = 1 + r.nextInt(4), dh = 1 + r.nextInt(3), dw = 1 + r.nextInt(3);
                int ph = r.nextInt(kh / 2 + 1), pw = r.nextInt(kw / 2 + 1);
                // a third of them the common 2 x 2 windows side by side, which have loops of their own
                var window = r.nextInt(3) == 0 ? Pool.Window.of(2) : new Pool.Window(kh, kw, 1 + r.nextInt(3), 1 + r.nextInt(3), ph, pw, dh, dw);
                int h = 1 + r.nextInt(9), w = 1 + r.nextInt(9);
                ConvGeometry g = window.over(h, w);
                if (g.oh() < 1 || g.ow() < 1) continue;
                int c = 1 + r.nextInt(3), n = Math.max(1 + r.nextInt(3), (least + c * h * w - 1) / (c * h * w));
                Shape shape = Shape.of(n, c, h, w);
                // as many g as the most windows any case's window over these images could have (padding of at most 2)
                int pooled = shape.dim(0) * shape.dim(1) * (h + 4) * (w + 4);
                boolean special = r.nextInt(4) > 0;
                double[] x = new double[shape.size()];
                for (int i = 0; i < x.length; i++) {
                    x[i] = special ? levels[r.nextInt(r.nextInt(3) == 0 ? levels.length : 5)] : (float) (r.nextGaussian() * 3);
                }
                return new Case(window, shape, x, floats(r, pooled), floats(r, x.length));
            }
        });
    }

    private static double[] floats(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 4 - 2);
        return v;
    }

    /**
     * The pools' kernels as they were before they had f32 kernels (commit 9460ecb): each window
     * read through a table of every tap's offset, -1 in the padding.
     */
    private static final class Reference {
        private final int planes, size, spots, taps;
        private final int[] index;
        private final double[] counts;   // how many of each position's taps are in the image

        Reference(Pool.Window window, Shape images) {
            ConvGeometry g = window.over(images.dim(2), images.dim(3));
            this.planes = images.dim(0) * images.dim(1);
            this.size = g.h() * g.w();
            this.spots = g.spots();
            this.taps = g.kh() * g.kw();
            this.index = g.patchIndex();
            this.counts = new double[spots];
            for (int t = 0; t < taps; t++) for (int s = 0; s < spots; s++) if (index[t * spots + s] >= 0) counts[s]++;
        }

        int pooled() { return planes * spots; }

        void max(double[] x, double[] y) {
            for (int p = 0; p < planes; p++) {
                int in = p * size, out = p * spots;
                Arrays.fill(y, out, out + spots, Double.NEGATIVE_INFINITY);
                for (int t = 0; t < taps; t++) {
                    for (int s = 0; s < spots; s++) {
                        int k = index[t * spots + s];
                        if (k < 0) continue;
                        double v = x[in + k], m = y[out + s];
                        if (v > m || v != v) y[out + s] = m != m ? m : v;
                    }
                }
            }
        }

        private int ties(double[] x, int in, int s, double m) {
            int count = 0;
            for (int t = 0; t < taps; t++) {
                int k = index[t * spots + s];
                if (k >= 0 && x[in + k] == m) count++;
            }
            return count;
        }

        void maxGrad(double[] x, double[] y, double[] g, double[] gx) {
            Arrays.fill(gx, 0, planes * size, 0.0);
            for (int p = 0; p < planes; p++) {
                int in = p * size, out = p * spots;
                for (int s = 0; s < spots; s++) {
                    double m = y[out + s];
                    int count = ties(x, in, s, m);
                    if (count == 0) continue;
                    double share = g[out + s] / count;
                    for (int t = 0; t < taps; t++) {
                        int k = index[t * spots + s];
                        if (k >= 0 && x[in + k] == m) gx[in + k] += share;
                    }
                }
            }
        }

        void maxGather(double[] x, double[] y, double[] u, double[] out) {
            for (int p = 0; p < planes; p++) {
                int in = p * size, at = p * spots;
                for (int s = 0; s < spots; s++) {
                    double m = y[at + s], sum = 0;
                    int count = 0;
                    for (int t = 0; t < taps; t++) {
                        int k = index[t * spots + s];
                        if (k >= 0 && x[in + k] == m) {
                            sum += u[in + k];
                            count++;
                        }
                    }
                    out[at + s] = count == 0 ? 0.0 : sum / count;
                }
            }
        }

        void mean(double[] x, double[] y, boolean countPadding) {
            Arrays.fill(y, 0, planes * spots, 0.0);
            for (int p = 0; p < planes; p++) {
                int in = p * size, out = p * spots;
                for (int t = 0; t < taps; t++) {
                    for (int s = 0; s < spots; s++) {
                        int k = index[t * spots + s];
                        if (k >= 0) y[out + s] += x[in + k];
                    }
                }
                for (int s = 0; s < spots; s++) y[out + s] /= countPadding ? taps : counts[s];
            }
        }

        void meanGrad(double[] g, double[] gx, boolean countPadding) {
            Arrays.fill(gx, 0, planes * size, 0.0);
            for (int p = 0; p < planes; p++) {
                int in = p * size, out = p * spots;
                for (int t = 0; t < taps; t++) {
                    for (int s = 0; s < spots; s++) {
                        int k = index[t * spots + s];
                        if (k >= 0) gx[in + k] += g[out + s] / (countPadding ? taps : counts[s]);
                    }
                }
            }
        }
    }
}
