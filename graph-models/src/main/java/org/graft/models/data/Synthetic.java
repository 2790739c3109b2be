package org.graft.models.data;

import java.util.Random;
import java.util.function.UnaryOperator;

import org.graft.core.tensor.Tensor;

/**
 * The small data sets of the lecture notes, generated rather than read. Each is drawn from a
 * {@link java.util.Random} (whose algorithm its Javadoc fixes, so every JVM gives the same
 * numbers) seeded with {@link #SEED}, training examples first and then test examples, so a
 * set is the same on every run, as with scikit-learn's {@code random_state}. The sequence sets
 * ({@link #lorenz}, {@link #sineSequences}) are one-step prediction ({@link Dataset#nextStep}):
 * the dynamical systems the notes say recurrent networks approximate.
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

    static final double LORENZ_SIGMA = 10;
    static final double LORENZ_RHO = 28;
    static final double LORENZ_BETA = 8.0 / 3;
    static final double LORENZ_DT = 0.01;
    static final int LORENZ_BURN_IN = 1000;     // RK4 steps, 10 time units: long enough to forget the start and reach the attractor
    static final double LORENZ_SCALE = 20;      // the attractor spans about ±20 in x, ±27 in y and 0..50 in z
    static final int SEQUENCE_TRAIN = 256;
    static final int SEQUENCE_TEST = 64;
    static final int SEQUENCE_STEPS = 100;

    static final double SINE_SEQUENCE_MIN_OMEGA = 0.1;   // radians a step: periods of 21 to 63 steps
    static final double SINE_SEQUENCE_MAX_OMEGA = 0.3;

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

    /**
     * Trajectories of the Lorenz system, {@code x' = σ(y - x)}, {@code y' = x(ρ - z) - y},
     * {@code z' = xy - βz} with σ = 10, ρ = 28, β = 8/3, integrated by the classical Runge-Kutta
     * method with a step of 0.01: 256 training and 64 test sequences of 101 points, each from an
     * initial point uniform in the box [-20, 20] x [-20, 20] x [0, 50] after a burn-in of 1,000
     * steps that brings it onto the attractor; the points divided by 20, so that the values are
     * of order 1. The task is one-step prediction: x the points at steps 0..99, y at 1..100.
     */
    static Data lorenz() {
        var random = new Random(SEED);
        return new Data("lorenz", lorenz(SEQUENCE_TRAIN, random), lorenz(SEQUENCE_TEST, random), 0, 0);
    }

    private static Dataset lorenz(int count, Random random) {
        int points = SEQUENCE_STEPS + 1;
        double[] series = new double[points * count * 3];   // [points, count, 3]
        for (int i = 0; i < count; i++) {
            double[] p = {40 * random.nextDouble() - 20, 40 * random.nextDouble() - 20, 50 * random.nextDouble()};
            for (int s = 0; s < LORENZ_BURN_IN; s++) p = rk4(Synthetic::lorenzField, p, LORENZ_DT);
            for (int s = 0; s < points; s++) {
                if (s > 0) p = rk4(Synthetic::lorenzField, p, LORENZ_DT);
                for (int c = 0; c < 3; c++) series[(s * count + i) * 3 + c] = p[c] / LORENZ_SCALE;
            }
        }
        return Dataset.nextStep(Tensor.of(series, points, count, 3));
    }

    /** The Lorenz system's velocity at the point {@code p = (x, y, z)}. */
    static double[] lorenzField(double[] p) {
        double x = p[0], y = p[1], z = p[2];
        return new double[] {LORENZ_SIGMA * (y - x), x * (LORENZ_RHO - z) - y, x * y - LORENZ_BETA * z};
    }

    /** One step of the classical fourth-order Runge-Kutta method for {@code p' = f(p)}: error O(dt⁵) a step, O(dt⁴) over an interval. */
    static double[] rk4(UnaryOperator<double[]> f, double[] p, double dt) {
        double[] k1 = f.apply(p);
        double[] k2 = f.apply(along(p, k1, dt / 2));
        double[] k3 = f.apply(along(p, k2, dt / 2));
        double[] k4 = f.apply(along(p, k3, dt));
        double[] next = new double[p.length];
        for (int j = 0; j < p.length; j++) next[j] = p[j] + dt / 6 * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]);
        return next;
    }

    /** {@code p + h v}. */
    private static double[] along(double[] p, double[] v, double h) {
        double[] q = new double[p.length];
        for (int j = 0; j < p.length; j++) q[j] = p[j] + h * v[j];
        return q;
    }

    /**
     * Noisy sines, one-step prediction: sequence i is {@code s(t) = sin(ω t + φ)} at t = 0..100,
     * ω uniform in [0.1, 0.3] radians a step (periods of 21 to 63 steps) and φ uniform in
     * [0, 2π); x is {@code s(t) + N(0, 0.1²)} at steps 0..99, and y the clean {@code s(t + 1)},
     * so that the error is against the sine itself, as the {@code sine} set's test targets are,
     * and a model does well by filtering the noise out of what it has seen. 256 training and
     * 64 test sequences.
     */
    static Data sineSequences() {
        var random = new Random(SEED);
        return new Data("sine-seq", sineSequences(SEQUENCE_TRAIN, random), sineSequences(SEQUENCE_TEST, random), 0, 0);
    }

    private static Dataset sineSequences(int count, Random random) {
        int points = SEQUENCE_STEPS + 1;
        double[] clean = new double[points * count];   // [points, count, 1]
        double[] noisy = new double[points * count];
        for (int i = 0; i < count; i++) {
            double omega = SINE_SEQUENCE_MIN_OMEGA + (SINE_SEQUENCE_MAX_OMEGA - SINE_SEQUENCE_MIN_OMEGA) * random.nextDouble();
            double phase = 2 * Math.PI * random.nextDouble();
            for (int s = 0; s < points; s++) {
                clean[s * count + i] = Math.sin(omega * s + phase);
                noisy[s * count + i] = clean[s * count + i] + SINE_NOISE * random.nextGaussian();
            }
        }
        return Dataset.nextStep(Tensor.of(noisy, points, count, 1), Tensor.of(clean, points, count, 1));
    }
}
