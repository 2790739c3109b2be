package org.graft.models.data;

import java.util.Random;

import org.graft.core.tensor.Tensor;

/**
 * The small data sets of the lecture notes, generated rather than read. Each is drawn from a
 * {@link java.util.Random} (whose algorithm its Javadoc fixes, so every JVM gives the same
 * numbers) seeded with {@link #SEED}, training examples first and then test examples, so a
 * set is the same on every run, as with scikit-learn's {@code random_state}.
 */
final class Synthetic {
    private Synthetic() {}

    static final long SEED = 1;

    static final int SINE_TRAIN = 200;
    static final int SINE_TEST = 200;
    static final double SINE_NOISE = 0.1;

    static final int DONUT_TRAIN = 1000;
    static final int DONUT_TEST = 500;
    static final double DISK_RADIUS = 1.0;
    static final double RING_INNER = 1.5;
    static final double RING_OUTER = 2.5;

    /** XOR's truth table as a regression set with targets [4, 1]; the test set is the same four points. */
    static Data xor() {
        Tensor x = Tensor.matrix(new double[] {0, 0}, new double[] {0, 1}, new double[] {1, 0}, new double[] {1, 1});
        Tensor t = Tensor.matrix(new double[] {0}, new double[] {1}, new double[] {1}, new double[] {0});
        Dataset points = Dataset.regression(x, t);
        return new Data("xor", points, points, 0, 0);
    }

    /**
     * {@code sin x} on {@code [0, 2π]}, the feature being x itself: 200 training x drawn
     * uniformly with targets {@code sin x + N(0, 0.1²)}, and 200 test x evenly spaced from 0 to
     * 2π inclusive with the clean {@code sin x} as targets, so a test error is against the sine.
     */
    static Data sine() {
        var random = new Random(SEED);
        double[] x = new double[SINE_TRAIN];
        double[] t = new double[SINE_TRAIN];
        for (int i = 0; i < SINE_TRAIN; i++) {
            x[i] = 2 * Math.PI * random.nextDouble();
            t[i] = Math.sin(x[i]) + SINE_NOISE * random.nextGaussian();
        }
        double[] testX = new double[SINE_TEST];
        double[] testT = new double[SINE_TEST];
        for (int i = 0; i < SINE_TEST; i++) {
            testX[i] = 2 * Math.PI * i / (SINE_TEST - 1);
            testT[i] = Math.sin(testX[i]);
        }
        return new Data("sine", Dataset.regression(Tensor.of(x, SINE_TRAIN, 1), Tensor.of(t, SINE_TRAIN, 1)),
                Dataset.regression(Tensor.of(testX, SINE_TEST, 1), Tensor.of(testT, SINE_TEST, 1)), 0, 0);
    }

    /**
     * Points (x, y) of a disk of radius 1 (target 0) inside a ring between radii 1.5 and 2.5
     * (target 1), uniform over each area: even examples are in the disk, odd ones in the ring.
     * The targets are a [n, 1] column of 0 and 1, what a net with one sigmoid output is
     * compared to, so the set counts as regression ({@code classes() == 0}).
     */
    static Data donut() {
        var random = new Random(SEED);
        return new Data("donut", donut(DONUT_TRAIN, random), donut(DONUT_TEST, random), 0, 0);
    }

    private static Dataset donut(int n, Random random) {
        double[] x = new double[2 * n];
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            boolean ring = i % 2 == 1;
            double lo = ring ? RING_INNER : 0;
            double hi = ring ? RING_OUTER : DISK_RADIUS;
            // uniform over the annulus' area: r² is uniform between lo² and hi²
            double r = Math.sqrt(lo * lo + (hi * hi - lo * lo) * random.nextDouble());
            double angle = 2 * Math.PI * random.nextDouble();
            x[2 * i] = r * Math.cos(angle);
            x[2 * i + 1] = r * Math.sin(angle);
            t[i] = ring ? 1 : 0;
        }
        return Dataset.regression(Tensor.of(x, n, 2), Tensor.of(t, n, 1));
    }
}
