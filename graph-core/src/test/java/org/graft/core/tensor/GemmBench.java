package org.graft.core.tensor;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Measures {@link Tensor#gemm} against the graph it replaces (an explicit transpose, then
 * {@link Tensor#matmul}, then an add for the bias) at 512 x 512, and prints the median times
 * and their ratio. A runner, not a test: timings belong to a quiet machine, not to the build.
 *
 * <pre>
 * mvn -B -o -q -pl graph-core test-compile
 * java -cp graph-core/target/classes:graph-core/target/test-classes:$(find ~/.m2/repository/org/ejml -name '*.jar' | tr '\n' :) \
 *     org.graft.core.tensor.GemmBench [size] [repetitions]
 * </pre>
 */
public final class GemmBench {
    private GemmBench() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 512;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        var random = new SplittableRandom(1);
        Tensor a = Tensor.uniform(Shape.of(n, n), -1, 1, random), b = Tensor.uniform(Shape.of(n, n), -1, 1, random);
        Tensor c = Tensor.uniform(Shape.of(n), -1, 1, random);
        System.out.printf(Locale.ROOT, "%d x %d, median of %d%n", n, n, reps);
        compare("a.T @ b", () -> Tensor.gemm(a, true, b, false), () -> a.transpose().matmul(b), reps);
        compare("a @ b.T", () -> Tensor.gemm(a, false, b, true), () -> a.matmul(b.transpose()), reps);
        compare("a.T @ b.T", () -> Tensor.gemm(a, true, b, true), () -> a.transpose().matmul(b.transpose()), reps);
        compare("a @ b + c", () -> Tensor.gemm(a, false, b, false, c), () -> a.matmul(b).add(c), reps);
        compare("a.T @ b + c", () -> Tensor.gemm(a, true, b, false, c), () -> a.transpose().matmul(b).add(c), reps);
    }

    /** Runs the two alternately (so drift in the machine's load hits both) and prints their medians. */
    private static void compare(String what, Supplier<Tensor> gemm, Supplier<Tensor> written, int reps) {
        if (!gemm.get().allClose(written.get(), 1e-9, 1e-9)) throw new AssertionError(what + ": the two disagree");
        for (int i = 0; i < 3; i++) {
            gemm.get();
            written.get();
        }
        double[] g = new double[reps], w = new double[reps];
        for (int i = 0; i < reps; i++) {
            g[i] = millis(gemm);
            w[i] = millis(written);
        }
        double mg = median(g), mw = median(w);
        System.out.printf(Locale.ROOT, "%-12s gemm %7.2f ms   as written %7.2f ms   gemm / written %.2f%n", what, mg, mw, mg / mw);
    }

    private static double millis(Supplier<Tensor> f) {
        long start = System.nanoTime();
        f.get();
        return (System.nanoTime() - start) / 1e6;
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
