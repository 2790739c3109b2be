package org.graft.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.dsl.Graft;
import org.graft.dsl.Program;
import org.graft.ops.Ops;

/** The lecture notes' claims about the bundled models, as properties over random weights and inputs. */
class LectureNotesTest {

    /** A tied-weight sigmoid autoencoder with a linear decoder, and its energy, in the notes' notation (W is [hidden, d]). */
    private static final String AUTOENCODER = """
            input x: [n, d]
            input W: [h, d]
            input bh: [h]
            input br: [d]
            s = x @ W.T + bh
            E = sum(softplus(s)) - 0.5 * sum((x - br)^2)
            r = sigmoid(s) @ W + br
            dE = grad(E, x)
            energy = sum(softplus(s), axis = -1) + x @ br
            output dE, r, energy
            """;

    @Property(tries = 60)
    void theGradientOfATiedAutoencodersEnergyIsItsReconstructionMinusItsInput(
            @ForAll @IntRange(min = 1, max = 4) int n, @ForAll @IntRange(min = 1, max = 6) int d,
            @ForAll @IntRange(min = 1, max = 6) int hidden, @ForAll long seed) {
        var random = new SplittableRandom(seed);
        Map<String, Tensor> values = autoencoder(n, d, hidden, random, false);
        List<Tensor> out = evaluate(Graft.compile("ae.graft", AUTOENCODER, values));
        Tensor x = values.get("x");
        // rows do not interact, so the gradient of the summed energy is each row's gradient
        for (int i = 0; i < x.size(); i++) {
            double expected = out.get(1).getFlat(i) - x.getFlat(i);
            assertEquals(expected, out.get(0).getFlat(i), 1e-12 * Math.max(1, Math.abs(expected)), "element " + i);
        }
    }

    @Property(tries = 40)
    void onBinaryInputsTheAutoencodersEnergyIsTheRbmsNegativeFreeEnergy(
            @ForAll @IntRange(min = 1, max = 4) int n, @ForAll @IntRange(min = 1, max = 6) int d,
            @ForAll @IntRange(min = 1, max = 6) int hidden, @ForAll long seed) throws IOException {
        var random = new SplittableRandom(seed);
        Map<String, Tensor> ae = autoencoder(n, d, hidden, random, true);
        Tensor energy = evaluate(Graft.compile("ae.graft", AUTOENCODER, ae)).get(2);

        // the bundled RBM with the same weights: its W is the autoencoder's transposed, bv is br and bh is bh
        var rbm = new LinkedHashMap<String, Tensor>();
        rbm.put("x", ae.get("x"));
        rbm.put("W", transpose(ae.get("W")));
        rbm.put("bv", ae.get("br"));
        rbm.put("bh", ae.get("bh"));
        rbm.put("hidden", Tensor.scalar(hidden));
        Program program = Graft.compile("rbm.graft", bundled("rbm"), rbm);
        program.initialize(1, Map.of("n", n));
        Node freeEnergy = program.bindings().get("F");
        Tensor f = Compiler.compile(List.of(input(program, "x")), List.of(freeEnergy), Options.NONE).call(ae.get("x")).get(0);
        for (int i = 0; i < n; i++) {
            assertEquals(energy.getFlat(i), -f.getFlat(i), 1e-12 * Math.max(1, Math.abs(energy.getFlat(i))), "row " + i);
        }
    }

    @Property(tries = 30)
    void theContractivePenaltyIsTheSquaredFrobeniusNormOfTheEncodersJacobian(
            @ForAll @IntRange(min = 1, max = 3) int n, @ForAll @IntRange(min = 1, max = 5) int d,
            @ForAll @IntRange(min = 1, max = 5) int hidden, @ForAll long seed) throws IOException {
        var random = new SplittableRandom(seed);
        var values = new LinkedHashMap<String, Tensor>();
        values.put("x", uniform(random, false, n, d));
        values.put("W", normal(random, d, hidden));
        values.put("bh", normal(random, hidden));
        values.put("hidden", Tensor.scalar(hidden));
        Program cae = Graft.compile("cae.graft", bundled("cae"), values);
        cae.initialize(1);
        Input x = input(cae, "x");
        Node h = cae.bindings().get("h");

        // dh/dx one hidden unit at a time: grad(sum_n h[n, j], x)[n, i] = dh_nj / dx_ni, rows being independent
        var outputs = new ArrayList<Node>();
        outputs.add(cae.bindings().get("jacobian"));
        for (int j = 0; j < hidden; j++) {
            double[] unit = new double[hidden];
            unit[j] = 1;
            Node hj = Ops.sum(Ops.mul(h, Ops.constant(Tensor.vector(unit))));
            outputs.add(GradTable.grad(hj, List.of(x)).get(0));
        }
        List<Tensor> out = Compiler.compile(List.of(x), outputs, Options.NONE).call(values.get("x"));
        double frobenius = 0;
        for (int j = 1; j <= hidden; j++) for (int k = 0; k < n * d; k++) frobenius += Math.pow(out.get(j).getFlat(k), 2);
        double penalty = out.get(0).item();
        assertEquals(frobenius / n, penalty, 1e-12 * Math.max(1, penalty));
        assertTrue(penalty > 0);
    }

    private static Map<String, Tensor> autoencoder(int n, int d, int hidden, SplittableRandom random, boolean binary) {
        var values = new LinkedHashMap<String, Tensor>();
        values.put("x", uniform(random, binary, n, d));
        values.put("W", normal(random, hidden, d));
        values.put("bh", normal(random, hidden));
        values.put("br", normal(random, d));
        return values;
    }

    private static List<Tensor> evaluate(Program program) {
        var inputs = program.inputs();
        var fed = inputs.stream().map(in -> program.inputValues().get(in)).toList();
        return Compiler.compile(inputs, List.copyOf(program.outputs().values()), Options.NONE).call(fed);
    }

    private static Input input(Program program, String name) {
        return program.inputs().stream().filter(i -> i.label().equals(name)).findFirst().orElseThrow();
    }

    private static String bundled(String model) throws IOException {
        try (InputStream in = LectureNotesTest.class.getResourceAsStream("/org/graft/models/sources/" + model + ".graft")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Tensor uniform(SplittableRandom random, boolean binary, int... dims) {
        double[] v = new double[Shape.of(dims).size()];
        for (int i = 0; i < v.length; i++) v[i] = binary ? random.nextInt(2) : random.nextDouble();
        return Tensor.of(v, dims);
    }

    private static Tensor normal(SplittableRandom random, int... dims) {
        double[] v = new double[Shape.of(dims).size()];
        for (int i = 0; i < v.length; i++) v[i] = 2 * random.nextDouble() - 1;
        return Tensor.of(v, dims);
    }

    private static Tensor transpose(Tensor m) {
        int rows = m.shape().dim(0);
        int cols = m.shape().dim(1);
        double[] t = new double[rows * cols];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = m.getFlat(i * cols + j);
        return Tensor.of(t, cols, rows);
    }
}
