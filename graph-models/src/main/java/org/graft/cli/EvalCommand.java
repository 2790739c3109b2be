package org.graft.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.core.runtime.NonFiniteError;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.Tensor;
import org.graft.dsl.Program;
import org.graft.models.train.NanGuard;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code graft eval FILE}: computes the {@code output}s and prints them as one JSON object. */
@Command(name = "eval",
        description = {"Evaluates the outputs of FILE and prints them as JSON.",
                "",
                "One JSON object: for each output, in order, "
                        + "\"NAME\": {\"shape\": [d...], \"data\": [row-major numbers]}; {} for a program without outputs.",
                "",
                "Numbers are written as Java's Double.toString writes them (2.0, 1.0E-5), so they read back "
                        + "exactly; non-finite values are the strings \"NaN\", \"Infinity\" and \"-Infinity\".",
                "",
                "Every input the outputs read needs a value from --set. Params not set take their "
                        + "initializer's values, drawn from --seed. The outputs are computed from the rewritten "
                        + "graph, as graft print shows it; -O0 computes them from the graph as written."})
final class EvalCommand implements Callable<Integer> {

    @Mixin
    SourceFile source;

    @Mixin
    SetOptions set;

    @Mixin
    SeedOption seed;

    @Mixin
    RewriteOptions rewriting;

    @Mixin
    NanGuardOption nanGuard;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Options options = rewriting.options(); // a wrong --skip is a usage error before anything runs
        Map<String, Tensor> values = set.values();
        Program program = source.compile(values);
        Map<String, Node> outputs = program.outputs();
        var results = new LinkedHashMap<String, Tensor>();
        if (!outputs.isEmpty()) {
            Map<Input, Tensor> feed = ProgramGraph.feed(program, outputs.values());
            program.initialize(seed.seed);
            Function function = Compiler.compile(List.copyOf(feed.keySet()), List.copyOf(outputs.values()), options)
                    .seed(seed.seed).guardNonFinite(nanGuard.on);
            List<Tensor> computed;
            try {
                computed = function.call(feed);
            } catch (NonFiniteError e) {
                throw NanGuard.stopped(e, "the evaluation; no output was printed");
            }
            int i = 0;
            for (String name : outputs.keySet()) results.put(name, computed.get(i++));
        }
        Json.write(results, spec.commandLine().getOut());
        return 0;
    }
}
