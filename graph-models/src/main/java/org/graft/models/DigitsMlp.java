package org.graft.models;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.mean;
import static org.graft.ops.Ops.param;
import static org.graft.ops.Ops.relu;
import static org.graft.ops.Ops.softmaxCrossEntropy;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.models.data.DataSets;
import org.graft.models.data.Dataset;
import org.graft.models.data.Digits;
import org.graft.ops.optim.Optimizer;

/**
 * A 64-32-10 multilayer perceptron trained with plain SGD on the bundled 8x8 digits, written
 * with the Java API: build the graph, let {@link Optimizer#sgd} turn its cost into the updates
 * {@code W - lr * dcost/dW}, compile them into a training step, and call it on mini-batches.
 */
public final class DigitsMlp {
    private DigitsMlp() {}

    static final int HIDDEN = 32;
    static final int BATCH = 64;
    static final double LEARNING_RATE = 0.5;
    static final int EPOCHS = 40;
    static final long SEED = 20240601L;

    /** Where training stands after an epoch: the mean loss over its batches, and the test accuracy. */
    public record Epoch(int epoch, double trainLoss, double testAccuracy) {}

    public static void main(String[] args) {
        long start = System.nanoTime();
        Dataset.Split data;
        try {
            data = DataSets.load("digits").split();
        } catch (IOException e) { // a damaged install: say what is wrong, not where in our code
            System.err.println("error: " + e.getMessage());
            System.exit(1);
            return;
        }
        System.out.printf("digits: %d training and %d test images, a %d-%d-%d MLP, SGD with lr %s, batches of %d%n",
                data.train().size(), data.test().size(), Digits.PIXELS, HIDDEN, Digits.CLASSES, LEARNING_RATE, BATCH);
        Epoch last = train(data, EPOCHS, SEED, e -> {
            if (e.epoch() == 1 || e.epoch() % 10 == 0) {
                System.out.printf("epoch %2d  train loss %.4f  test accuracy %.3f%n", e.epoch(), e.trainLoss(), e.testAccuracy());
            }
        });
        System.out.printf("loaded and trained in %.1f s%n", (System.nanoTime() - start) / 1e9);
        System.out.printf("test accuracy: %.3f (%d images)%n", last.testAccuracy(), data.test().size());
    }

    /** Trains a fresh network for {@code epochs}, reporting each epoch; the same seed gives the same numbers. */
    public static Epoch train(Dataset.Split data, int epochs, long seed, Consumer<Epoch> progress) {
        if (epochs < 1) throw new IllegalArgumentException("expected at least one epoch, found " + epochs);
        var random = new Random(seed);
        Input x = input("x", "n", Digits.PIXELS);
        Input t = input("t", "n", Digits.CLASSES);   // the labels one-hot
        Param W1 = param("W1", glorot(Digits.PIXELS, HIDDEN, random));
        Param b1 = param("b1", Tensor.zeros(Shape.of(HIDDEN)));
        Param W2 = param("W2", glorot(HIDDEN, Digits.CLASSES, random));
        Param b2 = param("b2", Tensor.zeros(Shape.of(Digits.CLASSES)));

        Node h = relu(add(matmul(x, W1), b1));        // [n, 32]
        Node logits = add(matmul(h, W2), b2);         // [n, 10]
        Node cost = mean(softmaxCrossEntropy(logits, t));  // [n, 10] -> [n] -> scalar

        Map<Param, Node> updates = Optimizer.sgd(LEARNING_RATE).updates(cost, List.of(W1, b1, W2, b2));
        Function step = Compiler.compile(List.of(x, t), List.of(cost), updates);
        Function predict = Compiler.compile(List.of(x), List.of(logits));

        Epoch last = null;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            double loss = 0;
            List<Dataset> batches = data.train().batches(BATCH, random);
            for (Dataset batch : batches) {
                loss += step.call(batch.features(), batch.targets()).get(0).item();
            }
            Tensor testLogits = predict.call(data.test().features()).get(0);
            last = new Epoch(epoch, loss / batches.size(), accuracy(testLogits, data.test()));
            progress.accept(last);
        }
        return last;
    }

    /** Glorot's normal initialisation: std sqrt(2 / (fan in + fan out)) keeps activations and gradients at scale. */
    static Tensor glorot(int fanIn, int fanOut, Random random) {
        return Tensor.normal(Shape.of(fanIn, fanOut), 0, Math.sqrt(2.0 / (fanIn + fanOut)), random);
    }

    /** The fraction of examples whose largest logit is at their label. */
    static double accuracy(Tensor logits, Dataset data) {
        int classes = logits.shape().dim(1);
        int correct = 0;
        for (int i = 0; i < data.size(); i++) {
            int argmax = 0;
            for (int k = 1; k < classes; k++) {
                if (logits.getFlat(i * classes + k) > logits.getFlat(i * classes + argmax)) argmax = k;
            }
            if (argmax == data.label(i)) correct++;
        }
        return correct / (double) data.size();
    }
}
