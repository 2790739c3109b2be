package org.graft.bench;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.conv2d;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.maxPool2d;
import static org.graft.ops.Ops.mean;
import static org.graft.ops.Ops.reshape;
import static org.graft.ops.Ops.softmaxCrossEntropy;
import static org.graft.ops.Ops.tanh;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.Type;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.ops.Pool;
import org.graft.ops.optim.Optimizer;

/**
 * One training step of LeNet, the bundled {@code lenet.graft} written with the Java API: two
 * 5x5 convolutions of 20 and 50 filters, each max-pooled by 2 before its bias and tanh, 500 tanh
 * units, softmax cross-entropy against one-hot targets averaged over a batch of {@value #BATCH}
 * MNIST-sized rows, and plain SGD with the Theano tutorial's learning rate, {@value #LEARNING_RATE}.
 * The rows are uniform in [0, 1), as pixels; the weights Glorot-uniform, the biases zero.
 * {@code bench/torch_step.py} builds the same step with {@code torch.nn.functional}.
 */
public final class LenetStep implements TrainingStep {
    public static final int BATCH = 100;
    public static final double LEARNING_RATE = 0.1;
    private static final int CLASSES = 10;
    /** Each param's shape, in the order W0, b0, ..., b3. */
    private static final List<Shape> SHAPES = List.of(Shape.of(20, 1, 5, 5), Shape.of(20, 1, 1), Shape.of(50, 20, 5, 5),
            Shape.of(50, 1, 1), Shape.of(800, 500), Shape.of(500), Shape.of(500, CLASSES), Shape.of(CLASSES));

    private final List<Tensor> initial = new ArrayList<>();
    private final List<Param> params = new ArrayList<>();
    private final Function function;
    private final Tensor[] batch;

    public LenetStep(DType dtype) {
        var random = new SplittableRandom(Problem.SEED);
        for (int i = 0; i < SHAPES.size(); i++) {
            Shape s = SHAPES.get(i);
            Tensor value = i % 2 == 1 ? Tensor.zeros(dtype, s) : Tensor.uniform(dtype, s, -glorot(s), glorot(s), random);
            initial.add(value);
            params.add(new Param((i % 2 == 0 ? "W" : "b") + i / 2, value));
        }
        Input x = new Input("x", Type.of(dtype, "n", 784)), t = new Input("t", Type.of(dtype, "n", CLASSES));
        Node images = reshape(x, -1, 1, 28, 28);
        Node h0 = tanh(add(maxPool2d(conv2d(images, params.get(0)), Pool.Window.of(2)), params.get(1)));
        Node h1 = tanh(add(maxPool2d(conv2d(h0, params.get(2)), Pool.Window.of(2)), params.get(3)));
        Node h2 = tanh(add(matmul(reshape(h1, -1, 800), params.get(4)), params.get(5)));
        Node cost = mean(softmaxCrossEntropy(add(matmul(h2, params.get(6)), params.get(7)), t));
        Map<Param, Node> updates = Optimizer.sgd(LEARNING_RATE).updates(cost, params);
        function = Compiler.compile(List.of(x, t), List.of(cost), updates);
        double[] targets = new double[BATCH * CLASSES];
        for (int i = 0; i < BATCH; i++) targets[i * CLASSES + random.nextInt(CLASSES)] = 1;
        batch = new Tensor[] {Tensor.uniform(dtype, Shape.of(BATCH, 784), 0, 1, random), Tensor.of(dtype, Shape.of(BATCH, CLASSES), targets)};
    }

    /** Glorot's bound, sqrt(6 / (fan in + fan out)), the fans of filters [f, c, kh, kw] counting their taps. */
    private static double glorot(Shape s) {
        int taps = s.rank() == 4 ? s.dim(2) * s.dim(3) : 1;
        return Math.sqrt(6.0 / ((s.dim(0) + s.dim(1)) * (double) taps));
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
}
