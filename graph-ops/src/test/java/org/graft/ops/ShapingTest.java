package org.graft.ops;

import static org.graft.ops.OpChecks.assertRuntimeError;
import static org.graft.ops.OpChecks.assertShapeError;
import static org.graft.ops.OpChecks.cube;
import static org.graft.ops.OpChecks.run;
import static org.graft.ops.Ops.broadcastTo;
import static org.graft.ops.Ops.concat;
import static org.graft.ops.Ops.expandDims;
import static org.graft.ops.Ops.fill;
import static org.graft.ops.Ops.grad;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.oneHot;
import static org.graft.ops.Ops.reshape;
import static org.graft.ops.Ops.slice;
import static org.graft.ops.Ops.split;
import static org.graft.ops.Ops.squeeze;
import static org.graft.ops.Ops.stack;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.sumTo;
import static org.graft.ops.Ops.unslice;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.Apply;
import org.graft.core.GradientError;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.ShapeError;
import org.graft.core.Type;
import org.graft.core.check.GradCheck;
import org.graft.core.check.Tensors;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

class ShapingTest {

    /** A small operand and a larger tensor it broadcasts to. */
    @Provide
    Arbitrary<List<Tensor>> broadcasts() {
        return Tensors.broadcastablePairs().flatMap(s -> {
            Shape big = Shape.broadcast(s.get(0), s.get(1));
            return Combinators.combine(Tensors.withShape(s.get(0)).any(), Tensors.withShape(big).any()).as(List::of);
        });
    }

    @Property(tries = 100)
    void broadcastToGradientMatchesFiniteDifferences(@ForAll("broadcasts") List<Tensor> xs) {
        // the second operand only lends its shape: its gradient is zero
        GradCheck.of((x, like) -> broadcastTo(x, like)).at(xs.get(0), xs.get(1)).assertClose();
    }

    @Property(tries = 100)
    void sumToGradientMatchesFiniteDifferences(@ForAll("broadcasts") List<Tensor> xs) {
        Type small = Type.of(xs.get(0));
        GradCheck.of(big -> sumTo(big, small)).at(xs.get(1)).assertClose();
    }

    @Property(tries = 50)
    void broadcastAndItsAdjointDifferentiateAgain(@ForAll("broadcasts") List<Tensor> xs) {
        Type small = Type.of(xs.get(0));
        GradCheck.of((a, big) -> GradTable.grad(sum(mul(broadcastTo(mul(a, a), big), big)), a))
                .at(xs.get(0), xs.get(1)).assertClose();
        GradCheck.of((a, big) -> GradTable.grad(sum(mul(sumTo(mul(big, big), small), a)), big))
                .at(xs.get(0), xs.get(1)).assertClose();
    }

    @Property(tries = 100)
    void expandDimsAndSqueezeGradientsMatchFiniteDifferences(@ForAll("withAxis") Tensor x, @ForAll("positions") int where) {
        int axis = Math.min(where, x.rank());
        GradCheck.of(v -> expandDims(v, axis)).at(x).assertClose();
        Tensor expanded = x.reshape(withOne(x.shape(), axis));
        GradCheck.of(v -> squeeze(v, axis)).at(expanded).assertClose();
    }

    @Example
    void broadcastToASymbolicShapeTakesTheShapeOfItsSecondOperand() {
        Input b = input("b", 3), x = input("x", "n", 3);
        assertEquals(Type.f64("n", 3), broadcastTo(b, x).type());
        var e = assertThrows(ShapeError.class, () -> broadcastTo(x, b));
        assertEquals("broadcast_to(x, b): cannot broadcast [n, 3] to [3]", e.getMessage());
        assertThrows(ShapeError.class, () -> squeeze(x, 1));
        assertEquals(Type.f64("n", 1, 3), expandDims(x, 1).type());
    }

    // ---- reshape ------------------------------------------------------------------------------

    @Property(tries = 100)
    void reshapeGradientMatchesFiniteDifferences(@ForAll("reshapes") Reshaped c) {
        GradCheck.of(x -> reshape(x, c.dims())).at(c.x()).assertClose();
    }

    @Property(tries = 50)
    void reshapeHasCorrectSecondDerivatives(@ForAll("reshapes") Reshaped c) {
        GradCheck.of(x -> grad(cube(reshape(x, c.dims())), x)).at(c.x()).assertClose();
    }

    @Example
    void reshapeInfersTheMinusOne() {
        Tensor m = Tensor.matrix(new double[] {1, 2, 3}, new double[] {4, 5, 6});
        Input x = input("x", 2, 3);
        assertEquals(Tensor.vector(1, 2, 3, 4, 5, 6), run(reshape(x, -1), x, m));
        assertEquals(Tensor.matrix(new double[] {1, 2}, new double[] {3, 4}, new double[] {5, 6}), run(reshape(x, 3, -1), x, m));
        assertEquals(Type.f64(1, 6, 1), reshape(x, 1, -1, 1).type());
        Input s = input("s");
        assertEquals(Tensor.scalar(7), run(reshape(reshape(s, 1, -1), new int[0]), s, Tensor.scalar(7)));
        assertEquals(Type.f64(0, 5), reshape(input("e", 5, 0), 0, 5).type());
    }

    @Example
    void reshapeOfASymbolicBatchRunsForEveryBatchSize() {
        Input x = input("x", "n", 2, 3);
        Node y = reshape(x, -1, 6);
        assertEquals(Type.f64("n", 6), y.type());
        Node dx = grad(cube(y), x);                    // d/dx sum(y³) = 3x², in x's dims
        assertEquals(x.type(), dx.type());
        var f = Compiler.compile(List.of(x), List.of(y, dx));
        for (int n : new int[] {1, 4}) {
            Tensor v = Tensor.uniform(Shape.of(n, 2, 3), -1, 1, new SplittableRandom(n));
            List<Tensor> out = f.call(v);
            assertEquals(v.reshape(Shape.of(n, 6)), out.get(0));
            assertTrue(v.map(e -> 3 * e * e).allClose(out.get(1), 1e-12, 1e-12));
        }
    }

    @Example
    void reshapeErrorsSayWhyTheSizesDoNotFit() {
        Input x = input("x", 2, 3), e = input("e", 0, 3);
        assertShapeError("reshape(x): cannot reshape [2, 3] (6 elements) to [4, 2] (8 elements)", () -> reshape(x, 4, 2));
        assertShapeError("reshape(x): cannot reshape [2, 3] (6 elements) to [4, -1]: 6 is not a multiple of 4",
                () -> reshape(x, 4, -1));
        assertShapeError("reshape(x): cannot reshape [2, 3] to [-1, -1]: only one dim can be -1", () -> reshape(x, -1, -1));
        assertShapeError("reshape(x): cannot reshape [2, 3] to [-2, 3]: a dim is a size or -1, not -2", () -> reshape(x, -2, 3));
        assertShapeError("reshape(e): cannot reshape [0, 3] to [0, -1]: the -1 is ambiguous when the other dims hold no elements",
                () -> reshape(e, 0, -1));
    }

    @Example
    void reshapeOfSymbolicDimsNeedsAMinusOneForTheirOneSymbol() {
        Input b = input("b", "n", 2, 3), nm = input("nm", "n", "m", 3);
        assertShapeError("reshape(b): cannot reshape [n, 2, 3] to [6, 2]: the size of a symbolic input can only be "
                + "matched by a -1", () -> reshape(b, 6, 2));
        assertShapeError("reshape(nm): cannot reshape [n, m, 3] to [-1, 3]: the -1 can stand for one symbolic dim, "
                + "and [n, m, 3] has 2", () -> reshape(nm, -1, 3));
        assertShapeError("reshape(b): cannot reshape [n, 2, 3] to [-1, 2]: the -1 would stand for n, which needs the "
                + "other dims to hold 6 elements, not 2", () -> reshape(b, -1, 2));
    }

    @Example
    void reshapeLikeAnotherNodeChecksThatTheSizesAgree() {
        Input x = input("x", 2, 3), y = input("y", 4), b = input("b", "n", 2, 3), c = input("c", 6, "n"), d = input("d", "m", 6);
        assertEquals(Type.f64(6, "n"), reshape(b, c).type());
        assertShapeError("reshape(x, y): cannot reshape [2, 3] (6 elements) to [4] (4 elements)", () -> reshape(x, y));
        assertShapeError("reshape(b, d): cannot reshape [n, 2, 3] to [m, 6]: their sizes cannot be shown equal",
                () -> reshape(b, d));
    }

    // ---- broadcast_to ---------------------------------------------------------------------------

    @Property(tries = 100)
    void broadcastToConcreteDimsGradientMatchesFiniteDifferences(@ForAll("broadcasts") List<Tensor> xs) {
        int[] dims = xs.get(1).shape().dims();
        GradCheck.of(x -> broadcastTo(x, dims)).at(xs.get(0)).assertClose();
    }

    @Example
    void broadcastToConcreteDimsCopiesAlongTheNewAxes() {
        Input v = input("v", 2, 1), s = input("s"), x = input("x", "n", 3);
        assertEquals(Tensor.matrix(new double[] {1, 1, 1}, new double[] {2, 2, 2}),
                run(broadcastTo(v, 2, 3), v, Tensor.of(new double[] {1, 2}, 2, 1)));
        assertEquals(Tensor.full(Shape.of(2, 0), 5), run(broadcastTo(s, 2, 0), s, Tensor.scalar(5)));
        GradCheck.of(e -> broadcastTo(e, 2, 0)).at(Tensor.scalar(5)).assertClose();  // no copies: zero gradient
        assertShapeError("broadcast_to(x): cannot broadcast [n, 3] to [2, 3]", () -> broadcastTo(x, 2, 3));
        assertShapeError("broadcast_to(v): cannot broadcast [2, 1] to [3, 3]", () -> broadcastTo(v, 3, 3));
        assertShapeError("broadcast_to(v): cannot broadcast [2, 1] to [2]", () -> broadcastTo(v, 2));
        assertShapeError("broadcast_to(s): cannot broadcast [] to [-1, 3]: a dim cannot be negative", () -> broadcastTo(s, -1, 3));
    }

    // ---- concat ---------------------------------------------------------------------------------

    @Property(tries = 100)
    void concatGradientMatchesFiniteDifferences(@ForAll("joins") Joined c) {
        GradCheck.ofList(xs -> concat(xs, c.axis())).at(c.xs().toArray(Tensor[]::new)).assertClose();
    }

    @Property(tries = 50)
    void concatHasCorrectSecondDerivatives(@ForAll("joins") Joined c) {
        GradCheck.ofList(xs -> grad(cube(concat(xs, c.axis())), xs.get(0))).at(c.xs().toArray(Tensor[]::new)).assertClose();
    }

    @Example
    void concatJoinsAlongTheAxisAndKeepsSymbolsOffIt() {
        Input a = input("a", 2, 2), b = input("b", 2, 1);
        var f = Compiler.compile(List.of(a, b), List.of(concat(List.of(a, b), -1), concat(List.of(a, a), 0)));
        Tensor av = Tensor.matrix(new double[] {1, 2}, new double[] {3, 4});
        List<Tensor> out = f.call(av, Tensor.of(new double[] {5, 6}, 2, 1));
        assertEquals(Tensor.matrix(new double[] {1, 2, 5}, new double[] {3, 4, 6}), out.get(0));
        assertEquals(Tensor.concat(List.of(av, av), 0), out.get(1));
        Input x = input("x", "n", 2), y = input("y", "n", 3);
        assertEquals(Type.f64("n", 5), concat(List.of(x, y), 1).type());
        assertEquals(Type.f64("n", 2), concat(List.of(x), -1).type());
    }

    @Example
    void concatErrorsNameTheOperandsTypes() {
        Input a = input("a", 2, 3), b = input("b", 4, 3), v = input("v", 3), s = input("s"), x = input("x", "n", 3);
        Input h = new Input("h", Type.of(DType.F32, 2, 3));
        assertShapeError("concat(a, b): dims differ off axis 1: [2, 3], [4, 3]", () -> concat(List.of(a, b), 1));
        assertShapeError("concat(a, v): ranks differ: [2, 3], [3]", () -> concat(List.of(a, v), 0));
        assertShapeError("concat(a, h): dtypes differ: [2, 3], f32[2, 3]", () -> concat(List.of(a, h), 0));
        assertShapeError("concat(x, a): the dims along axis 0 must be concrete: [n, 3], [2, 3]", () -> concat(List.of(x, a), 0));
        // the mismatch off the axis is the error to report, not the symbolic dim along it
        assertShapeError("concat(x, w): dims differ off axis 0: [n, 3], [n, 4]", () -> concat(List.of(x, input("w", "n", 4)), 0));
        assertShapeError("concat(s, s): cannot concatenate scalars: [], []", () -> concat(List.of(s, s), 0));
        assertShapeError("concat(a, b): axis 2 is out of range for [2, 3] (rank 2)", () -> concat(List.of(a, b), 2));
        assertShapeError("concat(): needs at least one operand", () -> concat(List.of(), 0));
    }

    // ---- slicing --------------------------------------------------------------------------------

    @Property(tries = 100)
    void sliceAndItsAdjointGradientsMatchFiniteDifferences(@ForAll("slices") Sliced c) {
        GradCheck.of(x -> slice(x, c.index())).at(c.x()).assertClose();
        Tensor g = Tensor.uniform(slicedShape(c), -1, 1, new SplittableRandom(1));
        GradCheck.of((gv, like) -> unslice(gv, like, c.index())).at(g, c.x()).assertClose();
    }

    @Property(tries = 50)
    void sliceHasCorrectSecondDerivatives(@ForAll("slices") Sliced c) {
        GradCheck.of(x -> grad(cube(slice(x, c.index())), x)).at(c.x()).assertClose();
    }

    @Example
    void slicesOfAVectorFollowNumPy() {
        Input x = input("x", 10);
        Tensor v = Tensor.vector(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertEquals(Tensor.vector(9, 8, 7, 6, 5, 4, 3, 2, 1, 0), run(slice(x, Slice.range(null, null, -1)), x, v));
        assertEquals(Tensor.vector(8, 6, 4), run(slice(x, Slice.range(8, 2, -2)), x, v));
        assertEquals(Tensor.vector(7, 8, 9), run(slice(x, Slice.range(-3, null, 1)), x, v));
        assertEquals(Tensor.vector(9, 6), run(slice(x, Slice.range(null, -7, -3)), x, v));
        assertEquals(Tensor.vector(7, 4, 1), run(slice(x, Slice.range(7, -20, -3)), x, v));
        assertEquals(Tensor.vector(0, 3, 6, 9), run(slice(x, Slice.range(null, null, 3)), x, v));
        assertEquals(Tensor.vector(0, 1, 2), run(slice(x, Slice.range(-20, 3)), x, v));
        assertEquals(Tensor.vector(), run(slice(x, Slice.range(20, null, 1)), x, v));
        assertEquals(Tensor.vector(), run(slice(x, Slice.range(5, 20, -1)), x, v));
        assertEquals(Tensor.scalar(9), run(slice(x, Slice.index(-1)), x, v));
        assertEquals(Tensor.scalar(0), run(slice(x, Slice.index(-10)), x, v));
    }

    @Example
    void slicesOfAMatrixKeepRangesAndDropIndices() {
        Input m = input("m", 3, 4);
        Tensor v = Tensor.of(new double[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 3, 4);
        assertEquals(Tensor.vector(4, 5, 6, 7), run(slice(m, Slice.index(1)), m, v));
        assertEquals(Tensor.vector(3, 7, 11), run(slice(m, Slice.all(), Slice.index(-1)), m, v));
        assertEquals(Tensor.matrix(new double[] {9, 10}, new double[] {5, 6}, new double[] {1, 2}),
                run(slice(m, Slice.range(null, null, -1), Slice.range(1, 3)), m, v));
        assertEquals(Tensor.vector(11, 9), run(slice(m, Slice.index(-1), Slice.range(null, null, -2)), m, v));
        assertEquals(Tensor.scalar(6), run(slice(m, Slice.index(1), Slice.index(2)), m, v));
        assertEquals(v, run(slice(m), m, v));
        Input s = input("s");
        assertEquals(Tensor.scalar(2), run(slice(s), s, Tensor.scalar(2)));
    }

    @Example
    void slicesPrintAsPythonWritesThem() {
        assertEquals(List.of(":", "::-1", "1:3", "0:10:2", "-2:", ":5", "-1"),
                Stream.of(Slice.all(), Slice.range(null, null, -1), Slice.range(1, 3), Slice.range(0, 10, 2),
                        Slice.range(-2, null, 1), Slice.range(null, 5, 1), Slice.index(-1)).map(Slice::toString).toList());
    }

    @Example
    void aSymbolicDimCanOnlyBeSlicedWhole() {
        Input x = input("x", "n", 4);
        Node y = slice(x, Slice.range(null, null, -1), Slice.range(1, 3));
        assertEquals(Type.f64("n", 2), y.type());
        assertEquals(Type.f64("n", 4), slice(x, Slice.all()).type());
        Node dx = grad(cube(y), x);                 // 3y² written back where y was read, 0 elsewhere
        Tensor v = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4);
        List<Tensor> out = Compiler.compile(List.of(x), List.of(y, dx)).call(v);
        assertEquals(Tensor.matrix(new double[] {6, 7}, new double[] {2, 3}), out.get(0));
        assertEquals(Tensor.matrix(new double[] {0, 12, 27, 0}, new double[] {0, 108, 147, 0}), out.get(1));
        assertShapeError("slice(x): cannot index axis 0 of [n, 4] with 0:2: its size n is symbolic, and only : and ::-1 "
                + "apply to a symbolic dim", () -> slice(x, Slice.range(0, 2)));
        assertShapeError("slice(x): cannot index axis 0 of [n, 4] with 0: its size n is symbolic, and only : and ::-1 "
                + "apply to a symbolic dim", () -> slice(x, Slice.index(0)));
        assertShapeError("slice(x): cannot index axis 0 of [n, 4] with ::2: its size n is symbolic, and only : and ::-1 "
                + "apply to a symbolic dim", () -> slice(x, Slice.range(null, null, 2)));
    }

    @Example
    void sliceErrorsNameTheIndexAndTheSize() {
        Input m = input("m", 2, 3);
        assertShapeError("slice(m): index 3 is out of range for axis 1 of size 3", () -> slice(m, Slice.all(), Slice.index(3)));
        assertShapeError("slice(m): index -3 is out of range for axis 0 of size 2", () -> slice(m, Slice.index(-3)));
        assertShapeError("slice(m): the step of 1:5:0 (axis 0) is zero", () -> slice(m, Slice.range(1, 5, 0)));
        assertShapeError("slice(m): the index [0, 0, 0] has 3 components for [2, 3] of rank 2",
                () -> slice(m, Slice.index(0), Slice.index(0), Slice.index(0)));
        Input g = input("g", 3), like = input("like", 5);
        assertShapeError("unslice(g, like): cannot write [3] into the slice [0:2] of [5], which is [2]",
                () -> unslice(g, like, Slice.range(0, 2)));
        assertShapeError("unslice(g, like): index 5 is out of range for axis 0 of size 5", () -> unslice(g, like, Slice.index(5)));
    }

    // ---- split ----------------------------------------------------------------------------------

    @Property(tries = 100)
    void splitGradientsMatchFiniteDifferences(@ForAll("splits") Splitting c) {
        for (int i = 0; i < c.parts(); i++) {
            final int part = i;
            GradCheck.of(x -> split(x, c.parts(), c.axis()).get(part)).at(c.x()).assertClose();
        }
    }

    @Example
    void splitCutsTheAxisIntoEqualPartsInOrder() {
        Input x = input("x", 6), m = input("m", "n", 4);
        List<Apply> parts = split(x, 3, 0);
        var f = Compiler.compile(List.of(x), parts);
        assertEquals(List.of(Tensor.vector(0, 1), Tensor.vector(2, 3), Tensor.vector(4, 5)), f.call(Tensor.vector(0, 1, 2, 3, 4, 5)));
        List<Apply> halves = split(m, 2, -1);
        assertEquals(List.of(Type.f64("n", 2), Type.f64("n", 2)), halves.stream().map(Node::type).toList());
        Tensor v = Tensor.matrix(new double[] {1, 2, 3, 4});
        assertEquals(List.of(Tensor.matrix(new double[] {1, 2}), Tensor.matrix(new double[] {3, 4})),
                Compiler.compile(List.of(m), halves).call(v));
        assertEquals(1, split(x, 1, 0).size());
    }

    @Example
    void splitErrorsSayTheSizeAndTheParts() {
        Input x = input("x", 5, 3), b = input("b", "n", 3);
        assertShapeError("split(x): cannot split axis 0 of [5, 3] (size 5) into 2 equal parts", () -> split(x, 2, 0));
        assertShapeError("split(b): cannot split axis -2 of [n, 3]: its size n is symbolic", () -> split(b, 2, -2));
        assertShapeError("split(x): the number of parts must be positive, found 0", () -> split(x, 0, 1));
        assertShapeError("split(x): axis 2 is out of range for [5, 3] (rank 2)", () -> split(x, 1, 2));
    }

    // ---- one_hot and fill -----------------------------------------------------------------------

    @Example
    void oneHotPutsAOneAtEachLabelAlongANewLastAxis() {
        Input labels = input("labels", 2, 2), s = input("s"), n = input("n", "n");
        Tensor got = run(oneHot(labels, 3), labels, Tensor.matrix(new double[] {0, 2}, new double[] {1, 0}));
        assertEquals(Tensor.of(new double[] {1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0}, 2, 2, 3), got);
        assertEquals(Tensor.vector(0, 1, 0), run(oneHot(s, 3), s, Tensor.scalar(1)));
        assertEquals(Type.f64("n", 10), oneHot(n, 10).type());
        assertEquals(Tensor.zeros(Shape.of(0, 4)), run(oneHot(n, 4), n, Tensor.vector()));
        assertShapeError("one_hot(s): the number of classes must be positive, found 0", () -> oneHot(s, 0));
    }

    @Example
    void oneHotRefusesALabelThatIsNotAClassNamingItAndWhereItIs() {
        Input labels = input("labels", 2, 2);
        var f = Compiler.compile(List.of(labels), List.of(oneHot(labels, 3)));
        assertRuntimeError("one_hot(labels): label 3 at [1, 0] is not an integer in [0, 3)",
                () -> f.call(Tensor.matrix(new double[] {0, 2}, new double[] {3, 0})));
        assertRuntimeError("one_hot(labels): label 1.5 at [0, 1] is not an integer in [0, 3)",
                () -> f.call(Tensor.matrix(new double[] {0, 1.5}, new double[] {1, 0})));
        assertRuntimeError("one_hot(labels): label -1 at [0, 0] is not an integer in [0, 3)",
                () -> f.call(Tensor.matrix(new double[] {-1, 1}, new double[] {1, 0})));
        assertRuntimeError("one_hot(labels): label NaN at [1, 1] is not an integer in [0, 3)",
                () -> f.call(Tensor.matrix(new double[] {0, 1}, new double[] {1, Double.NaN})));
    }

    @Example
    void oneHotHasAZeroGradient() {
        Input labels = input("labels", 3), w = input("w", 3, 4);
        Node dl = grad(sum(mul(oneHot(labels, 4), w)), labels);
        assertEquals(labels.type(), dl.type());
        Tensor got = Compiler.compile(List.of(labels, w), List.of(dl))
                .call(Tensor.vector(0, 3, 1), Tensor.full(Shape.of(3, 4), 2)).get(0);
        assertEquals(Tensor.zeros(Shape.of(3)), got);
    }

    @Example
    void fillGivesXsShapeWithEveryElementTheValueAndNoGradient() {
        Input x = input("x", 2, 3);
        Apply f = fill(x, 2.5);
        assertEquals("fill", f.label());
        assertEquals("zeros_like", fill(x, 0).label());
        assertEquals(x.type(), f.type());
        assertEquals(Tensor.full(Shape.of(2, 3), 2.5), run(f, x, Tensor.zeros(Shape.of(2, 3))));
        var e = assertThrows(GradientError.class, () -> grad(sum(f), x));
        assertTrue(e.getMessage().startsWith("grad: no gradient reaches x"), e.getMessage());
    }

    // ---- expand_dims, squeeze and stack, as NumPy writes them -------------------------------------

    @Example
    void expandDimsAndSqueezeCountNegativeAxesFromTheEndAsNumPy() {
        Input v = input("v", 3), x = input("x", "n", 1, 3, 1);
        assertEquals(Type.f64(3, 1), expandDims(v, -1).type());
        assertEquals(Type.f64(1, 3), expandDims(v, -2).type());
        assertEquals(Type.f64("n", 3), squeeze(x).type());     // every axis of size 1; n is not known to be 1
        assertEquals(Type.f64("n", 1, 3), squeeze(x, -1).type());
        assertShapeError("expand_dims(v): axis 2 is out of range for a result of rank 2", () -> expandDims(v, 2));
        assertShapeError("expand_dims(v): axis -3 is out of range for a result of rank 2", () -> expandDims(v, -3));
        assertShapeError("squeeze(x): axis 2 of [n, 1, 3, 1] is not of size 1", () -> squeeze(x, 2));
        assertShapeError("squeeze(x): axis 4 is out of range for [n, 1, 3, 1] (rank 4)", () -> squeeze(x, 4));
    }

    @Property(tries = 100)
    void stackGradientMatchesFiniteDifferences(@ForAll("stacks") Joined c) {
        GradCheck.ofList(xs -> stack(xs, c.axis())).at(c.xs().toArray(Tensor[]::new)).assertClose();
    }

    @Example
    void stackJoinsOperandsOfOneTypeAlongANewAxis() {
        Input a = input("a", 2), b = input("b", 2), c = input("c", 3), n = input("n", "n", 2);
        var f = Compiler.compile(List.of(a, b), List.of(stack(List.of(a, b), 0), stack(List.of(a, b), -1)));
        List<Tensor> out = f.call(Tensor.vector(1, 2), Tensor.vector(3, 4));
        assertEquals(Tensor.matrix(new double[] {1, 2}, new double[] {3, 4}), out.get(0));
        assertEquals(Tensor.matrix(new double[] {1, 3}, new double[] {2, 4}), out.get(1));
        assertEquals(Type.f64(2, "n", 2), stack(List.of(n, n), 0).type());
        assertShapeError("stack: the operands' types differ: [2], [3]", () -> stack(List.of(a, c), 0));
        assertShapeError("stack: axis 2 is out of range for a result of rank 2", () -> stack(List.of(a, b), 2));
        assertShapeError("stack: needs at least one operand", () -> stack(List.of(), 0));
    }

    // ---- helpers and arbitraries ----------------------------------------------------------------

    private static Shape slicedShape(Sliced c) {
        return slice(new Input("x", Type.of(c.x())), c.index()).type().shape();
    }

    /** A tensor and dims of the same size: its own dims shuffled, two merged, a 1 added, one of them -1. */
    record Reshaped(Tensor x, int[] dims) {
        @Override public String toString() { return x.shape() + " to " + Arrays.toString(dims); }
    }

    @Provide
    Arbitrary<Reshaped> reshapes() {
        return Tensors.withShapes(Tensors.shapes(3, 0, 4)).any().flatMap(x -> {
            var dims = new ArrayList<Integer>();
            for (int d : x.shape().dims()) dims.add(d);
            var position = Arbitraries.integers().between(-1, 3); // -1: none
            return Combinators.combine(Arbitraries.shuffle(dims), Arbitraries.of(false, true), position, position)
                    .as((shuffled, merge, one, free) -> {
                        var out = new ArrayList<>(shuffled);
                        if (merge && out.size() >= 2) out.add(0, out.remove(0) * out.remove(0));
                        if (one >= 0) out.add(Math.min(one, out.size()), 1);
                        int[] target = out.stream().mapToInt(Integer::intValue).toArray();
                        if (free >= 0 && free < target.length) {
                            int[] others = target.clone();
                            others[free] = 1;
                            if (Shape.of(others).size() > 0) target[free] = -1; // else the -1 would be ambiguous
                        }
                        return new Reshaped(x, target);
                    });
        });
    }

    /** Tensors of one rank whose dims agree except on one axis, written negative some of the time. */
    record Joined(List<Tensor> xs, int axis) {}

    @Provide
    Arbitrary<Joined> joins() {
        return Tensors.shapes(3, 0, 3).filter(s -> s.rank() > 0).flatMap(base -> Combinators.combine(
                Arbitraries.integers().between(-base.rank(), base.rank() - 1),
                Arbitraries.integers().between(0, 3).list().ofMinSize(1).ofMaxSize(3)).as((axis, sizes) -> {
                    var parts = new ArrayList<Arbitrary<Tensor>>();
                    for (int size : sizes) {
                        int[] dims = base.dims();
                        dims[base.axis(axis)] = size;
                        parts.add(Tensors.withShape(Shape.of(dims)).any());
                    }
                    return Combinators.combine(parts).as(xs -> new Joined(List.copyOf(xs), axis));
                }).flatMap(a -> a));
    }

    /** Tensors of one shape, and an axis of the result of stacking them (negative some of the time). */
    @Provide
    Arbitrary<Joined> stacks() {
        return Tensors.shapes(2, 0, 3).flatMap(shape -> Combinators.combine(
                Arbitraries.integers().between(-shape.rank() - 1, shape.rank()), Arbitraries.integers().between(1, 3)).as((axis, count) -> {
                    var parts = new ArrayList<Arbitrary<Tensor>>();
                    for (int i = 0; i < count; i++) parts.add(Tensors.withShape(shape).any());
                    return Combinators.combine(parts).as(xs -> new Joined(List.copyOf(xs), axis));
                }).flatMap(a -> a));
    }

    /** A tensor and an index for some of its leading axes: ranges with any bounds and steps, or valid indices. */
    record Sliced(Tensor x, Slice[] index) {
        @Override public String toString() { return x.shape() + Arrays.toString(index); }
    }

    @Provide
    Arbitrary<Sliced> slices() {
        return Tensors.smallShapesWithEmpty().any().flatMap(x -> {
            var axes = new ArrayList<Arbitrary<Slice>>();
            for (int d : x.shape().dims()) axes.add(sliceOf(d));
            return Combinators.combine(Combinators.combine(axes).as(List::copyOf), Arbitraries.integers().between(0, x.rank()))
                    .as((index, used) -> new Sliced(x, index.subList(0, used).toArray(Slice[]::new)));
        });
    }

    private static Arbitrary<Slice> sliceOf(int n) {
        Arbitrary<Integer> bound = Arbitraries.integers().between(-6, 6).injectNull(0.25);
        Arbitrary<Integer> step = Arbitraries.integers().between(-3, 3).filter(s -> s != 0);
        Arbitrary<Slice> range = Combinators.combine(bound, bound, step).as(Slice::range);
        if (n == 0) return range;
        return Arbitraries.oneOf(range, Arbitraries.integers().between(-n, n - 1).map(Slice::index));
    }

    /** A tensor whose size along an axis is a multiple of parts. */
    record Splitting(Tensor x, int parts, int axis) {}

    @Provide
    Arbitrary<Splitting> splits() {
        return Tensors.shapes(3, 1, 3).filter(s -> s.rank() > 0).flatMap(base -> Combinators.combine(
                Arbitraries.integers().between(-base.rank(), base.rank() - 1), Arbitraries.integers().between(1, 3),
                Arbitraries.integers().between(0, 2)).as((axis, parts, each) -> {
                    int[] dims = base.dims();
                    dims[base.axis(axis)] = parts * each; // each part may be empty
                    return Tensors.withShape(Shape.of(dims)).any().map(x -> new Splitting(x, parts, axis));
                }).flatMap(a -> a));
    }

    private static Shape withOne(Shape s, int axis) {
        int[] dims = new int[s.rank() + 1];
        for (int i = 0, j = 0; i < dims.length; i++) dims[i] = i == axis ? 1 : s.dim(j++);
        return Shape.of(dims);
    }

    @Provide Arbitrary<Tensor> withAxis() { return Tensors.smallShapes().any(); }
    @Provide Arbitrary<Integer> positions() { return Arbitraries.integers().between(0, 3); }

    /**
     * The compiled kernels of slice, its adjoint unslice and concat move the elements their fprop
     * does, on the slicing property's cases (ranges of either step's sign, bounds past the ends,
     * indices, empty tensors), and concatenations along a random axis.
     */
    @Property(tries = 100)
    void sliceUnsliceAndConcatKernelsAgreeWithTheirDefinition(@ForAll("slices") Sliced c, @ForAll long seed) {
        var random = new SplittableRandom(seed);
        Tensor value = c.x();
        Input x = new Input("x", Type.of(value));
        Apply sliced = (Apply) slice(x, c.index());
        assertEquals(sliced.op().fprop(List.of(value)), run(sliced, x, value));
        Tensor g = Tensor.uniform(sliced.type().shape(), -1, 1, random);
        Input gi = new Input("g", Type.of(g));
        Apply written = (Apply) unslice(gi, x, c.index());
        assertEquals(written.op().fprop(List.of(g, value)), Compiler.compile(List.of(gi, x), List.of(written)).call(g, value).get(0));
        if (value.rank() == 0) return;
        Apply joined = (Apply) concat(List.of(x, mul(x, 2.0), x), random.nextInt(value.rank()));
        assertEquals(joined.op().fprop(List.of(value, value.map(v -> v * 2), value)), run(joined, x, value));
    }
}
