package org.graft.ops;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.grad;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.sin;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.tanh;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.graft.core.Apply;
import org.graft.core.GradientError;
import org.graft.core.GraftException;
import org.graft.core.Graph;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.ShapeError;
import org.graft.core.Type;
import org.graft.core.check.GradCheck;
import org.graft.core.check.Tensors;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Scan and the ops of its gradient: values against a loop written out, gradients against central
 * differences (first and second order), the step's free values lifted, the graph's size
 * independent of the number of steps, and the errors.
 */
class LoopsTest {

    /** A small recurrence's operands: x [t, n, d], h0 [n, k], W [d, k], U [k, k]. */
    record Rnn(Tensor x, Tensor h0, Tensor w, Tensor u, boolean reverse) {
        int steps() { return x.shape().dim(0); }

        @Override
        public String toString() { return "x " + x.shape() + ", h0 " + h0.shape() + (reverse ? ", reversed" : ""); }
    }

    @Provide
    Arbitrary<Rnn> rnns() {
        var t = Arbitraries.integers().between(0, 4);
        var n = Arbitraries.integers().between(1, 2);
        var d = Arbitraries.integers().between(1, 3);
        var k = Arbitraries.integers().between(1, 3);
        return Combinators.combine(t, n, d, k, Arbitraries.of(false, true)).flatAs((tt, nn, dd, kk, rev) -> Combinators.combine(
                // in [-1, 1], where tanh is far from saturated: a saturated step has gradients of 1e-8
                // and less, below what central differences of a second-order gradient resolve
                Tensors.withShape(Shape.of(tt, nn, dd)).between(-1, 1), Tensors.withShape(Shape.of(nn, kk)).between(-1, 1),
                Tensors.withShape(Shape.of(dd, kk)).between(-1, 1), Tensors.withShape(Shape.of(kk, kk)).between(-1, 1))
                .as((x, h0, w, u) -> new Rnn(x, h0, w, u, rev)));
    }

    /** h' = tanh(x W + h U), with a per-step output sin(h') and a second carried value, the running sum of h'. */
    private static List<Node> rnn(Node x, Node h0, Node w, Node u, boolean reverse) {
        return Ops.scan((hs, xs) -> {
            Node next = tanh(add(matmul(xs.get(0), w), matmul(hs.get(0), u)));
            return List.of(next, add(hs.get(1), next), sin(next));
        }, List.of(h0, Ops.zerosLike(h0)), List.of(x), reverse, 0);
    }

    @Property(tries = 60)
    void aScanComputesWhatItsLoopWrittenOutComputes(@ForAll("rnns") Rnn c) {
        var in = inputs(c);
        List<Node> out = rnn(in.get(0), in.get(1), in.get(2), in.get(3), c.reverse());
        List<Tensor> got = Compiler.compile(in, out).call(c.x(), c.h0(), c.w(), c.u());
        if (c.steps() == 0) return; // stack needs one value; the empty case is its own example
        List<Tensor> want = Compiler.compile(in, unrolled(in, c)).call(c.x(), c.h0(), c.w(), c.u());
        assertArrayEquals(want.get(0).storage(), got.get(0).storage(), 1e-14);
        assertArrayEquals(want.get(1).storage(), got.get(2).storage(), 1e-14);
    }

    /**
     * In f32 the step's inputs are float arrays and its weights are bound where they live at each
     * call: every op rounds as it does in the loop written out, so the bits agree, and a second
     * call with other weights reads those.
     */
    @Property(tries = 40)
    void anF32ScanComputesInFloatTheBitsOfItsLoopWrittenOut(@ForAll("rnns") Rnn c) {
        if (c.steps() == 0) return;
        var in = inputs(c, DType.F32);
        var scan = Compiler.compile(in, rnn(in.get(0), in.get(1), in.get(2), in.get(3), c.reverse()));
        var loop = Compiler.compile(in, unrolled(in, c));
        Tensor x = c.x().astype(DType.F32), h0 = c.h0().astype(DType.F32), u = c.u().astype(DType.F32);
        for (Tensor w : List.of(c.w().map(v -> v / 2).astype(DType.F32), c.w().astype(DType.F32))) {
            List<Tensor> got = scan.call(x, h0, w, u), want = loop.call(x, h0, w, u);
            assertEquals(DType.F32, got.get(0).dtype());
            assertArrayEquals(want.get(0).storage(), got.get(0).storage(), 0.0);
            assertArrayEquals(want.get(1).storage(), got.get(2).storage(), 0.0);
        }
    }

    /**
     * Products large enough for the native library, split over two threads when the tests run on
     * two ({@code graft.threads=2}): the step reads its weights from the copies made at the first
     * product of each run ({@code Blas.hold}), so the bits are still the loop's written out, and
     * a second call with other weights, in arrays of the same length, reads those. The batch is
     * 40 rows: the products of a held W with at most 32 are turned from the third of a run on
     * (OpenBlas.turnsHeld), which agrees with the loop written out to rounding, not to the bit
     * (GemmTest checks that product).
     */
    @Example
    void aScanOfLargeProductsReadsEachCallsWeights() {
        var random = new java.util.SplittableRandom(11);
        Shape x = Shape.of(3, 40, 256), h = Shape.of(40, 256), w = Shape.of(256, 256); // 2.6 million multiply-adds a product
        var c = new Rnn(Tensor.uniform(x, -1, 1, random), Tensor.uniform(h, -1, 1, random), Tensor.uniform(w, -0.1, 0.1, random),
                Tensor.uniform(w, -0.1, 0.1, random), false);
        for (DType dtype : List.of(DType.F64, DType.F32)) {
            var in = inputs(c, dtype);
            var scan = Compiler.compile(in, rnn(in.get(0), in.get(1), in.get(2), in.get(3), false));
            var loop = Compiler.compile(in, unrolled(in, c));
            for (Tensor weights : List.of(c.w(), c.w().map(v -> -v / 2))) {
                Tensor[] args = {c.x().astype(dtype), c.h0().astype(dtype), weights.astype(dtype), c.u().astype(dtype)};
                List<Tensor> got = scan.call(args), want = loop.call(args);
                assertArrayEquals(want.get(0).storage(), got.get(0).storage(), 0.0, dtype.toString());
                assertArrayEquals(want.get(1).storage(), got.get(2).storage(), 0.0, dtype.toString());
            }
        }
    }

    /** The same recurrence, unrolled by hand into one graph per step: the stacked states, then the stacked sines. */
    private static List<Node> unrolled(List<Input> in, Rnn c) {
        Node h = in.get(1);
        var states = new Node[c.steps()];
        var sines = new Node[c.steps()];
        for (int s = 0; s < c.steps(); s++) {
            int t = c.reverse() ? c.steps() - 1 - s : s;
            Node xt = Ops.slice(in.get(0), Slice.index(t));
            h = tanh(add(matmul(xt, in.get(2)), matmul(h, in.get(3))));
            states[t] = h;
            sines[t] = sin(h);
        }
        return List.of(Ops.stack(List.of(states), 0), Ops.stack(List.of(sines), 0));
    }

    @Property(tries = 40)
    void aScansGradientMatchesFiniteDifferences(@ForAll("rnns") Rnn c) {
        GradCheck.ofList(in -> {
            List<Node> out = rnn(in.get(0), in.get(1), in.get(2), in.get(3), c.reverse());
            return add(add(sum(out.get(0)), sum(square(out.get(1)))), sum(out.get(2)));
        }).at(c.x(), c.h0(), c.w(), c.u()).assertClose();
    }

    @Property(tries = 25)
    void aScansSecondOrderGradientMatchesFiniteDifferences(@ForAll("rnns") Rnn c) {
        GradCheck.ofList(in -> {
            List<Node> out = rnn(in.get(0), in.get(1), in.get(2), in.get(3), c.reverse());
            Node dU = grad(sum(square(out.get(0))), in.get(3));
            return sum(mul(dU, dU));
        }).at(c.x(), c.h0(), c.w(), c.u()).assertClose();
    }

    @Property(tries = 40)
    void aTruncatedGradientMatchesFiniteDifferencesOfTheDetachedLoop(@ForAll("rnns") Rnn c,
                                                                         @ForAll("every") int k) {
        // the gradient of the scan cut every k steps is the gradient of the loop written out with
        // stop_gradient on the state before every k-th step run (PyTorch's detach)
        var in = inputs(c);
        Node truncated = Ops.scan((hs, xs) -> List.of(tanh(add(matmul(xs.get(0), in.get(2)), matmul(hs.get(0), in.get(3))))),
                List.of(in.get(1)), List.of(in.get(0)), c.reverse(), k).get(0);
        if (c.steps() == 0) return;
        Node h = in.get(1);
        var states = new Node[c.steps()];
        for (int s = 0; s < c.steps(); s++) {
            int t = c.reverse() ? c.steps() - 1 - s : s;
            if (s > 0 && s % k == 0) h = Ops.stopGradient(h);
            h = tanh(add(matmul(Ops.slice(in.get(0), Slice.index(t)), in.get(2)), matmul(h, in.get(3))));
            states[t] = h;
        }
        Node unrolled = Ops.stack(List.of(states), 0);
        var wrt = List.<Node>of(in.get(0), in.get(1), in.get(2), in.get(3));
        var outs = new ArrayList<Node>(GradTable.grad(sum(square(truncated)), wrt));
        outs.addAll(GradTable.grad(sum(square(unrolled)), wrt));
        List<Tensor> got = Compiler.compile(in, outs).call(c.x(), c.h0(), c.w(), c.u());
        for (int i = 0; i < 4; i++) assertArrayEquals(got.get(4 + i).storage(), got.get(i).storage(), 1e-13, "gradient " + i);
    }

    @Provide
    Arbitrary<Integer> every() { return Arbitraries.integers().between(1, 3); }

    @Property(tries = 40)
    void theShiftsAndStepsGradientsMatchFiniteDifferences(@ForAll("stacked") Tensor s, @ForAll boolean last) {
        Tensor first = Tensor.zeros(Shape.of(java.util.Arrays.copyOfRange(s.shape().dims(), 1, s.rank()))).map(v -> 0.5);
        GradCheck.of((a, f) -> Apply.of(new Loops.Shift(last), a, f)).at(s, first).assertClose();
        GradCheck.of(a -> Apply.of(new Loops.Unshift(last), a)).at(s).assertClose();
        GradCheck.of(a -> Apply.of(new Loops.StepAt(last), a)).at(s).assertClose();
        GradCheck.of(g -> Apply.of(new Loops.PutStepAt(last), g, Ops.constant(s))).at(first).assertClose();
    }

    @Provide
    Arbitrary<Tensor> stacked() { return Tensors.withShapes(Tensors.shapes(3, 1, 3).filter(s -> s.rank() > 0)).any(); }

    @Example
    void theMaskCutsEveryKthStepRunAfterTheFirst() {
        var x = new Input("x", Type.f64("t", 2));
        Node forward = Apply.of(new Loops.StepMask(3, false), x), backward = Apply.of(new Loops.StepMask(3, true), x);
        List<Tensor> got = Compiler.compile(List.of(x), List.of(forward, backward)).call(Tensor.zeros(Shape.of(7, 2)));
        assertArrayEquals(new double[] {1, 1, 1, 0, 1, 1, 0}, got.get(0).storage());
        assertArrayEquals(new double[] {0, 1, 1, 0, 1, 1, 1}, got.get(1).storage());
    }

    @Example
    void theStepReadsParamsAsNonSequencesSoTheyGetGradients() {
        var w = new Param("W", Tensor.of(new double[] {0.5, -0.25}, 2));
        var x = new Input("x", Type.f64("t", 2));
        Node hs = Ops.scan((h, xt) -> tanh(add(mul(xt, w), mul(h, 2.0))), Ops.constant(Tensor.zeros(Shape.of(2))), x);
        var scan = (Apply) hs.inputs().get(0);
        var op = (Loops.Scan) scan.op();
        assertEquals(List.of(w), scan.inputs().subList(2, scan.inputs().size()), "W is the one non-sequence; 2.0 stays inside");
        assertEquals(3, op.body().inputs().size());
        Node dw = grad(sum(hs), w);
        Tensor got = Compiler.compile(List.of(x), List.of(dw)).call(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2)).get(0);
        assertEquals(2, got.size());
        assertTrue(Math.abs(got.getFlat(0)) > 0.01);
    }

    /**
     * A matrix the step reads transposed is a non-sequence as it is, its transpose left in the
     * step for the product to fold into its flags; a value computed from it outside the step
     * (here Wᵀ W) is still one non-sequence, computed once. The values are the loop's written out.
     */
    @Example
    void aMatrixTheStepReadsTransposedIsLiftedAsItIs() {
        var w = new Input("W", Type.f64(3, 4));
        var h0 = new Input("h0", Type.f64(2, 4));
        var x = new Input("x", Type.f64(3, 2, 3));
        Node wt = Apply.of(new Linalg.Transpose(List.of(1, 0)), w);
        Node gram = matmul(wt, w);
        java.util.function.BinaryOperator<Node> step = (h, xt) -> tanh(add(matmul(add(xt, matmul(h, wt)), w), matmul(h, gram)));
        Node hs = Ops.scan(step::apply, h0, x);
        var scan = (Apply) hs.inputs().get(0);
        assertEquals(List.of(w, gram), scan.inputs().subList(2, scan.inputs().size()), "W and Wᵀ W are the non-sequences");
        var random = new java.util.SplittableRandom(5);
        Tensor wv = Tensor.uniform(Shape.of(3, 4), -1, 1, random), h0v = Tensor.uniform(Shape.of(2, 4), -1, 1, random),
                xv = Tensor.uniform(Shape.of(3, 2, 3), -1, 1, random);
        Node h = h0;
        var states = new Node[3];
        for (int t = 0; t < 3; t++) states[t] = h = step.apply(h, Ops.slice(x, Slice.index(t)));
        var in = List.of(w, h0, x);
        Tensor got = Compiler.compile(in, List.of(hs)).call(wv, h0v, xv).get(0);
        Tensor want = Compiler.compile(in, List.of(Ops.stack(List.of(states), 0))).call(wv, h0v, xv).get(0);
        assertArrayEquals(want.storage(), got.storage(), 1e-15);
    }

    @Example
    void carriedValuesSwappedByTheStepAreReadBeforeAnyIsWritten() {
        var a = new Input("a", Type.f64(2));
        var b = new Input("b", Type.f64(2));
        var x = new Input("x", Type.f64("t", 2));
        List<Node> out = Ops.scan((hs, xs) -> List.of(hs.get(1), add(hs.get(0), xs.get(0))), List.of(a, b), List.of(x), false, 0);
        List<Tensor> got = Compiler.compile(List.of(a, b, x), out).call(Tensor.of(new double[] {1, 2}, 2),
                Tensor.of(new double[] {10, 20}, 2), Tensor.of(new double[] {100, 200, 1000, 2000}, 2, 2));
        // (a, b) -> (b, a + x0) = (10, 20), (101, 202) -> (101, 202), (1010, 2020)
        assertArrayEquals(new double[] {10, 20, 101, 202}, got.get(0).storage());
        assertArrayEquals(new double[] {101, 202, 1010, 2020}, got.get(1).storage());
    }

    @Example
    void anEmptySequenceRunsNoStepAndItsGradientReachesTheInitialState() {
        var h0 = new Input("h0", Type.f64(2));
        var x = new Input("x", Type.f64("t", 2));
        Node hs = Ops.scan((h, xt) -> tanh(add(h, xt)), h0, x);
        var f = Compiler.compile(List.of(h0, x), List.of(hs, grad(add(sum(hs), sum(h0)), h0)));
        List<Tensor> got = f.call(Tensor.of(new double[] {1, 2}, 2), Tensor.zeros(Shape.of(0, 2)));
        assertEquals(Shape.of(0, 2), got.get(0).shape());
        assertArrayEquals(new double[] {1, 1}, got.get(1).storage());
    }

    @Example
    void aScanIsOneNodeSoItsGraphAndPlanDoNotGrowWithTheSteps() {
        int[] sizes = new int[2];
        int[] lengths = {10, 1000};
        for (int i = 0; i < 2; i++) {
            var x = new Input("x", Type.f64(lengths[i], 4, 3));
            var w = new Param("W", Tensor.zeros(Shape.of(3, 5)).map(v -> 0.1));
            var u = new Param("U", Tensor.zeros(Shape.of(5, 5)).map(v -> 0.05));
            Node hs = Ops.scan((h, xt) -> tanh(add(matmul(xt, w), matmul(h, u))), Ops.constant(Tensor.zeros(Shape.of(4, 5))), x);
            Node cost = sum(square(hs));
            List<Node> grads = GradTable.grad(cost, List.of(w, u));
            var all = new ArrayList<Node>(grads);
            all.add(cost);
            sizes[i] = Graph.topologicalOrder(all).size();
            var f = Compiler.compile(List.of(x), all, Options.DEFAULT);
            f.call(Tensor.zeros(Shape.of(lengths[i], 4, 3)).map(v -> 0.5));
            assertTrue(f.fallbacks().isEmpty(), "every node of the plan has a kernel: " + f.fallbacks());
        }
        assertEquals(sizes[0], sizes[1], "the graph of 1,000 steps is the graph of 10");
    }

    @Example
    void aRandomStepsGradientIsRefusedAndAValueThatIsATupleIsNoOperand() {
        var x = new Input("x", Type.f64("t", 2));
        var h0 = new Input("h0", Type.f64(2));
        Node hs = Ops.scan((h, xt) -> add(Ops.bernoulli(Ops.sigmoid(h)), xt), h0, x);
        var e = assertThrows(GradientError.class, () -> grad(sum(hs), h0));
        assertTrue(e.getMessage().contains("the step draws random numbers"), e.getMessage());
        Node tuple = hs.inputs().get(0);
        var shape = assertThrows(ShapeError.class, () -> Ops.neg(tuple));
        assertTrue(shape.getMessage().contains("has several results"), shape.getMessage());
        var output = assertThrows(GraftException.class, () -> Compiler.compile(List.of(x, h0), List.of(tuple)));
        assertTrue(output.getMessage().contains("an output is one of them"), output.getMessage());
    }

    @Example
    void sequencesOfDifferentLengthsAreAShapeError() {
        var x = new Input("x", Type.f64("t", 2));
        var y = new Input("y", Type.f64("s", 2));
        var e = assertThrows(ShapeError.class, () -> Ops.scan((h, xs) -> List.of(add(add(h.get(0), xs.get(0)), xs.get(1))),
                List.of(Ops.constant(Tensor.zeros(Shape.of(2)))), List.of(x, y), false, 0));
        assertTrue(e.getMessage().contains("sequence 1 has s steps, the sequences before it t"), e.getMessage());
    }

    private static List<Input> inputs(Rnn c) { return inputs(c, DType.F64); }

    private static List<Input> inputs(Rnn c, DType dtype) {
        return List.of(new Input("x", Type.of(dtype, c.x().shape())), new Input("h0", Type.of(dtype, c.h0().shape())),
                new Input("W", Type.of(dtype, c.w().shape())), new Input("U", Type.of(dtype, c.u().shape())));
    }
}
