package org.graft.core.tensor;

/**
 * The element type of a tensor. Only {@link #F64} has storage today; {@link #F32} is part of
 * every type so that graphs, type rules and the gradient checker already carry it.
 */
public enum DType {
    F64(8, 0x1p-52),
    F32(4, 0x1p-23);

    private final int bytes;
    private final double epsilon;

    DType(int bytes, double epsilon) {
        this.bytes = bytes;
        this.epsilon = epsilon;
    }

    public int bytes() { return bytes; }

    /** The distance from 1.0 to the next larger representable number. */
    public double epsilon() { return epsilon; }

    /** As written in the language: {@code f64}, {@code f32}. */
    @Override
    public String toString() { return name().toLowerCase(java.util.Locale.ROOT); }
}
