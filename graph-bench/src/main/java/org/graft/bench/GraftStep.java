package org.graft.bench;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.mean;
import static org.graft.ops.Ops.relu;
import static org.graft.ops.Ops.softmaxCrossEntropy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.Type;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.ops.optim.Optimizer;

/**
 * The step as a Graft user writes it with the Java API: the MLP as a graph, its SGD updates
 * from {@link Optimizer#sgd}, compiled once into a {@link Function} that one call of
 * {@link Function#run} steps. The batch dimension is symbolic, as in a training loop.
 */
public final class GraftStep implements TrainingStep {
    private final List<Tensor> initial;
    private final List<Param> params;
    private final Function function;
    private final Tensor[] batch;   // one array for every call, so run's varargs allocate nothing
    private final DType dtype;

    /** The step of {@code problem}, its numbers rounded to {@code dtype}. */
    public GraftStep(Problem problem, DType dtype) {
        this.dtype = dtype;
        initial = initialValues(problem, dtype);
        params = params(problem.mlp(), initial);
        function = compile(problem.mlp(), dtype, params);
        Mlp mlp = problem.mlp();
        batch = new Tensor[] {
            tensor(problem.x(), dtype, mlp.batch(), mlp.inputs()),
            tensor(problem.targets(), dtype, mlp.batch(), mlp.classes())
        };
    }

    @Override
    public double step() {
        function.run(batch);
        return function.scalar(0);
    }

    @Override
    public void reset() {
        for (int i = 0; i < params.size(); i++) params.get(i).set(initial.get(i));
    }

    /** The dtype the step computes in. */
    public DType dtype() { return dtype; }

    /** The weights of layer {@code l} as they are now. */
    public double[] weights(int l) { return params.get(2 * l).value().toArray(); }

    /** The biases of layer {@code l} as they are now. */
    public double[] biases(int l) { return params.get(2 * l + 1).value().toArray(); }

    /** The problem's initial params as tensors, in the order {@code W0, b0, W1, b1, ...}. */
    static List<Tensor> initialValues(Problem problem, DType dtype) {
        Mlp mlp = problem.mlp();
        var values = new ArrayList<Tensor>();
        for (int l = 0; l < mlp.layers(); l++) {
            values.add(tensor(problem.weights(l), dtype, mlp.width(l), mlp.width(l + 1)));
            values.add(tensor(problem.biases(l), dtype, mlp.width(l + 1)));
        }
        return values;
    }

    /** Fresh params {@code W0, b0, W1, b1, ...} holding {@code values}. */
    static List<Param> params(Mlp mlp, List<Tensor> values) {
        var params = new ArrayList<Param>();
        for (int l = 0; l < mlp.layers(); l++) {
            params.add(new Param("W" + l, values.get(2 * l)));
            params.add(new Param("b" + l, values.get(2 * l + 1)));
        }
        return params;
    }

    /**
     * Builds the training graph of {@code mlp} on {@code params}, differentiates it, and
     * compiles it with the SGD updates: inputs {@code x: [n, inputs]} and one-hot
     * {@code t: [n, classes]}, one output, the cost.
     */
    static Function compile(Mlp mlp, DType dtype, List<Param> params) {
        Input x = new Input("x", Type.of(dtype, "n", mlp.inputs()));
        Input t = new Input("t", Type.of(dtype, "n", mlp.classes()));
        Node h = x;
        for (int l = 0; l < mlp.layers(); l++) {
            Node z = add(matmul(h, params.get(2 * l)), params.get(2 * l + 1));   // [n, width(l + 1)]
            h = l < mlp.layers() - 1 ? relu(z) : z;
        }
        Node cost = mean(softmaxCrossEntropy(h, t));   // [n, classes] -> [n] -> scalar
        Map<Param, Node> updates = Optimizer.sgd(Problem.LEARNING_RATE).updates(cost, params);
        return Compiler.compile(List.of(x, t), List.of(cost), updates);
    }

    /** A tensor of {@code dtype} holding {@code values}, rounded to float for f32. */
    static Tensor tensor(double[] values, DType dtype, int... dims) { return Tensor.of(dtype, Shape.of(dims), values); }
}
