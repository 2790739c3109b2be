package org.graft.core.check;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * jqwik arbitraries for shapes and tensors, for properties over an op's own domain:
 *
 * <pre>{@code
 * @Provide Arbitrary<Tensor> positive() { return Tensors.smallShapes().between(0.1, 10.0); }
 * @Provide Arbitrary<Tensor> kinkFree() { return Tensors.smallShapes().awayFromZero(0.1, 5.0); }
 * }</pre>
 */
public final class Tensors {
    private Tensors() {}

    /** Digits after the decimal point of generated values: fine enough to avoid lattice artefacts. */
    private static final int SCALE = 6;

    /** Shapes of rank 0 to {@code maxRank} with every dim in {@code [minDim, maxDim]}. */
    public static Arbitrary<Shape> shapes(int maxRank, int minDim, int maxDim) {
        return Arbitraries.integers().between(minDim, maxDim).array(int[].class).ofMinSize(0).ofMaxSize(maxRank)
                .map(Shape::of);
    }

    /** Tensors of rank 0 to 3 with dims 1 to 4. */
    public static Values smallShapes() { return new Values(shapes(3, 1, 4)); }

    /** Like {@link #smallShapes()}, but a dim may also be 0 (an empty tensor). */
    public static Values smallShapesWithEmpty() { return new Values(shapes(3, 0, 4)); }

    /** Tensors of exactly this shape. */
    public static Values withShape(Shape shape) { return new Values(Arbitraries.just(shape)); }

    /** Tensors whose shapes come from {@code shapes}. */
    public static Values withShapes(Arbitrary<Shape> shapes) { return new Values(shapes); }

    /**
     * Pairs of shapes that broadcast together: both are taken from one base shape of rank up to
     * 3, each losing some leading axes and having some dims set to 1.
     */
    public static Arbitrary<List<Shape>> broadcastablePairs() {
        return shapes(3, 1, 4).flatMap(base -> Combinators.combine(variant(base), variant(base)).as(List::of));
    }

    private static Arbitrary<Shape> variant(Shape base) {
        int rank = base.rank();
        return Combinators.combine(Arbitraries.integers().between(0, rank), Arbitraries.integers().between(0, (1 << rank) - 1))
                .as((dropped, ones) -> {
                    int[] dims = new int[rank - dropped];
                    for (int i = 0; i < dims.length; i++) {
                        int axis = i + dropped;
                        dims[i] = (ones >> axis & 1) == 1 ? 1 : base.dim(axis);
                    }
                    return Shape.of(dims);
                });
    }

    /** Chooses the domain of the values of tensors whose shapes are already chosen. */
    public static final class Values {
        private final Arbitrary<Shape> shapes;

        private Values(Arbitrary<Shape> shapes) { this.shapes = shapes; }

        /** Every element in {@code [lo, hi]}. */
        public Arbitrary<Tensor> between(double lo, double hi) {
            return fill(Arbitraries.doubles().between(lo, hi).ofScale(SCALE));
        }

        /** Every element of magnitude in {@code [min, max]}, of either sign: away from zero and kinks there. */
        public Arbitrary<Tensor> awayFromZero(double min, double max) {
            var magnitude = Arbitraries.doubles().between(min, max).ofScale(SCALE);
            return fill(Combinators.combine(magnitude, Arbitraries.of(1.0, -1.0)).as((m, s) -> m * s));
        }

        /** Elements in [0.1, 10]: the domain of {@code log}, {@code sqrt}, division. */
        public Arbitrary<Tensor> positive() { return between(0.1, 10.0); }

        /** Elements of magnitude in [0.1, 5], either sign. */
        public Arbitrary<Tensor> awayFromZero() { return awayFromZero(0.1, 5.0); }

        /** Elements in [-5, 5]. */
        public Arbitrary<Tensor> any() { return between(-5.0, 5.0); }

        private Arbitrary<Tensor> fill(Arbitrary<Double> element) {
            return shapes.flatMap(shape -> element.list().ofSize(shape.size())
                    .map(list -> Tensor.of(shape, list.stream().mapToDouble(Double::doubleValue).toArray())));
        }
    }
}
