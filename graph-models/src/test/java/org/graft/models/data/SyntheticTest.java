package org.graft.models.data;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.mean;
import static org.graft.ops.Ops.param;
import static org.graft.ops.Ops.sigmoid;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sub;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Random;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.ops.optim.Optimizer;
import org.junit.jupiter.api.Test;

class SyntheticTest {

    @Test
    void eachGeneratedSetIsTheSameOnEveryLoad() throws IOException {
        for (String name : List.of("xor", "sine", "donut")) {
            assertEquals(DataSets.load(name), DataSets.load(name), name);
        }
    }

    @Test
    void xorIsItsTruthTableAndIsTestedOnItself() throws IOException {
        Data xor = DataSets.load("xor");
        assertEquals(Tensor.matrix(new double[] {0, 0}, new double[] {0, 1}, new double[] {1, 0}, new double[] {1, 1}),
                xor.train().features());
        assertEquals(Tensor.matrix(new double[] {0}, new double[] {1}, new double[] {1}, new double[] {0}), xor.train().targets());
        assertEquals(0, xor.train().classes());
        assertEquals(xor.train(), xor.test());
        assertEquals(false, xor.isImages());
    }

    @Test
    void sineTrainsOn200NoisySamplesOfTheSineOn0To2Pi() throws IOException {
        Dataset train = DataSets.load("sine").train();
        assertArrayEquals(new int[] {200, 1}, train.features().shape().dims());
        assertArrayEquals(new int[] {200, 1}, train.targets().shape().dims());
        double sumSquares = 0;
        for (int i = 0; i < 200; i++) {
            double x = train.features().get(i, 0);
            assertTrue(x >= 0 && x < 2 * Math.PI, "x = " + x);
            double noise = train.targets().get(i, 0) - Math.sin(x);
            sumSquares += noise * noise;
        }
        double std = Math.sqrt(sumSquares / 200);
        assertTrue(std > 0.08 && std < 0.12, "the noise has std " + std + ", expected about 0.1");
    }

    @Test
    void sineIsTestedOnTheCleanSineAtEvenlySpacedPoints() throws IOException {
        Dataset test = DataSets.load("sine").test();
        assertEquals(200, test.size());
        assertEquals(0.0, test.features().get(0, 0));
        assertEquals(2 * Math.PI, test.features().get(199, 0), 1e-12);
        for (int i = 0; i < 200; i++) {
            double x = test.features().get(i, 0);
            assertEquals(2 * Math.PI * i / 199, x, 1e-12);
            assertEquals(Math.sin(x), test.targets().get(i, 0));
        }
    }

    @Test
    void donutPutsHalfItsPointsInTheDiskAndHalfInTheRingWithAGapBetween() throws IOException {
        Data donut = DataSets.load("donut");
        assertEquals(1000, donut.train().size());
        assertEquals(500, donut.test().size());
        for (Dataset part : List.of(donut.train(), donut.test())) {
            assertEquals(0, part.classes());
            assertArrayEquals(new int[] {part.size(), 1}, part.targets().shape().dims());
            assertArrayEquals(new int[] {part.size(), 2}, part.features().shape().dims());
            int ring = 0;
            for (int i = 0; i < part.size(); i++) {
                double r = Math.hypot(part.features().get(i, 0), part.features().get(i, 1));
                double t = part.targets().get(i, 0);
                if (t == 1) {
                    ring++;
                    assertTrue(r > 1.5 && r < 2.5, "ring point at radius " + r);
                } else {
                    assertEquals(0.0, t);
                    assertTrue(r < 1, "disk point at radius " + r);
                }
            }
            assertEquals(part.size() / 2, ring);
        }
        assertNotEquals(donut.train().rows(0, 1, 2, 3), donut.test().rows(0, 1, 2, 3));
    }

    @Test
    void donutPointsAreSpreadOverTheirAreas() throws IOException {
        // uniform over area: half of the disk's points within radius 1/√2, half of the ring's within √((1.5² + 2.5²)/2)
        Dataset train = DataSets.load("donut").train();
        int innerDisk = 0;
        int innerRing = 0;
        for (int i = 0; i < train.size(); i++) {
            double r = Math.hypot(train.features().get(i, 0), train.features().get(i, 1));
            if (train.targets().get(i, 0) == 0 && r < Math.sqrt(0.5)) innerDisk++;
            if (train.targets().get(i, 0) == 1 && r < Math.sqrt((1.5 * 1.5 + 2.5 * 2.5) / 2)) innerRing++;
        }
        assertTrue(innerDisk > 200 && innerDisk < 300, innerDisk + " of 500");
        assertTrue(innerRing > 200 && innerRing < 300, innerRing + " of 500");
    }

    @Test
    void aOneTenOneSigmoidNetFitsTheSine() throws IOException {
        Data sine = DataSets.load("sine");
        var random = new Random(0);
        Input x = input("x", "n", 1);
        Input t = input("t", "n", 1);
        Param W1 = param("W1", Tensor.normal(Shape.of(1, 10), 0, 1, random));
        Param b1 = param("b1", Tensor.zeros(Shape.of(10)));
        Param W2 = param("W2", Tensor.normal(Shape.of(10, 1), 0, Math.sqrt(2.0 / 11), random));
        Param b2 = param("b2", Tensor.zeros(Shape.of(1)));
        Node y = add(matmul(sigmoid(add(matmul(x, W1), b1)), W2), b2);
        Node cost = mean(square(sub(y, t)));
        Function step = Compiler.compile(List.of(x, t), List.of(cost),
                Optimizer.adam(0.01).updates(cost, List.of(W1, b1, W2, b2)));
        Function mse = Compiler.compile(List.of(x, t), List.of(cost));
        for (int i = 0; i < 2000; i++) step.call(sine.train().features(), sine.train().targets());
        // sin x has variance 1/2 over a period, so predicting its mean scores 0.5
        double error = mse.call(sine.test().features(), sine.test().targets()).get(0).item();
        assertTrue(error < 0.005, "test MSE " + error + " after 2,000 Adam steps, seed 0");
    }
}
