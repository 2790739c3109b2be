package org.graft.ops;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.sigmoid;
import static org.graft.ops.Ops.slice;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.tanh;
import static org.graft.ops.Ops.transpose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import java.util.stream.Stream;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Type;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scan and its gradient (back-propagation through time) against PyTorch float64: an Elman network
 * as a Python loop with autograd and torch.nn.LSTM, over 1, 2, 50 and 1,000 steps, reversed,
 * truncated as PyTorch's detach-every-k, and a second-order gradient. The fixture comes from
 * {@code scripts/golden/scan.py}, which says how x and the cotangent G are made from a formula.
 */
class ScanGoldenTest {
    private static final int N = 3, D = 4, K = 5;

    static Stream<GoldenBlocks.Block> elman() throws IOException { return cases().stream().filter(c -> c.word("kind").equals("elman")); }

    static Stream<GoldenBlocks.Block> lstm() throws IOException { return cases().stream().filter(c -> c.word("kind").equals("lstm")); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("elman")
    void anElmanNetworkAndItsGradientsAreTorchs(GoldenBlocks.Block c) {
        int t = c.integer("t");
        var x = new Input("x", Type.f64("t", N, D));
        var h0 = new Input("h0", Type.f64(N, K));
        var wx = new Input("Wx", Type.f64(D, K));
        var wh = new Input("Wh", Type.f64(K, K));
        var b = new Input("b", Type.f64(K));
        Node hs = Ops.scan((h, xt) -> List.of(tanh(add(add(matmul(xt.get(0), wx), matmul(h.get(0), wh)), b))),
                List.of(h0), List.of(x), Boolean.parseBoolean(c.word("reverse")), c.integer("truncate")).get(0);
        var g = new Input("G", Type.f64("t", N, K));
        Node loss = sum(mul(hs, g));
        var outputs = new ArrayList<Node>(List.of(hs, loss));
        List<Node> grads = GradTable.grad(loss, List.of(x, h0, wx, wh, b));
        outputs.addAll(grads);
        if (c.has("second_Wh")) outputs.add(GradTable.grad(sum(mul(grads.get(3), grads.get(3))), wh));
        List<Tensor> got = Compiler.compile(List.of(x, g, h0, wx, wh, b), outputs).call(xs(t), cotangent(t),
                tensor(c, "h0", N, K), tensor(c, "Wx", D, K), tensor(c, "Wh", K, K), tensor(c, "b", K));
        assertSteps(c, got.get(0), "hs", t, N * K);
        assertClose(c.numbers("loss"), got.get(1), "loss");
        assertSteps(c, got.get(2), "dx", t, N * D);
        assertClose(c.numbers("dh0"), got.get(3), "dh0");
        assertClose(c.numbers("dWx"), got.get(4), "dWx");
        assertClose(c.numbers("dWh"), got.get(5), "dWh");
        assertClose(c.numbers("db"), got.get(6), "db");
        if (c.has("second_Wh")) assertClose(c.numbers("second_Wh"), got.get(7), "second order");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lstm")
    void anLstmAndItsGradientsAreTorchNnLstms(GoldenBlocks.Block c) {
        int t = c.integer("t");
        var x = new Input("x", Type.f64("t", N, D));
        var h0 = new Input("h0", Type.f64(N, K));
        var c0 = new Input("c0", Type.f64(N, K));
        var wi = new Input("W_ih", Type.f64(4 * K, D));
        var wh = new Input("W_hh", Type.f64(4 * K, K));
        var bi = new Input("b_ih", Type.f64(4 * K));
        var bh = new Input("b_hh", Type.f64(4 * K));
        List<Node> states = Ops.scan((hc, xt) -> {
            Node h = hc.get(0), cell = hc.get(1);
            Node gates = add(add(matmul(xt.get(0), transpose(wi)), bi), add(matmul(h, transpose(wh)), bh));
            Node in = sigmoid(gate(gates, 0)), forget = sigmoid(gate(gates, 1)), cand = tanh(gate(gates, 2)), out = sigmoid(gate(gates, 3));
            Node next = add(mul(forget, cell), mul(in, cand));
            return List.of(mul(out, tanh(next)), next);
        }, List.of(h0, c0), List.of(x), false, 0);
        Node hs = states.get(0);
        var g = new Input("G", Type.f64("t", N, K));
        Node loss = sum(mul(hs, g));
        var outputs = new ArrayList<Node>(List.of(hs, loss));
        outputs.addAll(GradTable.grad(loss, List.of(x, h0, c0, wi, wh, bi, bh)));
        List<Tensor> got = Compiler.compile(List.of(x, g, h0, c0, wi, wh, bi, bh), outputs).call(xs(t), cotangent(t), tensor(c, "h0", N, K),
                tensor(c, "c0", N, K), tensor(c, "W_ih", 4 * K, D), tensor(c, "W_hh", 4 * K, K), tensor(c, "b_ih", 4 * K),
                tensor(c, "b_hh", 4 * K));
        assertSteps(c, got.get(0), "hs", t, N * K);
        assertClose(c.numbers("loss"), got.get(1), "loss");
        assertSteps(c, got.get(2), "dx", t, N * D);
        String[] names = {"dh0", "dc0", "dW_ih", "dW_hh", "db_ih", "db_hh"};
        for (int k = 0; k < names.length; k++) assertClose(c.numbers(names[k]), got.get(3 + k), names[k]);
    }

    /** Gate {@code k} of torch.nn.LSTM's four, columns {@code [k K, (k + 1) K)} of the gates' pre-activations. */
    private static Node gate(Node gates, int k) { return slice(gates, Slice.all(), Slice.range(k * K, (k + 1) * K)); }

    private static Tensor xs(int t) { return formula(new int[] {t, N, D}, i -> Math.sin(0.3 * i + 0.2)); }

    private static Tensor cotangent(int t) { return formula(new int[] {t, N, K}, i -> Math.cos(0.05 * i)); }

    private static Tensor formula(int[] shape, IntToDoubleFunction f) {
        double[] v = new double[Shape.of(shape).size()];
        for (int i = 0; i < v.length; i++) v[i] = f.applyAsDouble(i);
        return Tensor.of(Shape.of(shape), v);
    }

    /** The first and the last step of a stacked result, against the fixture's {@code KEY_first} and {@code KEY_last}. */
    private static void assertSteps(GoldenBlocks.Block c, Tensor got, String key, int t, int perStep) {
        assertEquals(t * perStep, got.size(), key + ": sizes");
        double[] all = got.storage();
        assertClose(c.numbers(key + "_first"), Arrays.copyOfRange(all, 0, perStep), key + "[0]");
        assertClose(c.numbers(key + "_last"), Arrays.copyOfRange(all, (t - 1) * perStep, t * perStep), key + "[t - 1]");
    }

    private static void assertClose(double[] want, Tensor got, String what) { assertClose(want, got.storage(), what); }

    /** Within 1e-10 relative (absolute below 1): the bound, which 1,000 steps of rounding stay far inside. */
    private static void assertClose(double[] want, double[] got, String what) {
        assertEquals(want.length, got.length, what + ": sizes");
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(want[i] - got[i]) <= 1e-10 * Math.max(1, Math.abs(want[i])),
                    what + "[" + i + "]: PyTorch " + want[i] + ", Graft " + got[i]);
        }
    }

    private static List<GoldenBlocks.Block> cases() throws IOException { return GoldenBlocks.read("/torch/scan.txt"); }

    private static Tensor tensor(GoldenBlocks.Block c, String key, int... shape) { return Tensor.of(Shape.of(shape), c.numbers(key)); }
}
