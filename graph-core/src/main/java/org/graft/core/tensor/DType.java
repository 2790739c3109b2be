package org.graft.core.tensor;

/**
 * The element type of a tensor and of a node's {@link org.graft.core.Type}: {@link #F64}, the
 * default, or {@link #F32}. A {@link Tensor} of either dtype stores doubles; an f32 tensor's
 * values are rounded to float when it is made, which gives IEEE float arithmetic for
 * {@code + - * /} and {@code sqrt} and the correctly rounded double result elsewhere (see
 * {@link Tensor}). Nothing converts between dtypes implicitly: ops take operands of one dtype.
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
