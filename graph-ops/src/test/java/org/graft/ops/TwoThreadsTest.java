package org.graft.ops;

import static org.graft.ops.Ops.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import net.jqwik.api.Example;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.Type;
import org.graft.core.blas.Blas;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.ops.optim.Optimizer;

/**
 * Training on two threads gives the same params from run to run, to the bit: the products large
 * enough to be split over the pool and the fused chains of the Adam update over W1 (its 150,000
 * numbers are more than a chain is split from) take their parts in a fixed way, whichever thread
 * runs them. graph-ops's tests run with {@code graft.threads=2} (its pom).
 */
class TwoThreadsTest {
    private static final int IN = 300, HIDDEN = 512, OUT = 10, BATCH = 128, STEPS = 4;

    @Example
    void trainingAnMlpTwiceOnTwoThreadsGivesTheSameParamsToTheBit() {
        assertEquals(2, Blas.threads(), "graph-ops's surefire runs set graft.threads=2");
        for (DType dtype : DType.values()) {
            List<double[]> first = train(dtype), second = train(dtype);
            for (int i = 0; i < first.size(); i++) assertArrayEquals(first.get(i), second.get(i), dtype + " param " + i);
        }
    }

    /**
     * The RBM's Gibbs chain and CD update on two threads, twice: its products are split over the
     * pool, cut into bands for OpenBLAS's small-matrix kernels where it has them, and read W from
     * the copy the scan holds; its draws come from the table of σ. Samples and W agree to the bit.
     */
    @Example
    void aGibbsChainTwiceOnTwoThreadsGivesTheSameSamplesToTheBit() {
        for (DType dtype : DType.values()) {
            List<double[]> first = gibbs(dtype), second = gibbs(dtype);
            for (int i = 0; i < first.size(); i++) assertArrayEquals(first.get(i), second.get(i), dtype + " value " + i);
        }
    }

    /**
     * A fused chain with a scalar operand, over enough numbers to be split between the threads:
     * each part fills its own blocks of the scalar's register, and again when the scalar changes,
     * so every element is {@code x s + y} as the ops give it one at a time.
     */
    @Example
    void aChainSplitBetweenTheThreadsReadsItsScalarAnewInEachPart() {
        int n = 3 * 65_536 + 777;
        for (DType dtype : DType.values()) {
            var random = new SplittableRandom(5);
            Tensor x = Tensor.uniform(dtype, Shape.of(n), -1, 1, random), y = Tensor.uniform(dtype, Shape.of(n), -1, 1, random);
            Param s = param("s", Tensor.scalar(dtype, 0.0));
            Input xi = new Input("x", Type.of(dtype, n)), yi = new Input("y", Type.of(dtype, n));
            Function f = Compiler.compile(List.of(xi, yi), List.of(add(mul(xi, s), yi)));
            for (double value : new double[] {0.5, 0.5, -3.25, 1e-3}) {
                s.set(Tensor.scalar(dtype, value));
                double[] got = f.call(x, y).get(0).storage(), a = x.storage(), b = y.storage();
                for (int i = 0; i < n; i++) {
                    double want = dtype == DType.F32 ? (float) a[i] * (float) value + (float) b[i] : a[i] * value + b[i];
                    if (got[i] != want) assertEquals(want, got[i], dtype + ", s = " + value + ", element " + i);
                }
            }
        }
    }

    /** Five Gibbs steps from a batch of 20 on a 784-500 RBM, and W after an SGD step of CD-5, from fixed seeds. */
    private static List<double[]> gibbs(DType dtype) {
        var random = new SplittableRandom(21);
        int visible = 784, hidden = 500, batch = 20;
        Input v0 = new Input("v0", dtype == DType.F32 ? Type.f32(batch, visible) : Type.f64(batch, visible));
        Input steps = new Input("steps", dtype == DType.F32 ? Type.f32(5, 1) : Type.f64(5, 1));
        Param w = param("W", Tensor.normal(dtype, Shape.of(visible, hidden), 0, 0.05, random));
        Param bh = param("bh", Tensor.zeros(dtype, Shape.of(hidden)));
        Param bv = param("bv", Tensor.zeros(dtype, Shape.of(visible)));
        Node chain = scan((v, x) -> bernoulli(sigmoid(add(matmul(bernoulli(sigmoid(add(matmul(v, w), bh))), transpose(w, 1, 0)), bv))),
                v0, steps);
        Node vk = stopGradient(slice(chain, Slice.index(4)));
        Node cost = sub(mean(freeEnergy(v0, w, bh, bv)), mean(freeEnergy(vk, w, bh, bv)));
        Function step = Compiler.compile(List.of(v0, steps), List.of(chain), Optimizer.sgd(0.1).updates(cost, List.of(w, bh, bv)));
        Tensor data = Tensor.uniform(dtype, Shape.of(batch, visible), 0, 1, random).map(p -> p < 0.3 ? 1 : 0);
        Tensor samples = step.call(data, Tensor.zeros(dtype, Shape.of(5, 1))).get(0);
        return List.of(samples.storage(), w.value().storage());
    }

    private static Node freeEnergy(Node v, Node w, Node bh, Node bv) {
        return neg(add(sum(mul(v, bv), -1), sum(softplus(add(matmul(v, w), bh)), -1)));
    }

    /** The params after a few Adam steps of a 300-512-10 ReLU net with dropout, from fixed seeds. */
    private static List<double[]> train(DType dtype) {
        var random = new SplittableRandom(20);
        Input x = new Input("x", dtype == DType.F32 ? Type.f32("n", IN) : Type.f64("n", IN));
        Input t = new Input("t", dtype == DType.F32 ? Type.f32("n", OUT) : Type.f64("n", OUT));
        Param w1 = param("W1", Tensor.normal(dtype, Shape.of(IN, HIDDEN), 0, 0.05, random));
        Param b1 = param("b1", Tensor.zeros(dtype, Shape.of(HIDDEN)));
        Param w2 = param("W2", Tensor.normal(dtype, Shape.of(HIDDEN, OUT), 0, 0.05, random));
        Param b2 = param("b2", Tensor.zeros(dtype, Shape.of(OUT)));
        Node z = add(matmul(x, w1), b1);
        Node h = mul(relu(z), bernoulli(fill(z, 0.9)));
        Node cost = mean(softmaxCrossEntropy(add(matmul(h, w2), b2), t));
        List<Param> params = List.of(w1, b1, w2, b2);
        Function step = Compiler.compile(List.of(x, t), List.of(cost), Optimizer.adam(0.01).updates(cost, params));
        Tensor xs = Tensor.normal(dtype, Shape.of(BATCH, IN), 0, 1, random);
        double[] targets = new double[BATCH * OUT];
        for (int i = 0; i < BATCH; i++) targets[i * OUT + random.nextInt(OUT)] = 1;
        Tensor ts = Tensor.of(dtype, Shape.of(BATCH, OUT), targets);
        for (int s = 0; s < STEPS; s++) step.call(xs, ts);
        var out = new ArrayList<double[]>();
        for (Param p : params) out.add(p.value().storage());
        return out;
    }
}
