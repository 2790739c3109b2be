package org.graft.ops;

import static org.graft.ops.Ops.bceWithLogits;
import static org.graft.ops.Ops.binaryCrossEntropy;
import static org.graft.ops.Ops.constant;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.logSoftmax;
import static org.graft.ops.Ops.mean;
import static org.graft.ops.Ops.sigmoid;
import static org.graft.ops.Ops.softmax;
import static org.graft.ops.Ops.softmaxCrossEntropy;
import static org.graft.ops.Ops.sub;
import static org.graft.ops.Ops.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.ShapeError;
import org.graft.core.Apply;
import org.graft.core.check.GradCheck;
import org.graft.core.check.Tensors;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

class NeuralTest {

    /** A tensor of rank 1 or more and one of its axes, possibly negative. */
    record Along(Tensor x, int axis) {}

    @Property(tries = 100)
    void softmaxGradientMatchesFiniteDifferences(@ForAll("along") Along c) {
        GradCheck.of(x -> softmax(x, c.axis())).at(c.x()).assertClose();
    }

    @Property(tries = 100)
    void logSoftmaxGradientMatchesFiniteDifferences(@ForAll("along") Along c) {
        GradCheck.of(x -> logSoftmax(x, c.axis())).at(c.x()).assertClose();
    }

    @Property(tries = 50)
    void softmaxAndLogSoftmaxHaveCorrectSecondDerivatives(@ForAll("along") Along c) {
        GradCheck.of(x -> GradTable.grad(sum(Ops.square(softmax(x, c.axis()))), x)).at(c.x()).assertClose();
        GradCheck.of(x -> GradTable.grad(sum(Ops.square(logSoftmax(x, c.axis()))), x)).at(c.x()).assertClose();
    }

    /**
     * Where a plan computes softmax_cross_entropy and its gradient op of the same logits and
     * targets, one kernel computes both, each exp once; its bits are those of the two kernels
     * run one at a time, which the guard (checking each kernel's value) runs. The gradient's
     * per-row factor is an input, or computed from the loss itself, when the two stay apart.
     */
    @Property(tries = 150, edgeCases = net.jqwik.api.EdgeCasesMode.NONE)
    void theLossAndItsGradientComputedTogetherGiveTheBitsOfTheirOwnKernels(
            @ForAll @net.jqwik.api.constraints.IntRange(max = 40) int rows, @ForAll @net.jqwik.api.constraints.IntRange(max = 30) int classes,
            @ForAll boolean batched, @ForAll boolean f32, @ForAll boolean fromTheLoss, @ForAll long seed) {
        var dtype = f32 ? org.graft.core.tensor.DType.F32 : org.graft.core.tensor.DType.F64;
        var random = org.graft.core.runtime.Function.randomStream(seed);
        Shape logits = batched ? Shape.of(rows, 2, classes) : Shape.of(rows, classes), perRow = batched ? Shape.of(rows, 2) : Shape.of(rows);
        Tensor z0 = Tensor.normal(logits, 0, Math.exp(3 * random.nextGaussian()), random).astype(dtype);
        Tensor t0 = Tensor.normal(logits, 0, 1, random).map(Math::abs).astype(dtype);
        Tensor g0 = Tensor.normal(perRow, 0, 1, random).astype(dtype);
        Input z = new Input("z", org.graft.core.Type.of(dtype, logits)), t = new Input("t", org.graft.core.Type.of(dtype, logits));
        Input g = new Input("g", org.graft.core.Type.of(dtype, perRow));
        Node loss = Apply.of(new Neural.SoftmaxCrossEntropy(), z, t);
        Node gradient = Apply.of(new Neural.SoftmaxCrossEntropyGrad(), z, t, fromTheLoss ? Ops.mul(loss, 3.0) : g);
        var outputs = List.of(Ops.mul(loss, 2.0), Ops.mul(gradient, 2.0));   // neither is a root: the pair may share a kernel
        List<Tensor> together = Compiler.compile(List.of(z, t, g), outputs, Options.NONE).call(z0, t0, g0);
        List<Tensor> apart = Compiler.compile(List.of(z, t, g), outputs, Options.NONE).guardNonFinite(true).call(z0, t0, g0);
        assertEquals(apart, together);
    }

    // the targets are differentiated too: the contract lets gradients flow into them
    /** The op the gradient of softmax_cross_entropy is, differentiated in all three inputs (a second derivative). */
    @Property(tries = 60)
    void theSoftmaxCrossEntropyGradientOpHasTheGradientOfWhatItStandsFor(@ForAll("logitsAndTargets") List<Tensor> zt,
                                                                        @ForAll long seed) {
        Tensor z = zt.get(0);
        Shape rows = Shape.of(java.util.Arrays.copyOf(z.shape().dims(), z.rank() - 1));
        Tensor g = Tensor.uniform(rows, -2, 2, new java.util.SplittableRandom(seed));
        GradCheck.ofList(in -> Apply.of(new Neural.SoftmaxCrossEntropyGrad(), in.get(0), in.get(1), in.get(2)))
                .at(z, zt.get(1), g).assertClose();
    }

    @Property(tries = 100)
    void softmaxCrossEntropyGradientMatchesFiniteDifferencesInLogitsAndTargets(@ForAll("logitsAndTargets") List<Tensor> zt) {
        GradCheck.of(Ops::softmaxCrossEntropy).at(zt.get(0), zt.get(1)).assertClose();
        GradCheck.of((z, t) -> GradTable.grad(sum(softmaxCrossEntropy(z, t)), z)).at(zt.get(0), zt.get(1)).assertClose();
    }

    @Property(tries = 100)
    void binaryCrossEntropyGradientMatchesFiniteDifferencesInsideTheUnitInterval(@ForAll("probabilities") List<Tensor> pt) {
        GradCheck.of(Ops::binaryCrossEntropy).at(pt.get(0), pt.get(1)).assertClose();
        GradCheck.of((p, t) -> GradTable.grad(sum(binaryCrossEntropy(p, t)), p)).at(pt.get(0), pt.get(1)).assertClose();
    }

    @Property(tries = 100)
    void bceWithLogitsGradientMatchesFiniteDifferences(@ForAll("logitsAndLabels") List<Tensor> zt) {
        GradCheck.of(Ops::bceWithLogits).at(zt.get(0), zt.get(1)).assertClose();
        GradCheck.of((z, t) -> GradTable.grad(sum(bceWithLogits(z, t)), z)).at(zt.get(0), zt.get(1)).assertClose();
    }

    @Property(tries = 30)
    void gradientsHandleEmptyTensors(@ForAll("empty") Tensor x) {
        GradCheck.of(v -> softmax(v, 0)).at(x).assertClose();
        GradCheck.of(v -> logSoftmax(v)).at(x).assertClose();
        GradCheck.of(Ops::softmaxCrossEntropy).at(x, x).assertClose();
        GradCheck.of(Ops::bceWithLogits).at(x, x).assertClose();
        GradCheck.of(Ops::binaryCrossEntropy).at(x.map(v -> 0.5), x).assertClose();
    }

    @Example
    void softmaxRowsSumToOneAndAreFiniteForLogitsAThousandApart() {
        Input x = input("x", 3, 3);
        var f = Compiler.compile(List.of(x), List.of(softmax(x), logSoftmax(x), softmax(x, 0)));
        List<Tensor> out = f.call(Tensor.matrix(new double[] {1000, 0, -1000}, new double[] {1, 2, 3},
                new double[] {-1000, -1000, -1000}));
        Tensor rows = out.get(0).sum(new int[] {1}, false);
        assertTrue(rows.allClose(Tensor.vector(1, 1, 1), 0, 1e-15), rows.toString());
        Tensor cols = out.get(2).sum(new int[] {0}, false);
        assertTrue(cols.allClose(Tensor.vector(1, 1, 1), 0, 1e-15), cols.toString());
        assertEquals(Tensor.vector(1, 0, 0), row(out.get(0), 0));
        assertEquals(Tensor.vector(0, -1000, -2000), row(out.get(1), 0));
        assertTrue(row(out.get(1), 2).allClose(Tensor.vector(-Math.log(3), -Math.log(3), -Math.log(3)), 0, 1e-15));
    }

    @Example
    void theCrossEntropyGradientIsTheSoftmaxMinusTheTargets() {
        Input z = input("z", "n", 4), y = input("y", "n", 4);
        Node loss = sum(softmaxCrossEntropy(z, y));
        var f = Compiler.compile(List.of(z, y), List.of(GradTable.grad(loss, z), sub(softmax(z), y)));
        Tensor logits = Tensor.matrix(new double[] {0.5, -1, 2, 0}, new double[] {3, 3, -2, 1});
        Tensor onehot = Tensor.matrix(new double[] {0, 0, 1, 0}, new double[] {1, 0, 0, 0});
        List<Tensor> out = f.call(logits, onehot);
        assertTrue(out.get(0).allClose(out.get(1), 0, 1e-16), out.get(0) + " vs " + out.get(1));
    }

    @Example
    void theMeanCrossEntropyOfLogitsAThousandApartIsFiniteAndRight() {
        Input z = input("z", 2, 2), y = input("y", 2, 2);
        Node loss = mean(softmaxCrossEntropy(z, y));
        var f = Compiler.compile(List.of(z, y), List.of(loss, GradTable.grad(loss, z)));
        List<Tensor> out = f.call(Tensor.matrix(new double[] {1000, -1000}, new double[] {1000, -1000}),
                Tensor.matrix(new double[] {1, 0}, new double[] {0, 1}));
        assertEquals(1000.0, out.get(0).item(), 0);    // (0 + 2000) / 2
        assertEquals(Tensor.matrix(new double[] {0, 0}, new double[] {0.5, -0.5}), out.get(1));
    }

    @Example
    void bceWithLogitsIsFiniteForLogitsInTheHundreds() {
        Input z = input("z", 4), t = input("t", 4);
        Node loss = bceWithLogits(z, t);
        var f = Compiler.compile(List.of(z, t), List.of(loss, GradTable.grad(sum(loss), z)));
        List<Tensor> out = f.call(Tensor.vector(800, -800, 800, 0), Tensor.vector(0, 1, 1, 0.5));
        for (int i = 0; i < 3; i++) assertEquals(new double[] {800, 800, 0}[i], out.get(0).get(i), 0);
        assertEquals(Math.log(2), out.get(0).get(3), Math.ulp(Math.log(2)));   // to an ulp: the loop's log1p is a series (InDouble)
        assertEquals(Tensor.vector(1, -1, 0, 0), out.get(1));      // σ(z) - t
        // the naive composition, as written (compile would rewrite it to bce_with_logits), overflows
        var naive = Compiler.compile(List.of(z, t), List.of(binaryCrossEntropy(sigmoid(z), t)), Options.NONE);
        assertEquals(Double.POSITIVE_INFINITY, naive.call(Tensor.vector(800, 0, 0, 0), Tensor.vector(0, 0, 0, 0)).get(0).get(0));
    }

    @Example
    void binaryCrossEntropyCostsNothingForAConfidentRightAnswer() {
        Input p = input("p", 4), t = input("t", 4);
        var f = Compiler.compile(List.of(p, t), List.of(binaryCrossEntropy(p, t)));
        Tensor out = f.call(Tensor.vector(0, 1, 0.5, 0.25), Tensor.vector(0, 1, 1, 0)).get(0);
        assertEquals(Tensor.vector(0, 0, Math.log(2), -Math.log(0.75)), out);
    }

    @Example
    void shapeErrorsNameTheOperandsAndTheirTypes() {
        Input z = input("z", "n", 10), y = input("y", "n", 5), s = input("s");
        assertEquals("softmax_cross_entropy(z, y): logits [n, 10] and targets [n, 5] differ",
                assertThrows(ShapeError.class, () -> softmaxCrossEntropy(z, y)).getMessage());
        assertEquals("softmax_cross_entropy(s, s): needs logits of rank 1 or more, found []",
                assertThrows(ShapeError.class, () -> softmaxCrossEntropy(s, s)).getMessage());
        assertEquals("softmax(z): axis 2 is out of range for [n, 10] (rank 2)",
                assertThrows(ShapeError.class, () -> softmax(z, 2)).getMessage());
        assertEquals("bce_with_logits(z, y): cannot broadcast [n, 10] with [n, 5]: dims 10 and 5 differ",
                assertThrows(ShapeError.class, () -> bceWithLogits(z, y)).getMessage());
        assertEquals(Shape.of(), softmaxCrossEntropy(constant(Tensor.vector(1, 2)), constant(Tensor.vector(0, 1))).type().shape());
    }

    // ---- over every axis (the language's axis = none) ---------------------------------------------

    @Property(tries = 100)
    void softmaxAndLogSoftmaxOverEveryAxisMatchFiniteDifferencesToSecondOrder(@ForAll("anyRank") Tensor x) {
        GradCheck.of(v -> softmax(v, null)).at(x).assertClose();
        GradCheck.of(v -> logSoftmax(v, null)).at(x).assertClose();
        GradCheck.of(v -> GradTable.grad(sum(Ops.square(softmax(v, null))), v)).at(x).assertClose();
        GradCheck.of(v -> GradTable.grad(sum(Ops.square(logSoftmax(v, null))), v)).at(x).assertClose();
        OpRuns.assertKernelsMatchReference(in -> softmax(in.get(0), null), x);
        OpRuns.assertKernelsMatchReference(in -> logSoftmax(in.get(0), null), x);
    }

    @Example
    void overEveryAxisIsOverTheElementsFlattened() {
        Input x = input("x", 2, 3), s = input("s");
        Node flat = Ops.reshape(softmax(Ops.reshape(x, -1), 0), 2, 3), logFlat = Ops.reshape(logSoftmax(Ops.reshape(x, -1), 0), 2, 3);
        var f = Compiler.compile(List.of(x, s), List.of(softmax(x, null), flat, logSoftmax(x, null), logFlat, softmax(s, null),
                logSoftmax(s, null)));
        List<Tensor> out = f.call(Tensor.matrix(new double[] {1, 800, -3}, new double[] {800, 0.5, 2}), Tensor.scalar(-7));
        assertEquals(out.get(1), out.get(0));
        assertEquals(out.get(3), out.get(2));
        assertEquals(0.5, out.get(0).get(0, 1));      // two equal maxima 800 apart from the rest
        assertEquals(Tensor.scalar(1), out.get(4));   // a scalar is the whole of itself
        assertEquals(Tensor.scalar(0), out.get(5));
        assertEquals("softmax{axis=none}", ((Apply) softmax(x, null)).op().describe());
    }

    private static Tensor row(Tensor m, int i) {
        int n = m.shape().dim(1);
        return Tensor.vector(Arrays.copyOfRange(m.toArray(), i * n, (i + 1) * n));
    }

    @Provide
    Arbitrary<Tensor> empty() { return Tensors.withShapes(Tensors.shapes(3, 0, 3).filter(s -> s.rank() > 0 && s.size() == 0)).any(); }

    @Provide
    Arbitrary<Tensor> anyRank() { return Tensors.smallShapes().any(); }

    @Provide
    Arbitrary<Along> along() {
        return Tensors.withShapes(Tensors.shapes(3, 1, 4).filter(s -> s.rank() > 0)).any().flatMap(
                x -> Arbitraries.integers().between(-x.rank(), x.rank() - 1).map(axis -> new Along(x, axis)));
    }

    /** Logits and targets of one shape of rank 1 to 3; the targets are any non-negative weights. */
    @Provide
    Arbitrary<List<Tensor>> logitsAndTargets() {
        return Tensors.shapes(3, 1, 4).filter(s -> s.rank() > 0).flatMap(s -> Combinators.combine(
                Tensors.withShape(s).any(), Tensors.withShape(s).between(0, 1)).as(List::of));
    }

    @Provide
    Arbitrary<List<Tensor>> probabilities() {
        return Tensors.broadcastablePairs().flatMap(s -> Combinators.combine(
                Tensors.withShape(s.get(0)).between(0.05, 0.95), Tensors.withShape(s.get(1)).between(0, 1)).as(List::of));
    }

    @Provide
    Arbitrary<List<Tensor>> logitsAndLabels() {
        return Tensors.broadcastablePairs().flatMap(s -> Combinators.combine(
                Tensors.withShape(s.get(0)).any(), Tensors.withShape(s.get(1)).between(0, 1)).as(List::of));
    }
}
