package org.graft.core.blas;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Times the GEMM back ends directly, bypassing the routing of {@link Blas}, and prints median
 * times. A runner, not a test: timings belong to a quiet machine, not to the build.
 *
 * <ul>
 *   <li>{@code gflops}: GFLOP/s of each back end (OpenBLAS on 1 and 2 threads) at the
 *       products of the medium and large MLP steps, 128 x 784 x 256 and 256 x 1024 x 1024
 *       (m x k x n), in f64 and f32;</li>
 *   <li>{@code threshold [threads]}: microseconds per product of loops, EJML and OpenBLAS for
 *       small products, in the transpose combinations a training step uses, to place
 *       {@link Blas#LOOPS_BELOW};</li>
 *   <li>{@code epochs}: microseconds per product of OpenBLAS on 1 and 2 threads at the products
 *       of the epoch benchmark's models ({@code bench/epochs.sh}), and of a 1 x 1 x 1 product
 *       over the same arrays: what a call costs besides the arithmetic (when the arrays went to
 *       JNI whole, its copies of them in and out; now a copy of one number each way);</li>
 *   <li>{@code split}: microseconds per product on the calling thread and split over 2 threads,
 *       from small to large products, to place {@link OpenBlas#SPLIT_FROM};</li>
 *   <li>{@code bands}: microseconds per product on one thread, called whole and cut into bands
 *       for OpenBLAS's small-matrix kernels ({@link OpenBlas#band}), and cut with b
 *       {@linkplain Blas#hold held} (copied in once, as a scan's W), at the epoch benchmark's
 *       products with a short side and at the batch of 100's, which are not cut.</li>
 * </ul>
 *
 * <pre>
 * mvn -B -o -q -pl graph-core test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp graph-core/target/classes:graph-core/target/test-classes:$(cat graph-core/target/cp.txt) \
 *     org.graft.core.blas.BackendBench gflops|threshold [threads]|epochs|split|bands
 * </pre>
 */
public final class BackendBench {
    private BackendBench() {}

    public static void main(String[] args) {
        String what = args.length > 0 ? args[0] : "gflops";
        if (what.equals("gflops")) gflops();
        else if (what.equals("threshold")) threshold(args.length > 1 ? Integer.parseInt(args[1]) : 1);
        else if (what.equals("epochs")) epochs();
        else if (what.equals("split")) split();
        else if (what.equals("bands")) bands();
        else throw new IllegalArgumentException("gflops, threshold, epochs, split or bands, not " + what);
    }

    private static void gflops() {
        int[][] shapes = {{128, 784, 256}, {256, 1024, 1024}};
        System.out.println("GFLOP/s (2 m n k / median time); EJML also with either operand transposed");
        System.out.println("m x k x n         dtype  loops   ejml  ejml a.Tb  ejml ab.T  openblas/1  openblas/2");
        for (int[] s : shapes) {
            for (boolean f32 : new boolean[] {false, true}) {
                int m = s[0], k = s[1], n = s[2];
                double flop = 2.0 * m * n * k;
                var ab = Product.random(m, n, k, false, false, f32);
                double loops = flop / ab.nanos(new Loops(), 1, 5);
                double ejml = flop / ab.nanos(new Ejml(), 1, 11);
                double ejmlTA = flop / Product.random(m, n, k, true, false, f32).nanos(new Ejml(), 1, 11);
                double ejmlTB = flop / Product.random(m, n, k, false, true, f32).nanos(new Ejml(), 1, 11);
                double one = flop / ab.nanos(OpenBlas.load(1), 5, 21);
                double two = flop / ab.nanos(OpenBlas.load(2), 5, 21);
                System.out.printf(Locale.ROOT, "%-17s %-5s  %5.1f  %5.1f  %9.1f  %9.1f  %10.1f  %10.1f%n",
                        m + " x " + k + " x " + n, f32 ? "f32" : "f64", loops, ejml, ejmlTA, ejmlTB, one, two);
            }
        }
    }

    private static void threshold(int threads) {
        Gemm loops = new Loops(), ejml = new Ejml(), openblas = OpenBlas.load(threads);
        // cubes, then the products of the tiny 2-5-1 (batch 4) and small 64-32-10 (batch 32) MLP
        // steps: forward x W, the weight gradient x.T gy, the input gradient gy W.T
        int[][] shapes = {{2, 2, 2}, {4, 4, 4}, {6, 6, 6}, {8, 8, 8}, {10, 10, 10}, {12, 12, 12}, {16, 16, 16},
                {32, 32, 32}, {4, 2, 5}, {4, 5, 1}, {2, 4, 5}, {32, 64, 32}, {32, 32, 10}, {64, 32, 32}, {32, 10, 32}};
        System.out.println("m x k x n      mul-adds  op     dtype  loops us  ejml us  openblas us  fastest");
        for (int[] s : shapes) {
            for (String op : new String[] {"ab", "a.Tb", "ab.T"}) {
                for (boolean f32 : new boolean[] {false, true}) {
                    int m = s[0], k = s[1], n = s[2];
                    var p = Product.random(m, n, k, op.equals("a.Tb"), op.equals("ab.T"), f32);
                    int reps = (int) Math.max(100, 2_000_000L / ((long) m * n * k));
                    double l = p.nanos(loops, reps, 15) / 1e3, e = p.nanos(ejml, reps, 15) / 1e3, o = p.nanos(openblas, reps, 15) / 1e3;
                    String fastest = l <= e && l <= o ? "loops" : e <= o ? "ejml" : "openblas";
                    System.out.printf(Locale.ROOT, "%-14s %8d  %-5s  %-5s  %8.3f  %7.3f  %11.3f  %s%n",
                            m + " x " + k + " x " + n, m * n * k, op, f32 ? "f32" : "f64", l, e, o, fastest);
                }
            }
        }
    }

    private static void epochs() {
        // m, k, n and the operation: the forward product, the weight gradient a.T g and the
        // gradient of the layer's input g W.T of a 784-500 layer on a batch of 100 (mlp, vae)
        // and of 20 (rbm, dae, cae: the RBM's Gibbs steps are v W and h W.T), and lenet's 800-500
        Object[][] products = {{100, 784, 500, "ab"}, {784, 100, 500, "a.Tb"}, {100, 500, 784, "ab.T"},
                {20, 784, 500, "ab"}, {784, 20, 500, "a.Tb"}, {20, 500, 784, "ab.T"}, {100, 800, 500, "ab"}};
        System.out.println("us per product, median of 21 samples; copies: a 1 x 1 x 1 product over the same arrays");
        System.out.println("m x k x n         op     dtype  openblas/1  openblas/2  2t/1t  copies/1  copies/2");
        for (Object[] p : products) {
            for (boolean f32 : new boolean[] {false, true}) {
                int m = (int) p[0], k = (int) p[1], n = (int) p[2];
                String op = (String) p[3];
                var product = Product.random(m, n, k, op.equals("a.Tb"), op.equals("ab.T"), f32);
                var copies = new Product(1, 1, 1, product.transA(), product.transB(), product.a(), product.b(), product.c(),
                        product.af(), product.bf(), product.cf(), f32);
                int reps = (int) Math.max(5, 200_000_000L / ((long) m * n * k));
                // the library's thread count is global: each load sets it for what follows
                Gemm one = OpenBlas.load(1);
                double t1 = product.nanos(one, reps, 21) / 1e3, c1 = copies.nanos(one, 100, 21) / 1e3;
                Gemm two = OpenBlas.load(2);
                double t2 = product.nanos(two, reps, 21) / 1e3, c2 = copies.nanos(two, 100, 21) / 1e3;
                System.out.printf(Locale.ROOT, "%-17s %-5s  %-5s  %10.1f  %10.1f  %5.2f  %8.1f  %8.1f%n",
                        m + " x " + k + " x " + n, op, f32 ? "f32" : "f64", t1, t2, t2 / t1, c1, c2);
            }
        }
    }

    private static void split() {
        // square-ish products and the epoch benchmark's shapes scaled down, by rows and by columns
        int[][] shapes = {{32, 32, 32}, {64, 64, 64}, {100, 64, 100}, {128, 128, 128}, {100, 256, 128}, {20, 256, 200},
                {160, 160, 160}, {200, 200, 200}, {20, 500, 200}, {100, 300, 200}, {256, 256, 256}, {20, 784, 500}};
        Gemm one = OpenBlas.load(1), two = OpenBlas.load(2);
        System.out.println("us per product, median of 21 samples: on the calling thread, and split over 2 threads");
        System.out.println("m x k x n         mul-adds  dtype  1 thread  split  split/1");
        for (int[] s : shapes) {
            for (boolean f32 : new boolean[] {false, true}) {
                int m = s[0], k = s[1], n = s[2];
                var product = Product.random(m, n, k, false, false, f32);
                int reps = (int) Math.max(5, 100_000_000L / ((long) m * n * k));
                double t1 = product.nanos(one, reps, 21) / 1e3, t2 = product.nanos(two, reps, 21) / 1e3;
                System.out.printf(Locale.ROOT, "%-17s %8d  %-5s  %8.1f  %5.1f  %7.2f%n",
                        m + " x " + k + " x " + n, (long) m * n * k, f32 ? "f32" : "f64", t1, t2, t2 / t1);
            }
        }
    }

    @SuppressWarnings("try") // the hold is read by the products, not by the block
    private static void bands() {
        // the products of a 784-500 layer on a batch of 20 (rbm, dae, cae), its weight gradient,
        // then a batch of 10 and of 32, and the batch of 100's (mlp, vae), which no band fits
        Object[][] products = {{20, 784, 500, "ab"}, {20, 500, 784, "ab.T"}, {20, 784, 500, "ab.T"}, {784, 20, 500, "a.Tb"},
                {10, 784, 500, "ab"}, {32, 784, 500, "ab"}, {100, 784, 500, "ab"}, {784, 100, 500, "a.Tb"}};
        OpenBlas whole = OpenBlas.load(1, false), cut = OpenBlas.load(1, true);
        System.out.println("us per product on 1 thread, median of 21 samples: called whole, cut into bands, cut with b held");
        System.out.println("m x k x n         op     dtype  band     whole      cut   held  cut/whole  held/whole");
        for (Object[] p : products) {
            for (boolean f32 : new boolean[] {false, true}) {
                int m = (int) p[0], k = (int) p[1], n = (int) p[2];
                String op = (String) p[3];
                var product = Product.random(m, n, k, op.equals("a.Tb"), op.equals("ab.T"), f32);
                int reps = (int) Math.max(5, 100_000_000L / ((long) m * n * k));
                double w = product.nanos(whole, reps, 21) / 1e3, c = product.nanos(cut, reps, 21) / 1e3, h;
                try (var held = cut.hold(new Object[] {f32 ? product.bf() : product.b()})) {
                    h = product.nanos(cut, reps, 21) / 1e3;
                }
                int band = cut.band(m, n, k);
                System.out.printf(Locale.ROOT, "%-17s %-5s  %-5s  %4s  %8.1f  %7.1f  %5.1f  %9.2f  %10.2f%n", m + " x " + k + " x " + n,
                        op, f32 ? "f32" : "f64", band == Integer.MAX_VALUE ? "-" : String.valueOf(band), w, c, h, c / w, h / w);
            }
        }
    }

    /** One product's operands, with {@code beta = 0} as a forward pass computes it. */
    private record Product(int m, int n, int k, boolean transA, boolean transB, double[] a, double[] b, double[] c,
                           float[] af, float[] bf, float[] cf, boolean f32) {

        static Product random(int m, int n, int k, boolean transA, boolean transB, boolean f32) {
            var random = new SplittableRandom(1);
            double[] a = random.doubles(m * k, -1, 1).toArray(), b = random.doubles(k * n, -1, 1).toArray();
            float[] af = new float[a.length], bf = new float[b.length];
            for (int i = 0; i < a.length; i++) af[i] = (float) a[i];
            for (int i = 0; i < b.length; i++) bf[i] = (float) b[i];
            return new Product(m, n, k, transA, transB, a, b, new double[m * n], af, bf, new float[m * n], f32);
        }

        void run(Gemm g) {
            if (f32) g.sgemm(transA, transB, m, n, k, 1f, af, bf, 0f, cf);
            else g.dgemm(transA, transB, m, n, k, 1.0, a, b, 0.0, c);
        }

        /** The median over {@code samples} of the mean time of {@code reps} calls, after as many to warm up. */
        double nanos(Gemm g, int reps, int samples) {
            for (int i = 0; i < Math.max(reps * 3, 5); i++) run(g);
            double[] t = new double[samples];
            for (int s = 0; s < samples; s++) {
                long start = System.nanoTime();
                for (int i = 0; i < reps; i++) run(g);
                t[s] = (System.nanoTime() - start) / (double) reps;
            }
            Arrays.sort(t);
            return t[samples / 2];
        }
    }
}
