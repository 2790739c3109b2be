package org.graft.cli;

import static org.graft.cli.Run.graft;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import net.jqwik.api.Example;

import org.graft.core.Dim;
import org.graft.core.Graph;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.dsl.Graft;
import org.graft.dsl.Program;
import org.graft.ops.Ops;

class BundledModelsTest {

    private static final String MLP = "A ReLU perceptron for classes: one hidden layer, softmax cross-entropy";

    @Example
    void modelsListsEachBundledModelWithItsFirstCommentLine() {
        Run run = graft("models");
        assertEquals(0, run.status());
        List<String> lines = run.out().lines().toList();
        assertEquals(List.of("cae", "dae", "donut", "lenet", "lenet_digits", "logistic", "lstm", "mlp", "mlp_labels", "mlp_tanh", "newton",
                        "rbm", "rnn", "sine", "vae", "xor"),
                lines.stream().map(l -> l.split(" ")[0]).toList());
        assertTrue(lines.contains(String.format("%-14s", "mlp") + MLP), run.out());   // names padded to the longest, lenet_digits
    }

    @Example
    void theBundledModelsAreFoundByListingTheirFolder() {
        assertEquals(16, BundledModels.all().size());
        assertTrue(BundledModels.all().contains(new BundledModels.Model("mlp", MLP)));
    }

    @Example
    void aModelIsFoundWithOrWithoutItsExtension() {
        assertEquals(Optional.of(new BundledModels.Model("mlp", MLP)), BundledModels.find("mlp"));
        assertEquals(Optional.of(new BundledModels.Model("mlp", MLP)), BundledModels.find("mlp.graft"));
        assertEquals(Optional.empty(), BundledModels.find("mlp.graft.graft"));
        assertEquals(Optional.empty(), BundledModels.find("gan"));
    }

    @Example
    void theDescriptionIsTheFirstCommentLineWithoutItsHashes() {
        assertEquals("a model", BundledModels.description("\n   ## a model  \n# second\nx = 1"));
        assertEquals("", BundledModels.description("input x: [3]\n"));
        assertEquals("", BundledModels.description("#\n# second"));
    }

    private static SourceFile.Source read(String file) {
        var source = new SourceFile();
        source.file = file;
        return source.read();
    }

    @Example
    void fileAcceptsABundledModelsNameWhichDiagnosticsCallByItsFileName() {
        SourceFile.Source mlp = read("mlp");
        assertEquals("mlp.graft", mlp.name());
        assertTrue(mlp.text().startsWith("# " + MLP + "\n#\n"), mlp.text());
        assertEquals(mlp, read("mlp.graft"));
    }

    @Example
    void aFileIsReadUnderTheNameItWasGiven() throws IOException {
        Path dir = Files.createTempDirectory("graft-models-test");
        Path file = Files.writeString(dir.resolve("tiny.graft"), "# tiny\ninput x: []\n");
        try {
            assertEquals(new SourceFile.Source(file.toString(), "# tiny\ninput x: []\n"), read(file.toString()));
        } finally {
            Files.delete(file);
            Files.delete(dir);
        }
    }

    @Example
    void aPathThatExistsWinsOverABundledModel() throws IOException {
        // relative to the working directory, as a user would type it
        Path here = Path.of("mlp.graft");
        assertTrue(Files.notExists(here), "a file " + here.toAbsolutePath() + " is in the way");
        Files.writeString(here, "# mine\n");
        try {
            assertEquals(new SourceFile.Source("mlp.graft", "# mine\n"), read("mlp.graft"));
            assertEquals("mlp.graft", read("mlp").name());    // the bare name still means the bundled one
        } finally {
            Files.delete(here);
        }
    }

    @Example
    void aDirectoryNamedAfterAModelIsNoSourceButTheModelIsStillFound() throws IOException {
        // a run's folder, runs/mlp_tanh or ./mlp_tanh, is often named after its model
        Path here = Path.of("mlp");
        assertTrue(Files.notExists(here), "a file " + here.toAbsolutePath() + " is in the way");
        Path other = Path.of("no-model-here");
        Files.createDirectory(here);
        Files.createDirectory(other);
        try {
            assertEquals("mlp.graft", read("mlp").name());
            var e = assertThrows(DataError.class, () -> read("no-model-here"));
            assertEquals("no-model-here: expected a .graft file or the name of a bundled model, found a directory"
                    + " (graft models lists the bundled models)", e.getMessage());
        } finally {
            Files.delete(here);
            Files.delete(other);
        }
    }

    @Example
    void aNameThatIsNoPathAtAllIsLookedUpAsAModel() {
        var e = assertThrows(DataError.class, () -> read("nul\0name"));
        assertEquals("no such file or bundled model: nul\0name (graft models lists the bundled models)", e.getMessage());
    }

    /** Each bundled model's objective, at a small size, against finite differences. */
    @Example
    void everyBundledModelsGradientPassesTheGradientCheck() {
        String x6 = "x=[[0.1, 0.9, 0.4, 0.0, 1.0, 0.6], [0.7, 0.2, 0.5, 0.3, 0.8, 0.1], [0.0, 0.4, 0.9, 1.0, 0.2, 0.5]]";
        String x2 = "x=[[0, 1], [1, 0], [1, 1]]";
        String y1 = "y=[[1], [1], [0]]";
        var cases = List.of(
                List.of("mlp", "--set", x6, "--set", "y=[[1, 0], [0, 1], [1, 0]]", "--set", "hidden=3"),
                List.of("logistic", "--set", x6, "--set", "y=[[1, 0], [0, 1], [1, 0]]", "--set", "W=" + matrix(6, 2, 0.23)),
                // W2 starts at zeros, as the tutorial's, which would leave W1's gradient 0: the check sets it
                List.of("mlp_tanh", "--set", x6, "--set", "y=[[1, 0], [0, 1], [1, 0]]", "--set", "hidden=3",
                        "--set", "W2=" + matrix(3, 2, 0.31)),
                // b2's value gives k, the number of classes, which graft train takes from the data
                List.of("mlp_labels", "--set", x6, "--set", "y=[2, 0, 1]", "--set", "hidden=3", "--set", "b2=[0, 0, 0]"),
                List.of("xor", "--set", x2, "--set", y1),
                List.of("donut", "--set", x2, "--set", y1),
                List.of("sine", "--set", "x=[[0.5], [2], [4]]", "--set", "y=[[0.4], [0.9], [-0.7]]"),
                List.of("dae", "--set", x6, "--set", "hidden=3"),
                List.of("cae", "--set", x6, "--set", "hidden=3"),
                List.of("rbm", "--set", x6, "--set", "hidden=3", "--set", "k=2"),
                List.of("vae", "--set", x6, "--set", "hidden=3", "--set", "latent=2"),
                // W3 starts at zeros, which would leave every other gradient 0: the check sets it. Max
                // pooling is piecewise linear, and a difference whose step moves a window's maximum
                // to another element is no derivative; with these values and seed none does.
                List.of("lenet", "--set", "x=" + matrix(2, 784, 0.37), "--set", "y=[2, 0]", "--set", "b3=[0, 0, 0]",
                        "--set", "W3=" + matrix(500, 3, 0.11), "--seed", "1"),
                List.of("lenet_digits", "--set", "x=" + matrix(3, 64, 0.37), "--set", "y=[2, 0, 1]", "--set", "b3=[0, 0, 0]",
                        "--set", "W3=" + matrix(64, 3, 0.11), "--seed", "1"),
                // sequences [t, n, d] of 4 steps; Wy starts near zero, so the check sets it
                List.of("rnn", "--set", "x=" + sequences(4, 2, 3, 0.37), "--set", "y=" + sequences(4, 2, 3, 0.53), "--set", "hidden=3",
                        "--set", "Wy=" + matrix(3, 3, 0.29)),
                List.of("lstm", "--set", "x=" + sequences(4, 2, 3, 0.37), "--set", "y=" + sequences(4, 2, 3, 0.53), "--set", "hidden=3",
                        "--set", "Wy=" + matrix(3, 3, 0.29)));
        assertEquals(trainable().size(), cases.size(), "a case for every bundled model that trains");
        for (List<String> c : cases) {
            var args = new ArrayList<>(List.of("gradcheck"));
            args.addAll(c);
            Run run = graft(args.toArray(new String[0]));
            assertEquals(0, run.status(), c.get(0) + ": " + run.out() + run.err());
        }
    }

    /** {@code steps} matrices {@code rows x columns} as JSON, a tensor [steps, rows, columns] made as {@link #matrix} makes one. */
    private static String sequences(int steps, int rows, int columns, double stride) {
        var out = new ArrayList<String>();
        for (int t = 0; t < steps; t++) out.add(matrix(rows, columns, stride + t * 0.01));
        return "[" + String.join(", ", out) + "]";
    }

    /** A {@code rows x columns} matrix as JSON, of values spread over [-0.5, 0.5] without repeats near each other. */
    private static String matrix(int rows, int columns, double stride) {
        var out = new StringBuilder("[");
        for (int i = 0; i < rows; i++) {
            out.append(i == 0 ? "[" : ", [");
            for (int j = 0; j < columns; j++) {
                double v = Math.sin((i * columns + j) * stride + i) / 2;
                out.append(j == 0 ? "" : ", ").append(v);
            }
            out.append("]");
        }
        return out.append("]").toString();
    }

    /** The bundled models with an objective: all but the newton example, which graft eval runs. */
    private static List<BundledModels.Model> trainable() {
        var out = new ArrayList<BundledModels.Model>();
        for (BundledModels.Model model : BundledModels.all()) {
            if (Graft.compile(model.fileName(), BundledModels.source(model)).objective().isPresent()) out.add(model);
        }
        assertEquals(BundledModels.all().size() - 1, out.size(), "only newton has no objective: " + out);
        return out;
    }

    /**
     * Every node of every bundled model's training step, gradients and optimizer included, is
     * placed in the source when it is built: an error or a NaN found anywhere can be shown at a line.
     */
    @Example
    void everyNodeOfEveryBundledModelsTrainingStepHasASourcePosition() {
        for (BundledModels.Model model : trainable()) {
            Program program = Graft.compile(model.fileName(), BundledModels.source(model));
            program.initialize(0, Map.of("n", 4, "d", 16, "k", 3));
            var roots = new ArrayList<Node>(program.updates().values());
            roots.add(program.objective().orElseThrow().cost());
            roots.addAll(program.outputs().values());
            for (Node n : Graph.topologicalOrder(roots)) {
                assertTrue(n.pos().isKnown(), () -> model.name() + ": " + n + " has no position");
            }
        }
    }

    /**
     * Every bundled model's objective differentiates twice at a constant multiple of its
     * gradient's size: the gradient of the gradient's squared norm (a gradient penalty, the
     * Hessian applied to the gradient) has at most five times the nodes of the gradient.
     */
    @Example
    void everyBundledModelsSecondOrderGradientIsAConstantMultipleOfItsGradient() {
        for (BundledModels.Model model : trainable()) {
            Program program = Graft.compile(model.fileName(), BundledModels.source(model));
            Program.Objective goal = program.objective().orElseThrow();
            List<Param> params = program.params();
            List<Node> g = GradTable.grad(goal.cost(), params, GradTable.Disconnected.ZEROS);
            Node norm = g.stream().map(gi -> (Node) Ops.sum(Ops.square(gi))).reduce(Ops::add).orElseThrow();
            List<Node> h = GradTable.grad(norm, params, GradTable.Disconnected.ZEROS);
            int first = Graph.topologicalOrder(g).size(), second = Graph.topologicalOrder(h).size();
            assertTrue(second <= 5 * first, model.name() + ": the second-order gradient has " + second
                    + " nodes, the gradient " + first);
        }
    }

    /**
     * Every bundled model's training step (the cost and the updates, as graft train compiles
     * them) runs on kernels alone: no op falls back to its reference fprop, which would allocate
     * at every step. Small dims, random inputs in [0, 1).
     */
    @Example
    void everyBundledModelsTrainingStepRunsOnKernelsAlone() {
        Map<String, Integer> dims = Map.of("n", 4, "d", 16, "k", 3, "t", 5);
        for (BundledModels.Model model : trainable()) {
            Program program = Graft.compile(model.fileName(), BundledModels.source(model));
            program.initialize(0, dims);
            Program.Objective goal = program.objective().orElseThrow();
            List<Input> inputs = program.inputs();
            Function step = Compiler.compile(inputs, List.of(goal.cost()), program.updates(Ops.constant(0.01)));
            var random = Function.randomStream(1);
            var fed = new Tensor[inputs.size()];
            for (int i = 0; i < fed.length; i++) {
                int[] shape = inputs.get(i).type().dims().stream()
                        .mapToInt(d -> d instanceof Dim.Size s ? s.n() : dims.get(((Dim.Var) d).name())).toArray();
                // a vector y holds class labels, whole numbers in [0, k); anything else is drawn from [0, 1)
                boolean labels = inputs.get(i).label().equals("y") && shape.length == 1;
                fed[i] = labels ? Tensor.uniform(Shape.of(shape), 0, dims.get("k"), random).map(Math::floor)
                        : Tensor.uniform(Shape.of(shape), 0, 1, random);
            }
            step.run(fed);
            assertEquals(List.of(), step.fallbacks(), model.name());
        }
    }
}
