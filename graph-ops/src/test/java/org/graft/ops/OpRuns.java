package org.graft.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Graph;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Type;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.Tensor;

/**
 * Graphs of tensors run compiled, for the ops' tests: the value of a graph of one input and the
 * gradient of its sum, and the check that the compiled runtime computes what the ops' reference
 * {@code fprop}s compute.
 */
final class OpRuns {
    private OpRuns() {}

    /** {@code f} of an input fed {@code at}, compiled. */
    static Tensor value(UnaryOperator<Node> f, Tensor at) {
        Input x = new Input("x", Type.of(at));
        return Compiler.compile(List.of(x), List.of(f.apply(x))).call(at).get(0);
    }

    /** The gradient of the sum of {@code f} at {@code at}, compiled. */
    static Tensor gradientOfSum(UnaryOperator<Node> f, Tensor at) {
        Input x = new Input("x", Type.of(at));
        return Compiler.compile(List.of(x), List.of(GradTable.grad(Ops.sum(f.apply(x)), x))).call(at).get(0);
    }

    /**
     * The compiled runtime computes what the ops' reference {@code fprop}s compute, to the bit, with
     * a kernel for every op: a graph and its gradient (with respect to every input, for a random
     * cotangent), compiled as written, against the same nodes evaluated one by one with
     * {@code fprop}, and no node left to the runtime's fallback.
     */
    static void assertKernelsMatchReference(Function<List<Node>, Node> f, Tensor... at) {
        var inputs = new ArrayList<Input>();
        for (int i = 0; i < at.length; i++) inputs.add(new Input("x" + i, Type.of(at[i])));
        Node y = f.apply(List.copyOf(inputs));
        var roots = new ArrayList<Node>(List.of(y));
        Tensor cotangent = Tensor.uniform(y.type().dtype(), y.type().shape(), 0.5, 1.5, new SplittableRandom(7));
        roots.addAll(GradTable.vjp(y, Constant.of(cotangent), inputs, GradTable.Disconnected.ZEROS));
        var function = Compiler.compile(inputs, roots, Options.NONE);
        List<Tensor> compiled = function.call(at);
        assertEquals(List.of(), function.fallbacks(), "nodes without a kernel");
        Map<Node, Tensor> values = new IdentityHashMap<>();
        for (int i = 0; i < at.length; i++) values.put(inputs.get(i), at[i]);
        for (Node n : Graph.topologicalOrder(roots)) {
            if (n instanceof Constant c) values.put(n, c.value());
            else if (n instanceof Apply a) values.put(n, a.op().fprop(a.inputs().stream().map(values::get).toList()));
        }
        for (int i = 0; i < roots.size(); i++) assertEquals(values.get(roots.get(i)), compiled.get(i), "root " + i);
    }
}
