package org.graft.dsl;

import java.util.List;
import java.util.random.RandomGenerator;

import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * A param's initializer as the program writes it ({@code normal(0, 0.05)}): its text, the ranks
 * it takes (empty: any), and how it draws a value of a dtype and a concrete shape (in
 * double, rounded to the dtype, so an f32 param starts from the f64 draws rounded).
 */
record Initializer(String text, List<Integer> ranks, Draw draw) {

    Initializer {
        ranks = List.copyOf(ranks);
    }

    Initializer(String text, Draw draw) { this(text, List.of(), draw); }

    interface Draw { Tensor apply(DType dtype, Shape shape, RandomGenerator random); }
}
