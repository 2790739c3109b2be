package org.graft.ops;

import static org.graft.ops.Ops.adamStep;
import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.movingAverage;
import static org.graft.ops.Ops.movingAverageOfSquares;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.sqrt;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sub;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Type;
import org.graft.core.check.GradCheck;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * The optimizers' update ops give the bits of the primitive ops they stand for, in f64 and in
 * f32, in one block of a fused loop and in several (the rewrites off, so the primitive form runs
 * as written); their gradients are those of the formulas, against finite differences.
 */
class UpdateTest {

    private static Tensor between(Shape s, double lo, double hi, SplittableRandom random) { return Tensor.uniform(s, lo, hi, random); }

    private static Tensor run(List<Input> in, Node y, List<Tensor> at) { return Compiler.compile(in, List.of(y), Options.NONE).call(at).get(0); }

    @Property(tries = 60)
    void aMovingAverageIsItsOpsToTheBit(@ForAll @IntRange(min = 0, max = 3000) int size, @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double decay,
                                         @ForAll boolean f32, @ForAll long seed) {
        DType dtype = f32 ? DType.F32 : DType.F64;
        var random = new SplittableRandom(seed);
        Input a = new Input("a", Type.of(dtype, size)), x = new Input("x", Type.of(dtype, size));
        List<Tensor> at = List.of(between(Shape.of(size), -5, 5, random).astype(dtype), between(Shape.of(size), -5, 5, random).astype(dtype));
        List<Input> in = List.of(a, x);
        assertEquals(run(in, add(mul(decay, a), mul(1 - decay, x)), at), run(in, movingAverage(a, x, decay), at));
    }

    @Property(tries = 60)
    void aMovingAverageOfSquaresIsItsOpsToTheBit(@ForAll @IntRange(min = 0, max = 3000) int size, @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double decay,
                                                  @ForAll boolean f32, @ForAll long seed) {
        DType dtype = f32 ? DType.F32 : DType.F64;
        var random = new SplittableRandom(seed);
        Input a = new Input("a", Type.of(dtype, size)), x = new Input("x", Type.of(dtype, size));
        List<Tensor> at = List.of(between(Shape.of(size), 0, 5, random).astype(dtype), between(Shape.of(size), -5, 5, random).astype(dtype));
        List<Input> in = List.of(a, x);
        assertEquals(run(in, movingAverage(a, square(x), decay), at), run(in, movingAverageOfSquares(a, x, decay), at));
    }

    /**
     * As the optimizers build it, lr, c1 and c2 are scalars, which the op takes as one element
     * each; any of them may also be a vector that broadcasts, read element by element.
     */
    @Property(tries = 60)
    void anAdamStepIsItsOpsToTheBit(@ForAll @IntRange(min = 0, max = 3000) int size, @ForAll @IntRange(min = -12, max = -1) int epsExponent,
                                     @ForAll boolean f32, @ForAll boolean lrVector, @ForAll boolean c1Vector, @ForAll boolean c2Vector,
                                     @ForAll long seed) {
        DType dtype = f32 ? DType.F32 : DType.F64;
        double eps = Math.pow(10, epsExponent);
        var random = new SplittableRandom(seed);
        Shape s = Shape.of(size), scalar = Shape.of();
        Shape lrShape = lrVector ? s : scalar, c1Shape = c1Vector ? s : scalar, c2Shape = c2Vector ? s : scalar;
        List<Input> in = List.of(new Input("p", Type.of(dtype, size)), new Input("m", Type.of(dtype, size)), new Input("v", Type.of(dtype, size)),
                new Input("lr", Type.of(dtype, lrShape)), new Input("c1", Type.of(dtype, c1Shape)), new Input("c2", Type.of(dtype, c2Shape)));
        List<Tensor> at = List.of(between(s, -3, 3, random), between(s, -1, 1, random), between(s, 0, 2, random),
                between(lrShape, 1e-4, 1, random), between(c1Shape, 1e-3, 1, random), between(c2Shape, 1e-6, 1, random))
                .stream().map(t -> t.astype(dtype)).toList();
        Node p = in.get(0), m = in.get(1), v = in.get(2), lr = in.get(3), c1 = in.get(4), c2 = in.get(5);
        Node written = sub(p, div(mul(lr, div(m, c1)), add(sqrt(div(v, c2)), eps)));
        assertEquals(run(in, written, at), run(in, adamStep(p, m, v, lr, c1, c2, eps), at));
    }

    @Property(tries = 100)
    void aMovingAveragesGradientMatchesFiniteDifferences(@ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double decay, @ForAll long seed) {
        var random = new SplittableRandom(seed);
        GradCheck.of((a, x) -> movingAverage(a, x, decay)).at(between(Shape.of(2, 3), -3, 3, random), between(Shape.of(2, 3), -3, 3, random)).assertClose();
    }

    @Property(tries = 100)
    void aMovingAverageOfSquaresGradientMatchesFiniteDifferences(@ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double decay, @ForAll long seed) {
        var random = new SplittableRandom(seed);
        GradCheck.of((a, x) -> movingAverageOfSquares(a, x, decay)).at(between(Shape.of(2, 3), -3, 3, random), between(Shape.of(2, 3), -3, 3, random)).assertClose();
    }

    /** Over Adam's domain: v above 0, where the root is differentiable, and bias corrections in (0, 1]; lr, c1 and c2 broadcast. */
    @Property(tries = 100)
    void anAdamStepsGradientMatchesFiniteDifferences(@ForAll @IntRange(min = -8, max = 0) int epsExponent, @ForAll long seed) {
        double eps = 0.5 * Math.pow(10, epsExponent);
        var random = new SplittableRandom(seed);
        Shape s = Shape.of(2, 3), scalar = Shape.of();
        GradCheck.ofList(in -> adamStep(in.get(0), in.get(1), in.get(2), in.get(3), in.get(4), in.get(5), eps))
                .at(between(s, -3, 3, random), between(s, -1, 1, random), between(s, 0.05, 2, random),
                        between(scalar, 1e-3, 1, random), between(scalar, 0.1, 1, random), between(scalar, 0.1, 1, random))
                .assertClose();
    }
}
