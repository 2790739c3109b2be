package org.graft.models;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.argmax;
import static org.graft.ops.Ops.equal;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.mean;
import static org.graft.ops.Ops.param;
import static org.graft.ops.Ops.relu;
import static org.graft.ops.Ops.softmaxCrossEntropy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.function.Consumer;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.models.data.Data;
import org.graft.models.data.DataSets;
import org.graft.models.data.Dataset;
import org.graft.models.data.Digits;
import org.graft.models.train.Model;
import org.graft.models.train.RunSettings;
import org.graft.models.train.Trainer;
import org.graft.ops.optim.Optimizer;

/**
 * A 64-32-10 multilayer perceptron trained with plain SGD on the bundled 8x8 digits, written
 * with the Java API: build the graph, its cost and its accuracy, and hand them with
 * {@link Optimizer#sgd} to {@link Trainer}, the loop {@code graft train} runs, which turns the
 * cost into the updates {@code W - lr * dcost/dW}, compiles them into a training step, and
 * calls it on mini-batches of a fresh shuffle each epoch.
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
        var random = new Random(seed);
        Input x = input("x", "n", Digits.PIXELS);
        Input y = input("y", "n", Digits.CLASSES);   // the labels one-hot
        Param W1 = param("W1", glorot(Digits.PIXELS, HIDDEN, random));
        Param b1 = param("b1", Tensor.zeros(Shape.of(HIDDEN)));
        Param W2 = param("W2", glorot(HIDDEN, Digits.CLASSES, random));
        Param b2 = param("b2", Tensor.zeros(Shape.of(Digits.CLASSES)));

        Node h = relu(add(matmul(x, W1), b1));        // [n, 32]
        Node logits = add(matmul(h, W2), b2);         // [n, 10]
        Node loss = mean(softmaxCrossEntropy(logits, y));  // [n, 10] -> [n] -> scalar
        // the fraction of examples whose largest logit is at their label: [n] -> scalar
        Node accuracy = mean(equal(argmax(logits, -1), argmax(y, -1)));

        Model model = Model.of("DigitsMlp", x, y, "loss", loss, Optimizer.sgd(LEARNING_RATE), List.of(W1, b1, W2, b2),
                Map.of("accuracy", accuracy));
        var run = new RunSettings("DigitsMlp", "", "digits", epochs, BATCH, seed, OptionalDouble.empty(), 1, Map.of(), "default",
                false, DType.F64);
        var digits = new Data("digits", data.train(), data.test(), Digits.SIDE, Digits.SIDE);
        var trainer = new Trainer(model, digits, run, Options.DEFAULT);   // in memory: no run folder
        try {
            trainer.train(new Trainer.Listener() {
                @Override
                public void finished(Trainer.Epoch epoch) { progress.accept(epoch(epoch)); }
            }, () -> false);
        } catch (IOException e) { // a trainer without a folder reads and writes no file
            throw new UncheckedIOException(e);
        }
        List<Trainer.Epoch> history = trainer.history();
        return epoch(history.get(history.size() - 1));
    }

    private static Epoch epoch(Trainer.Epoch e) { return new Epoch(e.epoch(), e.train(), e.heldOut().get("test_accuracy")); }

    /** Glorot's normal initialisation: std sqrt(2 / (fan in + fan out)) keeps activations and gradients at scale. */
    static Tensor glorot(int fanIn, int fanOut, Random random) {
        return Tensor.normal(Shape.of(fanIn, fanOut), 0, Math.sqrt(2.0 / (fanIn + fanOut)), random);
    }
}
