package org.graft.bench;

import java.util.SplittableRandom;

/**
 * What every implementation of the step starts from: a fixed batch and the initial params of
 * an {@link Mlp}, drawn from a seeded stream, so the same seed gives the same numbers. The
 * inputs are standard normal, each target row one-hot at a uniformly drawn class, the weights
 * He-initialised (normal with variance {@code 2 / fan in}, which keeps the scale of ReLU
 * activations from layer to layer) and the biases zero. Arrays are row-major, a weight matrix
 * {@code [fan in, fan out]} so that a layer is {@code x W + b}.
 *
 * <p>The arrays are shared, not copied: implementations copy what they change.
 */
public final class Problem {
    /** The SGD learning rate of every step. */
    public static final double LEARNING_RATE = 0.01;

    /** The seed the benchmarks use. */
    public static final long SEED = 20250707L;

    private final Mlp mlp;
    private final double[] x;
    private final double[] targets;
    private final double[][] weights;
    private final double[][] biases;

    private Problem(Mlp mlp, double[] x, double[] targets, double[][] weights, double[][] biases) {
        this.mlp = mlp;
        this.x = x;
        this.targets = targets;
        this.weights = weights;
        this.biases = biases;
    }

    /** The problem of {@code mlp} drawn from {@code seed}. */
    public static Problem of(Mlp mlp, long seed) {
        var random = new SplittableRandom(seed);
        int n = mlp.batch();
        var x = new double[n * mlp.inputs()];
        for (int i = 0; i < x.length; i++) x[i] = random.nextGaussian();
        int k = mlp.classes();
        var targets = new double[n * k];
        for (int i = 0; i < n; i++) targets[i * k + random.nextInt(k)] = 1;
        var weights = new double[mlp.layers()][];
        var biases = new double[mlp.layers()][];
        for (int l = 0; l < mlp.layers(); l++) {
            int in = mlp.width(l), out = mlp.width(l + 1);
            double std = Math.sqrt(2.0 / in);
            weights[l] = new double[in * out];
            for (int i = 0; i < weights[l].length; i++) weights[l][i] = std * random.nextGaussian();
            biases[l] = new double[out];
        }
        return new Problem(mlp, x, targets, weights, biases);
    }

    /** The same problem with every bias drawn from {@code N(0, std²)}: a check that biases are added where they should be. */
    public Problem withRandomBiases(double std, long seed) {
        var random = new SplittableRandom(seed);
        var drawn = new double[biases.length][];
        for (int l = 0; l < biases.length; l++) {
            drawn[l] = new double[biases[l].length];
            for (int j = 0; j < drawn[l].length; j++) drawn[l][j] = std * random.nextGaussian();
        }
        return new Problem(mlp, x, targets, weights, drawn);
    }

    public Mlp mlp() { return mlp; }

    /** The batch, {@code [batch, inputs]}. */
    public double[] x() { return x; }

    /** The one-hot targets, {@code [batch, classes]}. */
    public double[] targets() { return targets; }

    /** The initial weights of layer {@code l}, {@code [width(l), width(l + 1)]}. */
    public double[] weights(int l) { return weights[l]; }

    /** The initial biases of layer {@code l}, {@code [width(l + 1)]}. */
    public double[] biases(int l) { return biases[l]; }
}
