package org.graft.cli;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.graft.core.rewrite.Phase;
import org.graft.core.rewrite.Rewriter;
import org.graft.core.runtime.Options;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code -O0} and {@code --skip PHASE}: whether the graph is rewritten before it is shown or
 * run, and which phases are left out. A phase name that does not exist is a usage error
 * (exit 2) listing the phases.
 */
final class RewriteOptions {

    /** The names of the standard rewrite phases, in the order they run, for the help. */
    static final class PhaseNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() { return names().iterator(); }
    }

    @Option(names = "-O0", description = "Do not rewrite the graph.")
    boolean noRewrites;

    @Option(names = "--skip", paramLabel = "PHASE", completionCandidates = PhaseNames.class,
            description = "Leaves out the rewrite phase PHASE, one of: ${COMPLETION-CANDIDATES}. Repeatable.")
    List<String> skipped = new ArrayList<>();

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** The options these flags give. */
    Options options() {
        Options options = Options.DEFAULT;
        for (String name : skipped) {
            try {
                options = options.without(name);
            } catch (IllegalArgumentException e) { // a usage error: exit 2, before the program is read
                throw new ParameterException(spec.commandLine(), "--skip " + name + ": " + e.getMessage());
            }
        }
        return noRewrites ? Options.NONE : options;
    }

    /** These flags as a run's settings record them: {@code -O0}, {@code default}, or the phases left out. */
    String describe() {
        if (noRewrites) return "-O0";
        return skipped.isEmpty() ? "default" : "--skip " + String.join(" --skip ", skipped);
    }

    private static List<String> names() { return Rewriter.standard().stream().map(Phase::name).toList(); }
}
