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
        for (String name : List.of("xor", "sine", "donut", "lorenz", "sine-seq")) {
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

    @Test
    void theLorenzFieldVanishesAtItsThreeFixedPoints() {
        double r = Math.sqrt(8.0 / 3 * 27);   // C± = (±√(β(ρ-1)), ±√(β(ρ-1)), ρ-1)
        for (double[] p : List.of(new double[] {0, 0, 0}, new double[] {r, r, 27}, new double[] {-r, -r, 27})) {
            assertArrayEquals(new double[] {0, 0, 0}, Synthetic.lorenzField(p), 1e-12);
        }
        assertArrayEquals(new double[] {10, 23, -6}, Synthetic.lorenzField(new double[] {1, 2, 3}), 1e-15);   // (σ(2-1), 1(ρ-3)-2, 1·2-3β)
    }

    /**
     * Over a fixed interval the classical Runge-Kutta method's error falls as dt⁴: halving the step
     * divides it by about 16, against a solution with a step 50 times finer.
     */
    @Test
    void rungeKuttaOnTheLorenzSystemConvergesAtOrderFour() {
        double[] start = {1, 1, 20};
        double[] fine = integrate(start, 0.0002, 2500);   // 0.5 time units
        double coarse = distance(integrate(start, 0.01, 50), fine);
        double half = distance(integrate(start, 0.005, 100), fine);
        double quarter = distance(integrate(start, 0.0025, 200), fine);
        assertTrue(coarse > 1e-8, "an error to measure: " + coarse);
        for (double ratio : new double[] {coarse / half, half / quarter}) {
            assertTrue(ratio > 13 && ratio < 19, "error ratios " + coarse / half + ", " + half / quarter + ", expected about 16");
        }
    }

    private static double[] integrate(double[] p, double dt, int steps) {
        for (int s = 0; s < steps; s++) p = Synthetic.rk4(Synthetic::lorenzField, p, dt);
        return p;
    }

    private static double distance(double[] a, double[] b) {
        return Math.sqrt(Math.pow(a[0] - b[0], 2) + Math.pow(a[1] - b[1], 2) + Math.pow(a[2] - b[2], 2));
    }

    @Test
    void lorenzIsOneStepPredictionOf256And64TrajectoriesOf100RungeKuttaSteps() throws IOException {
        Data lorenz = DataSets.load("lorenz");
        assertEquals(List.of(256, 64), List.of(lorenz.train().size(), lorenz.test().size()));
        for (Dataset part : List.of(lorenz.train(), lorenz.test())) {
            assertTrue(part.isSequences() && part.isNextStep());
            assertArrayEquals(new int[] {100, part.size(), 3}, part.features().shape().dims());
            assertArrayEquals(new int[] {100, part.size(), 3}, part.targets().shape().dims());
            for (int i = 0; i < part.size(); i++) {
                for (int t = 0; t < 100; t++) {
                    double[] p = new double[3], next = new double[3];
                    for (int c = 0; c < 3; c++) {
                        p[c] = 20 * part.features().get(t, i, c);
                        next[c] = 20 * part.targets().get(t, i, c);
                        if (t < 99) assertEquals(part.targets().get(t, i, c), part.features().get(t + 1, i, c));   // y[t] = x[t + 1]
                    }
                    // the target is one RK4 step of 0.01 on from the point, both scaled by 1/20
                    assertArrayEquals(Synthetic.rk4(Synthetic::lorenzField, p, 0.01), next, 1e-12 * 50);
                }
            }
        }
    }

    /** After the burn-in every point is on the attractor: within its bounds, z averaging about 23.5 (Lorenz's figure) / 20. */
    @Test
    void lorenzPointsLieOnTheAttractorScaledToOrderOne() throws IOException {
        Dataset train = DataSets.load("lorenz").train();
        double zSum = 0;
        for (int t = 0; t < 100; t++) {
            for (int i = 0; i < train.size(); i++) {
                double x = train.features().get(t, i, 0), y = train.features().get(t, i, 1), z = train.features().get(t, i, 2);
                assertTrue(Math.abs(x) < 1.1 && Math.abs(y) < 1.5 && z > 0 && z < 2.6, "a point off the attractor: " + x + ", " + y + ", " + z);
                zSum += z;
            }
        }
        double zMean = zSum / (100 * train.size());
        assertTrue(zMean > 1.1 && zMean < 1.25, "mean z " + zMean);
    }

    @Test
    void sineSequencesAreNoisyReadingsWithTheCleanNextStepAsTarget() throws IOException {
        Data sines = DataSets.load("sine-seq");
        assertEquals(List.of(256, 64), List.of(sines.train().size(), sines.test().size()));
        Dataset train = sines.train();
        assertArrayEquals(new int[] {100, 256, 1}, train.features().shape().dims());
        assertTrue(train.isNextStep());
        double squares = 0;
        for (int i = 0; i < train.size(); i++) {
            // a clean sine of frequency ω satisfies s(t+1) + s(t-1) = 2 cos ω s(t): fit 2 cos ω by least squares
            double num = 0, den = 0;
            for (int t = 1; t < 99; t++) {
                num += (train.targets().get(t + 1, i, 0) + train.targets().get(t - 1, i, 0)) * train.targets().get(t, i, 0);
                den += train.targets().get(t, i, 0) * train.targets().get(t, i, 0);
            }
            double twoCos = num / den;
            assertTrue(twoCos >= 2 * Math.cos(0.3) && twoCos <= 2 * Math.cos(0.1), "2 cos ω = " + twoCos);
            for (int t = 1; t < 99; t++) {
                double s = train.targets().get(t, i, 0);
                assertEquals(twoCos * s, train.targets().get(t + 1, i, 0) + train.targets().get(t - 1, i, 0), 1e-12);
                assertTrue(Math.abs(s) <= 1);
            }
            // x[t] reads s(t), which is y[t - 1], with noise
            for (int t = 1; t < 100; t++) squares += Math.pow(train.features().get(t, i, 0) - train.targets().get(t - 1, i, 0), 2);
        }
        double std = Math.sqrt(squares / (256 * 99));
        assertTrue(std > 0.098 && std < 0.102, "noise std " + std + ", expected 0.1");
    }
}
