package org.graft.dsl;

import java.util.random.RandomGenerator;

import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * A param's initializer as the program writes it ({@code normal(0, 0.05)}): its text, the rank
 * it needs (or {@link #ANY_RANK}), and how it draws a value of a dtype and a concrete shape (in
 * double, rounded to the dtype, so an f32 param starts from the f64 draws rounded).
 */
record Initializer(String text, int rank, Draw draw) {
    static final int ANY_RANK = -1;

    Initializer(String text, Draw draw) { this(text, ANY_RANK, draw); }

    interface Draw { Tensor apply(DType dtype, Shape shape, RandomGenerator random); }
}
