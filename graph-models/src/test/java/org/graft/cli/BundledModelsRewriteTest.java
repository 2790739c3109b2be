package org.graft.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import net.jqwik.api.Example;

import org.graft.core.Graph;
import org.graft.core.Node;
import org.graft.core.grad.GradTable;
import org.graft.core.rewrite.Phase;
import org.graft.core.rewrite.Rewriter;
import org.graft.core.runtime.Options;
import org.graft.dsl.Graft;
import org.graft.dsl.Program;

/**
 * Rewriting makes no bundled model's graphs bigger: neither its training step (the cost and
 * the optimizer's updates, as {@code Compiler.compile} gets them) nor its gradient (of the
 * cost with respect to every param), with the standard phases or with any one alone.
 */
class BundledModelsRewriteTest {

    /** Sizes for the models' symbolic dims: a batch of 4 digits. */
    private static final Map<String, Integer> DIMS = Map.of("n", 4, "d", 64, "k", 10);

    /** A bundled model with an objective, compiled and initialized. */
    private static List<Program> trainable() {
        var programs = new ArrayList<Program>();
        for (BundledModels.Model m : BundledModels.all()) {
            Program p = Graft.compile(m.fileName(), BundledModels.source(m));
            if (p.objective().isEmpty()) continue;
            p.initialize(0, DIMS); // the optimizer's state takes the params' shapes
            programs.add(p);
        }
        return programs;
    }

    /** The cost and the value of every update. */
    static List<Node> trainingStep(Program p) {
        var roots = new ArrayList<Node>(List.of(p.objective().orElseThrow().cost()));
        roots.addAll(p.updates().values());
        return roots;
    }

    /** d cost / d param for every trained param. */
    static List<Node> gradient(Program p) { return GradTable.grad(p.objective().orElseThrow().cost(), p.trainedParams()); }

    /** The number of nodes of the graph of {@code roots} as written, rewritten by the standard phases, and by each alone. */
    static Map<String, Integer> nodeCounts(List<Node> roots) {
        var counts = new LinkedHashMap<String, Integer>();
        counts.put("as written", size(roots));
        counts.put("standard phases", size(Rewriter.of(Options.DEFAULT.phases()).rewrite(roots).roots()));
        for (Phase p : Rewriter.standard()) counts.put(p.name() + " alone", size(Rewriter.of(List.of(p)).rewrite(roots).roots()));
        return counts;
    }

    private static int size(List<Node> roots) { return Graph.topologicalOrder(roots).size(); }

    @Example
    void rewritingMakesNoBundledModelsTrainingStepOrGradientBigger() {
        List<Program> programs = trainable();
        assertFalse(programs.isEmpty());
        for (Program p : programs) {
            for (List<Node> graph : List.of(trainingStep(p), gradient(p))) {
                Map<String, Integer> counts = nodeCounts(graph);
                int written = counts.get("as written");
                assertTrue(counts.values().stream().allMatch(n -> n <= written), () -> p.file() + ": " + counts);
            }
        }
    }

    @Example
    void mergingAndFoldingAloneShrinkTheMlpsTrainingStep() {
        Program mlp = trainable().stream().filter(p -> p.file().equals("mlp.graft")).findFirst().orElseThrow();
        Map<String, Integer> counts = nodeCounts(trainingStep(mlp));
        assertTrue(counts.get("canonicalize alone") < counts.get("as written"), counts::toString);
    }
}
