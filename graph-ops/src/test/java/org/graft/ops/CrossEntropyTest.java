package org.graft.ops;

import static org.graft.ops.OpChecks.assertRuntimeError;
import static org.graft.ops.OpChecks.cube;
import static org.graft.ops.OpChecks.run;
import static org.graft.ops.Ops.constant;
import static org.graft.ops.Ops.crossEntropy;
import static org.graft.ops.Ops.grad;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.logSoftmax;
import static org.graft.ops.Ops.mean;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.nll;
import static org.graft.ops.Ops.oneHot;
import static org.graft.ops.Ops.softmaxCrossEntropy;
import static org.graft.ops.Ops.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.graft.core.ShapeError;
import org.graft.core.Type;
import org.graft.core.check.GradCheck;
import org.graft.core.check.Tensors;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/** {@code cross_entropy} with class labels: PyTorch's {@code F.cross_entropy}, the classes on the last axis. */
class CrossEntropyTest {

    @Property(tries = 150)
    void crossEntropyGradientMatchesFiniteDifferences(@ForAll("labelled") Labelled t) {
        GradCheck.of(z -> crossEntropy(z, constant(t.labels()), t.smoothing(), t.ignore(), false)).at(t.z()).assertClose();
        if (t.counted()) GradCheck.of(z -> crossEntropy(z, constant(t.labels()), t.smoothing(), t.ignore(), true)).at(t.z()).assertClose();
    }

    /**
     * Second order: the gradient of the gradient (the cotangent of the first walk depends on z
     * through sum(y³), so both the logits' and the cotangent's terms of the gradient op are checked).
     */
    @Property(tries = 100)
    void crossEntropyHasCorrectSecondDerivatives(@ForAll("labelled") Labelled t) {
        GradCheck.of(z -> grad(cube(crossEntropy(z, constant(t.labels()), t.smoothing(), t.ignore(), false)), z)).at(t.z()).assertClose();
        if (t.counted()) {
            GradCheck.of(z -> grad(crossEntropy(z, constant(t.labels()), t.smoothing(), t.ignore(), true), z)).at(t.z()).assertClose();
        }
    }

    /** The op's gradient op, as a function of its cotangent g: linear in it. */
    @Property(tries = 100)
    void theGradientOpsGradientInItsCotangentMatchesFiniteDifferences(@ForAll("labelled") Labelled t) {
        Tensor g = Tensor.uniform(t.labels().shape(), -2, 2, new SplittableRandom(t.z().size()));
        GradCheck.of(v -> Apply.of(new Neural.CrossEntropyGrad(t.ignore(), t.smoothing()), constant(t.z()), constant(t.labels()), v))
                .at(g).assertClose();
    }

    /** Without smoothing, each row is the one-hot softmax_cross_entropy's, to the bit, and so is its gradient. */
    @Property(tries = 100)
    void eachRowIsSoftmaxCrossEntropyAgainstTheLabelsOneHot(@ForAll("labelled") Labelled t) {
        Tensor labels = t.labels().map(v -> v == t.ignore() ? 0 : v);
        Input z = new Input("z", Type.of(t.z()));
        int k = t.z().shape().dim(-1);
        Node rows = crossEntropy(z, constant(labels), 0, -100, false);
        Node oneHot = softmaxCrossEntropy(z, oneHot(constant(labels), k));
        Tensor weights = Tensor.uniform(labels.shape(), 0.5, 1.5, new SplittableRandom(7));
        Node gRows = grad(sum(mul(rows, constant(weights))), z), gOneHot = grad(sum(mul(oneHot, constant(weights))), z);
        List<Tensor> got = Compiler.compile(List.of(z), List.of(rows, oneHot, gRows, gOneHot)).call(t.z());
        assertEquals(got.get(1), got.get(0));
        assertEquals(got.get(3), got.get(2));
    }

    /** The kernels compute what the reference computes, the loss to the bit and its gradient too. */
    @Property(tries = 100)
    void theKernelsGiveTheReference(@ForAll("labelled") Labelled t) {
        Input z = new Input("z", Type.of(t.z()));
        Apply rows = (Apply) crossEntropy(z, constant(t.labels()), t.smoothing(), t.ignore(), false);
        Tensor g = Tensor.uniform(t.labels().shape(), -1, 1, new SplittableRandom(11));
        Apply gz = Apply.of(new Neural.CrossEntropyGrad(t.ignore(), t.smoothing()), z, constant(t.labels()), constant(g));
        List<Tensor> got = Compiler.compile(List.of(z), List.of(rows, gz), Options.NONE).call(t.z());
        assertEquals(rows.op().fprop(List.of(t.z(), t.labels())), got.get(0));
        Tensor want = gz.op().fprop(List.of(t.z(), t.labels(), g));
        for (int i = 0; i < want.size(); i++) {
            double w = want.getFlat(i), a = got.get(1).getFlat(i);
            assertTrue(Math.abs(w - a) <= 4 * Math.ulp(1.0), "element " + i + ": the reference " + w + ", the kernel " + a);
        }
    }

    // ---- values from the definitions -----------------------------------------------------------

    private static final Tensor Z = Tensor.matrix(new double[] {1, 2, 3}, new double[] {0, 0, 0}, new double[] {-1, 5, 2});

    @Example
    void theMeanIsOverTheRowsNotIgnoredAndSmoothingSpreadsOverTheClasses() {
        Input z = input("z", 3, 3);
        Node lp = logSoftmax(z);
        Tensor logProbs = run(lp, z, Z);
        double row0 = -logProbs.get(0, 2), row2 = -logProbs.get(2, 1);
        assertClose(Tensor.vector(row0, 0, row2), run(crossEntropy(z, constant(Tensor.vector(2, -100, 1)), 0, -100, false), z, Z));
        assertClose(Tensor.scalar((row0 + row2) / 2), run(crossEntropy(z, constant(Tensor.vector(2, -100, 1))), z, Z));
        // ε = 0.3: (1 - ε) nll + ε/k Σ -log p over the row
        double eps = 0.3, smooth0 = -(logProbs.get(0, 0) + logProbs.get(0, 1) + logProbs.get(0, 2));
        double smoothed = (1 - eps) * row0 + eps / 3 * smooth0;
        assertClose(Tensor.vector(smoothed, 0, 0), run(crossEntropy(z, constant(Tensor.vector(2, 7, 7)), eps, 7, false), z, Z));
        assertTrue(Double.isNaN(run(crossEntropy(z, constant(Tensor.vector(-100, -100, -100))), z, Z).item()), "0/0, as PyTorch");
        // the same mean as nll of log_softmax
        Tensor labels = Tensor.vector(0, 2, 1);
        assertClose(run(nll(lp, constant(labels)), z, Z), run(crossEntropy(z, constant(labels)), z, Z));
    }

    @Example
    void theGradientIsSoftmaxMinusTheSmoothedTargetsOverTheRowsThatCount() {
        Input z = input("z", 3, 3);
        Tensor softmax = run(Ops.softmax(z), z, Z);
        Tensor g = run(grad(crossEntropy(z, constant(Tensor.vector(2, -100, 0)), 0.3, -100, true), z), z, Z);
        double[] want = new double[9];
        for (int i = 0; i < 3; i++) {
            want[i] = (softmax.get(0, i) - (i == 2 ? 0.7 : 0) - 0.1) / 2;
            want[6 + i] = (softmax.get(2, i) - (i == 0 ? 0.7 : 0) - 0.1) / 2;
        }
        assertClose(Tensor.of(want, 3, 3), g);
    }

    @Example
    void theLogitsMayBeF32AndTheLabelsEitherDtype() {
        for (DType labels : DType.values()) {
            Input z = new Input("z", Type.f32(3, 3)), y = new Input("y", Type.of(labels, 3));
            Node loss = crossEntropy(z, y);
            assertEquals(Type.scalar(DType.F32), loss.type());
            Function f = Compiler.compile(List.of(z, y), List.of(loss, grad(loss, z)));
            List<Tensor> got = f.call(Z.astype(DType.F32), Tensor.vector(2, 0, 1).astype(labels));
            assertEquals(DType.F32, got.get(1).dtype());
        }
    }

    // ---- errors --------------------------------------------------------------------------------

    @Example
    void aLabelThatIsNeitherAClassNorIgnoredIsAnErrorWhenTheValuesAreFed() {
        Input z = input("z", 3, 3), y = input("y", 3);
        for (Options options : List.of(Options.NONE, Options.DEFAULT)) {
            Function f = Compiler.compile(List.of(z, y), List.of(crossEntropy(z, y)), options);
            assertRuntimeError("cross_entropy(z, y): label 3 at [2] is not a class in [0, 3) nor the ignore_index -100",
                    () -> f.call(Z, Tensor.vector(0, 1, 3)));
            assertRuntimeError("cross_entropy(z, y): label -1 at [0] is not a class in [0, 3) nor the ignore_index -100",
                    () -> f.call(Z, Tensor.vector(-1, 1, 0)));
            assertRuntimeError("cross_entropy(z, y): label 0.5 at [1] is not a class in [0, 3) nor the ignore_index -100",
                    () -> f.call(Z, Tensor.vector(0, 0.5, 0)));
        }
        Node gz = Apply.of(new Neural.CrossEntropyGrad(9, 0), z, y, constant(Tensor.vector(1, 1, 1)));
        Function g = Compiler.compile(List.of(z, y), List.of(gz), Options.NONE);
        assertRuntimeError("cross_entropy_grad(z, y, constant[3]): label NaN at [1] is not a class in [0, 3) nor the ignore_index 9",
                () -> g.call(Z, Tensor.vector(0, Double.NaN, 0)));
    }

    @Example
    void shapesAndSmoothingThatDoNotFitAreRefusedWhereTheLossIsBuilt() {
        Input z = input("z", 3, 4), y = input("y", 4), s = input("s");
        var e = assertThrows(ShapeError.class, () -> crossEntropy(z, y));
        assertEquals("cross_entropy(z, y): logits [3, 4] need one label per row, [3], found labels [4]", e.getMessage());
        e = assertThrows(ShapeError.class, () -> crossEntropy(s, s));
        assertEquals("cross_entropy(s, s): needs logits of rank 1 or more (the classes last), found []", e.getMessage());
        var bad = assertThrows(IllegalArgumentException.class, () -> crossEntropy(z, input("y", 3), 1.5, -100, true));
        assertEquals("label_smoothing must be in [0, 1], found 1.5", bad.getMessage());
        assertEquals(Type.f64(), crossEntropy(input("v", 5), input("c")).type()); // one row: a vector of logits and a label
        assertEquals(Type.f64("n", 7), crossEntropy(input("w", "n", 7, 5), input("c", "n", 7), 0, -100, false).type());
    }

    // ---- helpers and arbitraries ---------------------------------------------------------------

    private static void assertClose(Tensor want, Tensor got) {
        assertEquals(want.shape(), got.shape());
        for (int i = 0; i < want.size(); i++) {
            double w = want.getFlat(i), a = got.getFlat(i);
            assertTrue(Math.abs(w - a) <= 1e-15 * Math.max(1, Math.abs(w)), "element " + i + ": " + w + " and " + a);
        }
    }

    /** Logits of some rows of k classes, a label per row (ignored some of the time), a smoothing and the ignore index. */
    record Labelled(Tensor z, Tensor labels, double smoothing, int ignore) {
        boolean counted() { return Arrays.stream(labels.toArray()).anyMatch(v -> v != ignore); }
    }

    @Provide
    Arbitrary<Labelled> labelled() {
        return Combinators.combine(Tensors.withShapes(Tensors.shapes(3, 1, 4).filter(s -> s.rank() > 0)).any(),
                Arbitraries.longs(), Arbitraries.of(0.0, 0.1, 1.0), Arbitraries.of(-100, 2)).as((z, seed, eps, ignore) -> {
                    var random = new SplittableRandom(seed);
                    int k = z.shape().dim(-1);
                    int[] rows = Arrays.copyOf(z.shape().dims(), z.rank() - 1);
                    double[] labels = new double[Shape.of(rows).size()];
                    for (int r = 0; r < labels.length; r++) labels[r] = random.nextInt(4) == 0 ? ignore : random.nextInt(k);
                    return new Labelled(z, Tensor.of(Shape.of(rows), labels), eps, ignore);
                });
    }
}
