package org.graft.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.graft.core.GraftException;
import org.graft.core.Graph;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;
import org.graft.dsl.Graft;
import org.graft.dsl.Program;
import org.graft.models.io.AtomicFile;
import org.graft.models.train.TrainedRun;
import org.graft.onnx.Onnx;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code graft export FILE --from RUN_DIR --out MODEL.onnx}: the trained model as an ONNX file. */
@Command(name = "export",
        description = {"Writes the inference graph of FILE as an ONNX model (opset " + Onnx.OPSET + "), with the params of a training run.",
                "",
                "The model computes the outputs of FILE that do not read the targets y (for a classifier its logits), or the "
                        + "bindings named with --output; --input NAME makes a binding an input of the model in its place (the "
                        + "decoder of the vae: --input mu --output recon). The graph is rewritten as graft eval runs it; its "
                        + "batch dim stays symbolic, its inputs and outputs keep their names, and each node's doc_string is "
                        + "the position of the expression it computes. An op that ONNX has no equivalent for (a random op in "
                        + "the path, a scan) is an error at its position.",
                "",
                "With --from, the params are the run's (its best.npz after a run with --valid, else its checkpoint.npz), "
                        + "and the run's --set values and dtype apply; without it, the params take their initializers' values "
                        + "under --seed."})
final class ExportCommand implements Callable<Integer> {

    @Mixin
    SourceFile source;

    @Option(names = "--from", paramLabel = "RUN_DIR", description = "The folder of a graft train run whose params to export.")
    Path from;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The ONNX file to write.")
    Path out;

    @Option(names = "--output", paramLabel = "NAME",
            description = "A binding to export as an output of the model (default: the outputs that do not read y). Repeatable.")
    List<String> outputs = new ArrayList<>();

    @Option(names = "--input", paramLabel = "NAME", description = "A binding that becomes an input of the model in its place. Repeatable.")
    List<String> cuts = new ArrayList<>();

    @Option(names = "--dtype", paramLabel = "DTYPE", description = "f32 or f64: the model's dtype (default: the run's, else as written).")
    String dtype;

    @Mixin
    SetOptions set;

    @Mixin
    SeedOption seed;

    @Mixin
    RewriteOptions rewriting;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Options options = rewriting.options();
        DType forced = dtype == null ? null : TrainCommand.dtype(dtype, spec);
        SourceFile.Source text = source.read();
        var values = new LinkedHashMap<String, Tensor>();
        TrainedRun run = null;
        if (from != null) {
            run = TrainedRun.read(from, "--from " + from);
            if (!run.settings().source().equals(text.text())) {
                throw new GraftException("--from " + from + ": the run trained another source than " + text.name()
                        + " (its run.json holds the source it trained)");
            }
            for (var s : run.settings().set().entrySet()) values.put(s.getKey(), Json.parse(s.getKey(), s.getValue()));
            if (forced == null) forced = TrainCommand.dtype(run.settings().dtype(), spec);
        }
        for (var s : set.values().entrySet()) {
            if (values.put(s.getKey(), s.getValue()) != null) {
                throw new ParameterException(spec.commandLine(), "--set " + s.getKey() + ": the run in " + from + " sets it already");
            }
        }
        if (run != null) {
            // the params by name, as --set values, so that they take the program's dtype and fix its symbolic dims
            for (Param p : Graft.compile(text.name(), text.text(), values, forced).params()) {
                Tensor trained = run.params().get(p.label());
                if (trained == null) throw new GraftException("--from " + from + ": " + run.file().getFileName() + " holds no param " + p.label());
                values.put(p.label(), trained);
            }
        }
        Program program = Graft.compile(text.name(), text.text(), values, forced);
        List<String> exported = outputs.isEmpty() ? inferenceOutputs(program) : outputs;
        program.initialize(seed.seed);
        byte[] model = Onnx.export(program, exported, cuts, options);
        AtomicFile.write(out, o -> o.write(model));
        Node first = program.bindings().getOrDefault(exported.get(0), program.outputs().get(exported.get(0)));
        spec.commandLine().getOut().println("wrote " + out + ": " + String.join(", ", exported) + " of " + text.name() + " in "
                + first.type().dtype() + ", opset " + Onnx.OPSET);
        return 0;
    }

    /**
     * The program's outputs that a deployed model computes: those that do not read the input
     * {@value ProgramModel#TARGETS}, which holds the targets only training has.
     */
    private static List<String> inferenceOutputs(Program program) {
        var names = new ArrayList<String>();
        for (Map.Entry<String, Node> o : program.outputs().entrySet()) {
            boolean readsTargets = Graph.topologicalOrder(List.of(o.getValue())).stream()
                    .anyMatch(n -> n instanceof org.graft.core.Input in && in.label().equals(ProgramModel.TARGETS));
            if (!readsTargets) names.add(o.getKey());
        }
        if (names.isEmpty()) {
            throw new GraftException(program.file() + ": no output to export: "
                    + (program.outputs().isEmpty() ? "it has no output statement" : "every output reads the targets " + ProgramModel.TARGETS)
                    + "; name the bindings to export with --output NAME");
        }
        return names;
    }
}
