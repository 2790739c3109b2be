package org.graft.ops;

import static org.graft.ops.OpChecks.assertRuntimeError;
import static org.graft.ops.OpChecks.assertShapeError;
import static org.graft.ops.OpChecks.cube;
import static org.graft.ops.OpChecks.run;
import static org.graft.ops.Ops.constant;
import static org.graft.ops.Ops.grad;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.nll;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.take;
import static org.graft.ops.Ops.takeAlongAxis;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.Apply;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Type;
import org.graft.core.check.GradCheck;
import org.graft.core.check.Tensors;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

class GatherTest {

    // ---- gradients against central differences, over random shapes, axes and indices ----------

    @Property(tries = 150)
    void takeGradientMatchesFiniteDifferences(@ForAll("takes") Taken t) {
        GradCheck.of(x -> take(x, t.axis(), t.indexNodes())).at(t.x()).assertClose();
    }

    @Property(tries = 150)
    void takeAlongAxisGradientMatchesFiniteDifferences(@ForAll("alongs") Along t) {
        GradCheck.of(x -> takeAlongAxis(x, constant(t.indices()), t.axis())).at(t.x()).assertClose();
    }

    @Property(tries = 150)
    void nllGradientMatchesFiniteDifferences(@ForAll("labelled") Labelled t) {
        GradCheck.of(x -> nll(x, constant(t.labels()), t.ignore(), false)).at(t.x()).assertClose();
        boolean counted = Arrays.stream(t.labels().toArray()).anyMatch(v -> v != t.ignore());
        if (counted) GradCheck.of(x -> nll(x, constant(t.labels()), t.ignore(), true)).at(t.x()).assertClose();
    }

    /** The scatter-add's gradient with respect to what it adds, the read; and the read's second order, through the scatter. */
    @Property(tries = 100)
    void scatterAddGradientAndSecondOrderMatchFiniteDifferences(@ForAll("takes") Taken t) {
        Node like = constant(t.x());
        Node read = take(like, t.axis(), t.indexNodes());
        Tensor g = Tensor.uniform(read.type().shape(), -2, 2, new SplittableRandom(t.x().size()));
        var scatterIn = new ArrayList<Node>(List.of(like));
        scatterIn.addAll(t.indexNodes());
        GradCheck.of(v -> {
            var in = new ArrayList<Node>(List.of(v));
            in.addAll(scatterIn);
            return Apply.of(new Gather.ScatterAdd((Gather.Reading) ((Apply) read).op()), in);
        }).at(g).assertClose();
        // sum(y³) of the read: its gradient is a scatter of 3y², which depends on x again
        GradCheck.of(x -> grad(cube(take(x, t.axis(), t.indexNodes())), x)).at(t.x()).assertClose();
    }

    @Property(tries = 50)
    void nllAndTakeAlongAxisHaveCorrectSecondDerivatives(@ForAll("labelled") Labelled l, @ForAll("alongs") Along a) {
        GradCheck.of(x -> grad(cube(nll(x, constant(l.labels()), l.ignore(), false)), x)).at(l.x()).assertClose();
        GradCheck.of(x -> grad(cube(takeAlongAxis(x, constant(a.indices()), a.axis())), x)).at(a.x()).assertClose();
    }

    // ---- the kernels compute the reference, in f64 and f32 -------------------------------------

    @Property(tries = 150)
    void takeKernelsGiveTheReferenceAndTheirGradientsToo(@ForAll("takes") Taken t) {
        assertKernelsAgree(x -> take(x, t.axis(), t.indexNodes()), t.x());
    }

    @Property(tries = 150)
    void takeAlongAxisAndNllKernelsGiveTheReference(@ForAll("alongs") Along a, @ForAll("labelled") Labelled l) {
        assertKernelsAgree(x -> takeAlongAxis(x, constant(a.indices()), a.axis()), a.x());
        assertKernelsAgree(x -> nll(x, constant(l.labels()), l.ignore(), false), l.x());
    }

    /**
     * The op's kernel computes its fprop, and the scatter-add's its own, to the bit; in f32 too,
     * with the indices in either dtype.
     */
    private static void assertKernelsAgree(java.util.function.UnaryOperator<Node> f, Tensor at) {
        for (DType dtype : DType.values()) {
            Input x = new Input("x", Type.of(dtype, at.shape()));
            Apply y = (Apply) f.apply(x);
            Tensor value = at.astype(dtype);
            Tensor g = Tensor.uniform(dtype, y.type().shape(), -1, 1, new SplittableRandom(3));
            Node dx = grad(sum(mul(y, constant(g))), x);
            List<Tensor> got = Compiler.compile(List.of(x), List.of(y, dx), Options.NONE).call(value);
            assertEquals(reference(y, x, value), got.get(0));
            assertEquals(reference((Apply) dx, x, value), got.get(1), "the scatter-add");
        }
    }

    /** The value of {@code y} from its op's fprop, its inputs computed the same way. */
    private static Tensor reference(Apply y, Input x, Tensor value) {
        var args = new ArrayList<Tensor>();
        for (Node in : y.inputs()) {
            if (in == x) args.add(value);
            else if (in instanceof org.graft.core.Constant c) args.add(c.value());
            else args.add(reference((Apply) in, x, value));
        }
        return y.op().fprop(args);
    }

    // ---- values from the definitions -----------------------------------------------------------

    private static final Tensor M = Tensor.matrix(new double[] {1, 2, 3}, new double[] {4, 5, 6});

    @Example
    void takeReadsAlongAnAxisOrFlattenedAndANegativeIndexCountsFromTheEnd() {
        Input x = input("x", 2, 3);
        assertEquals(Tensor.matrix(new double[] {3, 3, 1}, new double[] {6, 6, 4}), run(take(x, constant(Tensor.vector(2, -1, 0)), 1), x, M));
        assertEquals(Tensor.of(new double[] {4, 5, 6, 1, 2, 3}, 2, 1, 3),
                run(take(x, constant(Tensor.of(new double[] {1, 0}, 2, 1)), 0), x, M));
        assertEquals(Tensor.matrix(new double[] {6, 1}, new double[] {2, 5}),
                run(take(x, constant(Tensor.matrix(new double[] {5, 0}, new double[] {-5, 4}))), x, M));
        assertEquals(Tensor.vector(4, 5, 6), run(take(x, constant(Tensor.scalar(1)), 0), x, M)); // a scalar index drops the axis
        assertEquals(Tensor.zeros(Shape.of(2, 0)), run(take(x, constant(Tensor.vector()), 1), x, M));
    }

    /** NumPy's {@code x[[0, 1, 1], [2, 0, 2]]}: the pairs of the broadcast index arrays; and {@code x[arange(2), labels]}. */
    @Example
    void takeOnAdjacentAxesReadsTheBroadcastPairs() {
        Input x = input("x", 2, 3);
        Node rows = constant(Tensor.vector(0, 1, 1)), columns = constant(Tensor.vector(2, 0, 2));
        assertEquals(Tensor.vector(3, 4, 6), run(take(x, 0, List.of(rows, columns)), x, M));
        Node column = constant(Tensor.of(new double[] {0, 1}, 2, 1));
        assertEquals(Tensor.matrix(new double[] {1, 2, 3}, new double[] {4, 5, 6}),
                run(take(x, 0, List.of(column, constant(Tensor.vector(0, 1, 2)))), x, M));
        Input r = input("r", "n"), labels = input("labels", "n"), batch = input("z", "n", 3);
        Node picked = take(batch, 0, List.of(r, labels));
        assertEquals(Type.f64("n"), picked.type());
        var f = Compiler.compile(List.of(batch, r, labels), List.of(picked));
        assertEquals(Tensor.vector(2, 4), f.call(M, Tensor.vector(0, 1), Tensor.vector(1, 0)).get(0));
    }

    @Example
    void aRepeatedIndexAccumulatesItsGradient() {
        Input x = input("x", 3);
        Node g = grad(sum(mul(take(x, constant(Tensor.vector(1, 1, 2, 1))), constant(Tensor.vector(1, 2, 3, 4)))), x);
        assertEquals(Tensor.vector(0, 7, 3), run(g, x, Tensor.vector(5, 6, 7)));
        Input m = input("m", 2, 3);
        Node gm = grad(sum(takeAlongAxis(m, constant(Tensor.matrix(new double[] {2, 2}, new double[] {0, -3})), 1)), m);
        assertEquals(Tensor.matrix(new double[] {0, 0, 2}, new double[] {2, 0, 0}), run(gm, m, M));
    }

    @Example
    void takeAlongAxisReadsTheIndexAtEachPositionAndBroadcastsTheOtherAxes() {
        Input x = input("x", 2, 3);
        Tensor maxima = run(takeAlongAxis(x, constant(Tensor.of(new double[] {2, 2}, 2, 1)), 1), x, M);
        assertEquals(Tensor.of(new double[] {3, 6}, 2, 1), maxima);
        Tensor columns = run(takeAlongAxis(x, constant(Tensor.of(new double[] {1, 0, 1}, 1, 3)), 0), x, M);
        assertEquals(Tensor.of(new double[] {4, 2, 6}, 1, 3), columns);
        Input row = input("r", 1, 3);
        Tensor broadcast = run(takeAlongAxis(row, constant(Tensor.of(new double[] {2, 0}, 2, 1)), 1), row, Tensor.of(new double[] {7, 8, 9}, 1, 3));
        assertEquals(Tensor.of(new double[] {9, 7}, 2, 1), broadcast);
    }

    @Example
    void nllIsMinusTheLabelsEntryAndItsMeanSkipsTheIgnoredRows() {
        Input x = input("x", 3, 3);
        Tensor lp = Tensor.matrix(new double[] {-1, -2, -3}, new double[] {-4, -5, -6}, new double[] {-7, -8, -9});
        Node labels = constant(Tensor.vector(2, -100, 0));
        assertEquals(Tensor.vector(3, 0, 7), run(nll(x, labels, -100, false), x, lp));
        assertEquals(Tensor.scalar(5), run(nll(x, labels), x, lp));
        assertEquals(Tensor.scalar(3), run(nll(x, constant(Tensor.vector(2, 1, 1)), 1, true), x, lp)); // ignore_index 1
        assertTrue(Double.isNaN(run(nll(x, constant(Tensor.vector(-100, -100, -100))), x, lp).item()), "0/0, as PyTorch");
        Tensor g = run(grad(nll(x, labels), x), x, lp);
        assertEquals(Tensor.matrix(new double[] {0, 0, -0.5}, new double[] {0, 0, 0}, new double[] {-0.5, 0, 0}), g);
    }

    // ---- dtypes: indices in f64 or f32, whatever the dtype of what they index ------------------

    @Example
    void indicesOfEitherDtypeIndexValuesOfEitherDtype() {
        for (DType values : DType.values()) {
            for (DType positions : DType.values()) {
                Input x = new Input("x", Type.of(values, 2, 3)), i = new Input("i", Type.of(positions, 2));
                Apply y = take(x, i, 1);
                assertEquals(values, y.type().dtype());
                Tensor got = Compiler.compile(List.of(x, i), List.of(y)).call(M.astype(values), Tensor.vector(2, 0).astype(positions)).get(0);
                assertEquals(Tensor.matrix(new double[] {3, 1}, new double[] {6, 4}).astype(values), got);
            }
        }
    }

    // ---- errors --------------------------------------------------------------------------------

    @Example
    void anIndexOutOfRangeNotWholeOrNaNIsAnErrorNamingTheOpTheIndexItsPositionAndTheSize() {
        Input x = input("x", 2, 3), i = input("i", 2, 2);
        for (Options options : List.of(Options.NONE, Options.DEFAULT)) {
            Function f = Compiler.compile(List.of(x, i), List.of(take(x, i, 1)), options);
            assertRuntimeError("take(x, i): index 3 at [1, 0] is out of range for axis 1 of size 3",
                    () -> f.call(M, Tensor.matrix(new double[] {0, 1}, new double[] {3, 0})));
            assertRuntimeError("take(x, i): index -4 at [0, 1] is out of range for axis 1 of size 3",
                    () -> f.call(M, Tensor.matrix(new double[] {0, -4}, new double[] {1, 0})));
            assertRuntimeError("take(x, i): index 1.5 at [0, 0] is not a whole number",
                    () -> f.call(M, Tensor.matrix(new double[] {1.5, 1}, new double[] {1, 0})));
            assertRuntimeError("take(x, i): index NaN at [1, 1] is not a whole number",
                    () -> f.call(M, Tensor.matrix(new double[] {0, 1}, new double[] {1, Double.NaN})));
            assertRuntimeError("take(x, i): index Infinity at [0, 0] is out of range for axis 1 of size 3",
                    () -> f.call(M, Tensor.matrix(new double[] {Double.POSITIVE_INFINITY, 1}, new double[] {1, 0})));
        }
        Input r = input("r", 2), c = input("c", 2);
        Function pairs = Compiler.compile(List.of(x, r, c), List.of(take(x, 0, List.of(r, c))));
        assertRuntimeError("take(x, r, c): index 7 at [1] of index array 2 is out of range for axis 1 of size 3",
                () -> pairs.call(M, Tensor.vector(0, 1), Tensor.vector(2, 7)));
        Input f32 = new Input("i", Type.f32(2));
        Function along = Compiler.compile(List.of(x, f32), List.of(takeAlongAxis(x, Ops.reshape(f32, 2, 1), 1)));
        assertRuntimeError("take_along_axis(x, reshape): index 3 at [1, 0] is out of range for axis 1 of size 3",
                () -> along.call(M, Tensor.vector(0, 3).astype(DType.F32)));
    }

    @Example
    void aLabelThatIsNeitherAClassNorIgnoredIsAnError() {
        Input x = input("x", 2, 3), labels = input("labels", 2);
        Function f = Compiler.compile(List.of(x, labels), List.of(nll(x, labels)));
        assertRuntimeError("nll(x, labels): label 3 at [1] is not a class in [0, 3) nor the ignore_index -100",
                () -> f.call(M, Tensor.vector(0, 3)));
        // a negative label is not counted from the end, as PyTorch
        assertRuntimeError("nll(x, labels): label -1 at [0] is not a class in [0, 3) nor the ignore_index -100",
                () -> f.call(M, Tensor.vector(-1, 0)));
        assertRuntimeError("nll(x, labels): label NaN at [0] is not a class in [0, 3) nor the ignore_index -100",
                () -> f.call(M, Tensor.vector(Double.NaN, 0)));
    }

    /** The reference checks the indices as the kernel does, in the same words. */
    @Example
    void theReferenceRefusesTheSameIndicesInTheSameWords() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new Gather.Take(1).fprop(List.of(M, Tensor.matrix(new double[] {0, 1}, new double[] {3, 0}))));
        assertEquals("index 3 at [1, 0] is out of range for axis 1 of size 3", e.getMessage());
        var l = assertThrows(IllegalArgumentException.class, () -> new Gather.Nll(-100).fprop(List.of(M, Tensor.vector(0, 2.5))));
        assertEquals("label 2.5 at [1] is not a class in [0, 3) nor the ignore_index -100", l.getMessage());
    }

    @Example
    void shapesThatDoNotFitAreRefusedWhereTheReadIsBuilt() {
        Input x = input("x", 2, 3), i = input("i", 2), j = input("j", 3), v = input("v", 4), s = input("s");
        assertShapeError("take(x, i, j): the index arrays' dims do not broadcast together: [[2], [3]]", () -> take(x, 0, List.of(i, j)));
        assertShapeError("take(x, i, i): 2 index arrays for the axes from 1 on of [2, 3], which has 2",
                () -> take(x, 1, List.of(i, i)));
        assertShapeError("take(x, i): axis 2 is out of range for [2, 3] (rank 2)", () -> take(x, i, 2));
        assertShapeError("take_along_axis(x, i): x [2, 3] and the indices [2] must have the same rank", () -> takeAlongAxis(x, i, 1));
        assertShapeError("take_along_axis(x, m): x [2, 3] and the indices [4, 1] do not broadcast off axis 1: dims 2 and 4 differ",
                () -> takeAlongAxis(x, input("m", 4, 1), 1));
        assertShapeError("nll(x, j): log-probabilities [2, 3] need one label per row, [2], found labels [3]", () -> nll(x, j));
        assertShapeError("nll(s, s): needs log-probabilities of rank 1 or more (the classes last), found []", () -> nll(s, s));
        Input symbolic = input("z", "n", 3);
        assertShapeError("take(z, v): without an axis x is read flattened, which needs concrete dims, found [n, 3]; give an axis",
                () -> take(symbolic, v));
    }

    // ---- helpers and arbitraries ---------------------------------------------------------------

    /** Whole numbers in [-size, size), NumPy's valid indices, for a tensor of this shape. */
    private static Tensor indices(Shape shape, int size, SplittableRandom random) {
        double[] v = new double[shape.size()];
        for (int i = 0; i < v.length; i++) v[i] = random.nextInt(-size, size);
        return Tensor.of(shape, v);
    }

    /** x, an axis, and index tensors for the axes from it on, broadcasting together. */
    record Taken(Tensor x, int axis, List<Tensor> indices) {
        List<Node> indexNodes() { return indices.stream().<Node>map(Ops::constant).toList(); }

        @Override public String toString() { return x.shape() + " axis " + axis + " " + indices; }
    }

    @Provide
    Arbitrary<Taken> takes() {
        return Combinators.combine(Tensors.withShapes(Tensors.shapes(3, 1, 4).filter(s -> s.rank() > 0)).any(),
                Tensors.shapes(2, 0, 3), Arbitraries.longs(), Arbitraries.integers().between(1, 2)).as((x, b, seed, count) -> {
                    var random = new SplittableRandom(seed);
                    int axis = random.nextInt(-x.rank(), x.rank()), a = x.shape().axis(axis);
                    int k = Math.min(count, x.rank() - a);
                    var in = new ArrayList<Tensor>();
                    for (int j = 0; j < k; j++) {
                        int[] dims = b.dims();
                        if (j > 0 && dims.length > 0) dims[random.nextInt(dims.length)] = 1; // broadcast against the first
                        in.add(indices(Shape.of(dims), x.shape().dim(a + j), random));
                    }
                    return new Taken(x, axis, in);
                });
    }

    /** x, an axis and indices of x's rank: any length along the axis, the other dims x's or 1 on either side. */
    record Along(Tensor x, int axis, Tensor indices) {}

    @Provide
    Arbitrary<Along> alongs() {
        return Combinators.combine(Tensors.withShapes(Tensors.shapes(3, 1, 4).filter(s -> s.rank() > 0)).any(), Arbitraries.longs())
                .as((x, seed) -> {
                    var random = new SplittableRandom(seed);
                    int a = random.nextInt(x.rank());
                    int[] dims = x.shape().dims();
                    for (int i = 0; i < dims.length; i++) if (i != a && random.nextInt(3) == 0) dims[i] = 1;
                    dims[a] = random.nextInt(4);
                    return new Along(x, a - (random.nextBoolean() ? x.rank() : 0), indices(Shape.of(dims), x.shape().dim(a), random));
                });
    }

    /** Log-probabilities of some rows of k classes and a label per row, a class or, some of the time, ignored. */
    record Labelled(Tensor x, Tensor labels, int ignore) {}

    @Provide
    Arbitrary<Labelled> labelled() {
        return Combinators.combine(Tensors.withShapes(Tensors.shapes(3, 1, 4).filter(s -> s.rank() > 0)).between(-5, 0),
                Arbitraries.longs(), Arbitraries.of(-100, 1)).as((x, seed, ignore) -> {
                    var random = new SplittableRandom(seed);
                    int k = x.shape().dim(-1);
                    int[] rows = Arrays.copyOf(x.shape().dims(), x.rank() - 1);
                    double[] labels = new double[Shape.of(rows).size()];
                    for (int r = 0; r < labels.length; r++) labels[r] = random.nextInt(4) == 0 ? ignore : random.nextInt(k);
                    return new Labelled(x, Tensor.of(Shape.of(rows), labels), ignore);
                });
    }
}
