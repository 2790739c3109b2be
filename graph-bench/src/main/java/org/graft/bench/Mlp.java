package org.graft.bench;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One benchmark configuration: the layer widths of a multilayer perceptron, input first and
 * classes last, and the batch size. Every layer but the last is followed by a ReLU; the cost is
 * the softmax cross-entropy on one-hot targets, averaged over the batch.
 */
public record Mlp(String name, List<Integer> widths, int batch) {
    /** The lecture notes' 2-5-1. Softmax over one class is constant, so its gradient is zero: the issue defines it so. */
    public static final Mlp TINY = new Mlp("tiny", List.of(2, 5, 1), 4);
    public static final Mlp SMALL = new Mlp("small", List.of(64, 32, 10), 32);
    public static final Mlp MEDIUM = new Mlp("medium", List.of(784, 256, 10), 128);
    public static final Mlp LARGE = new Mlp("large", List.of(784, 1024, 1024, 10), 256);

    /** The four configurations, smallest first, as the table lists them. */
    public static final List<Mlp> ALL = List.of(TINY, SMALL, MEDIUM, LARGE);

    public Mlp {
        widths = List.copyOf(widths);
        if (widths.size() < 2) throw new IllegalArgumentException("an MLP needs at least an input and an output width, found " + widths);
        if (batch < 1) throw new IllegalArgumentException("expected a positive batch size, found " + batch);
    }

    /** The configuration called {@code name}: {@code tiny}, {@code small}, {@code medium} or {@code large}. */
    public static Mlp named(String name) {
        for (Mlp m : ALL) if (m.name.equals(name)) return m;
        throw new IllegalArgumentException("there is no configuration " + name + "; the configurations are "
                + ALL.stream().map(Mlp::name).collect(Collectors.joining(", ")));
    }

    /** The number of weight matrices. */
    public int layers() { return widths.size() - 1; }

    public int width(int i) { return widths.get(i); }

    public int inputs() { return widths.get(0); }

    public int classes() { return widths.get(widths.size() - 1); }

    /** As the issue writes it: {@code medium 784-256-10, batch 128}. */
    @Override
    public String toString() {
        return name + " " + widths.stream().map(String::valueOf).collect(Collectors.joining("-")) + ", batch " + batch;
    }
}
