package org.graft.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code graft models}: the bundled models, one per line with its description. */
@Command(name = "models",
        description = {"Lists the models bundled with Graft.",
                "",
                "One per line: its name and the first comment line of its source. Any FILE argument accepts a "
                        + "bundled model's name (mlp or mlp.graft) in place of a path; a path that exists wins."})
final class ModelsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<BundledModels.Model> models = BundledModels.all();
        int width = models.stream().mapToInt(m -> m.name().length()).max().orElse(0);
        PrintWriter out = spec.commandLine().getOut();
        for (BundledModels.Model m : models) {
            out.println((String.format("%-" + width + "s  ", m.name()) + m.description()).stripTrailing());
        }
        return 0;
    }
}
