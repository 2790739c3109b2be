package org.graft.bench;

import java.util.List;

/**
 * A convolution benchmarked alone: images {@code [batch, channels, size, size]} against
 * {@code filters} square filters of {@code taps x taps}, stride 1, the padding given. The
 * torch script ({@code bench/torch_step.py}) times the same layers by the same names.
 */
public record ConvLayer(String name, int batch, int channels, int size, int filters, int taps, int padding) {

    /** LeNet's first layer at a batch of 100, its second, and a 3x3, 64-channel layer on 32x32 images. */
    public static final List<ConvLayer> ALL = List.of(
            new ConvLayer("lenet1", LenetStep.BATCH, 1, 28, 20, 5, 0),
            new ConvLayer("lenet2", LenetStep.BATCH, 20, 12, 50, 5, 0),
            new ConvLayer("conv3x3", 32, 64, 32, 64, 3, 1));

    public static ConvLayer named(String name) {
        return ALL.stream().filter(l -> l.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no convolution layer " + name));
    }

    @Override
    public String toString() {
        return String.format("%s [%d, %d, %d, %d] * [%d, %d, %d, %d]%s", name, batch, channels, size, size, filters, channels, taps, taps,
                padding == 0 ? "" : ", padding " + padding);
    }
}
