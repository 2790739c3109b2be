package org.graft.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.graft.core.GraftException;
import org.graft.core.Input;
import org.graft.core.check.GradCheck.Comparison;
import org.graft.core.check.GradCheck;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;
import org.graft.dsl.Program;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code graft gradcheck FILE}: the objective's symbolic gradient against finite differences, per param. */
@Command(name = "gradcheck",
        description = {"Checks the gradient of FILE's objective against finite differences.",
                "",
                "Compares the symbolic gradient of the objective (its minimize or maximize cost) with "
                        + "central finite differences, for every trained param (state set by an update statement is not trained), and prints one line per param: its name, the "
                        + "absolute and relative error, and ok or FAILED. Exits with status 1 if any fails.",
                "",
                "Each param is checked along one random direction, with its elements stepped in proportion "
                        + "to their size; a check fails only when both the absolute (1e-7) and the relative "
                        + "(1e-6) error exceed their tolerance. Every input the cost reads needs a value from "
                        + "--set; params not set take their initializer's values. --seed draws those values, "
                        + "the directions and the random ops' samples (the same at every evaluation).",
                "",
                "The cost and its gradient are checked as a training step computes them, after rewriting; -O0 "
                        + "checks the graph as written, that is, the ops' own gradients.",
                "",
                "The check runs in f64: a program written in f32 is compiled in f64 for it (finite differences "
                        + "in f32 are too coarse for these tolerances), and a first line says so."})
final class GradcheckCommand implements Callable<Integer> {

    @Mixin
    SourceFile source;

    @Mixin
    SetOptions set;

    @Mixin
    SeedOption seed;

    @Mixin
    RewriteOptions rewriting;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Options options = rewriting.options(); // a wrong --skip is a usage error before anything runs
        Map<String, Tensor> values = set.values();
        // finite differences in f32 carry errors near 1e-5, far above the tolerances: check the program in f64
        Program program = source.compile(values, DType.F64);
        Program.Objective objective = program.objective().orElseThrow(() -> new GraftException(
                program.file() + " has no objective to check: gradcheck needs a minimize or maximize statement"));
        Map<Input, Tensor> feed = ProgramGraph.feed(program, List.of(objective.cost()));
        program.initialize(seed.seed);
        List<Comparison> comparisons = GradCheck.params(objective.cost(), program.trainedParams(), feed, seed.seed,
                options);

        PrintWriter out = spec.commandLine().getOut();
        if (program.writtenDtypes().contains(DType.F32)) {
            out.println("checked in f64: " + program.file() + " is written in f32, and finite differences in f32 are too coarse");
        }
        if (comparisons.isEmpty()) out.println("no params to check");
        int width = comparisons.stream().mapToInt(c -> c.variable().length()).max().orElse(0);
        for (Comparison c : comparisons) {
            out.println(String.format(Locale.ROOT, "%-" + width + "s  abs error %.2e  rel error %.2e  %s",
                    c.variable(), c.absError(), c.relError(), c.ok() ? "ok" : "FAILED"));
        }
        List<String> failed = comparisons.stream().filter(c -> !c.ok()).map(Comparison::variable).toList();
        if (failed.isEmpty()) return 0;
        spec.commandLine().getErr().println("error: the gradient check failed for " + String.join(", ", failed));
        return 1;
    }
}
