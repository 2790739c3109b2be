package org.graft.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.grad.GradTable;
import org.graft.core.rewrite.Rewrite;
import org.graft.core.rewrite.Rewriter;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.Tensor;
import org.graft.dsl.Graft;
import org.graft.dsl.Program;
import org.graft.models.data.Dataset;
import org.graft.models.data.Digits;
import org.graft.ops.rules.StandardRules;

/** The stabilize rules on the bundled MLP, and on the same MLP with its loss written naively. */
class StabilizeOnModelsTest {
    static final long SEED = 7;
    static final String STABLE_LOSS = "mean(softmax_cross_entropy(dropped, y))";
    static final String NAIVE_LOSS = "mean(-sum(y * log(softmax(dropped)), axis = 1))";

    /** The loss and its gradients with respect to every param, in declaration order. */
    private static List<Node> lossAndGradients(Program p) {
        Node loss = p.objective().orElseThrow().cost();
        var out = new ArrayList<Node>(List.of(loss));
        out.addAll(GradTable.grad(loss, p.params()));
        return out;
    }

    private static List<String> stabilizeRules(List<Node> roots) {
        return Rewriter.of(Rewriter.standard()).rewrite(roots).log().stream()
                .filter(r -> r.phase().equals(StandardRules.STABILIZE)).map(Rewrite::rule).distinct().toList();
    }

    private static Program compile(String name, String source) {
        Program p = Graft.compile(name, source);
        p.initialize(SEED, Map.of("d", 64, "k", 10));
        return p;
    }

    private static String mlpSource() throws IOException {
        try (InputStream in = StabilizeOnModelsTest.class.getResourceAsStream("/org/graft/models/sources/mlp.graft")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theBundledMlpNeedsNoStabilizingSinceItsLossIsAlreadyTheStableOp() throws IOException {
        Program mlp = compile("mlp.graft", mlpSource());
        assertEquals(List.of(), stabilizeRules(lossAndGradients(mlp)));
    }

    @Test
    void theMlpWithItsLossWrittenAsLogOfSoftmaxGetsTheStableLossAndFiniteGradientsAtExtremeLogits() throws IOException {
        String source = mlpSource();
        String naiveSource = source.replace(STABLE_LOSS, NAIVE_LOSS);
        assertNotEquals(source, naiveSource, "mlp.graft no longer writes its loss as " + STABLE_LOSS);
        Program mlp = compile("mlp.graft", source), naive = compile("naive.graft", naiveSource);
        List<Node> stableOut = lossAndGradients(mlp), naiveOut = lossAndGradients(naive);

        List<String> fired = stabilizeRules(naiveOut);
        assertTrue(fired.containsAll(List.of("log(softmax(x)) -> log_softmax(x)",
                "sum(t * log_softmax(z), -1) -> -softmax_cross_entropy(z, t)", "s (a/s - c) -> a - s c, s > 0")), fired.toString());

        // the same initial params in both (same seed, same declarations), with W2 made large
        // enough that the logits of a digit lie thousands apart and softmax underflows
        for (Program p : List.of(mlp, naive)) {
            Param w2 = p.params().get(2);
            w2.set(w2.value().map(v -> v * 20000));
        }
        Dataset batch = Digits.load().rows(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        List<Tensor> stable = Compiler.compile(mlp.inputs(), stableOut).call(batch.features(), batch.oneHot());
        List<Tensor> rewritten = Compiler.compile(naive.inputs(), naiveOut).call(batch.features(), batch.oneHot());
        List<Tensor> asWritten = Compiler.compile(naive.inputs(), naiveOut, Options.NONE).call(batch.features(), batch.oneHot());

        assertTrue(Double.isNaN(asWritten.get(0).item()) || Double.isInfinite(asWritten.get(0).item()),
                "as written the loss is " + asWritten.get(0).item());
        assertTrue(stable.get(0).item() > 10, "the loss " + stable.get(0).item() + " is large, as intended");
        for (int i = 0; i < stable.size(); i++) {
            assertTrue(rewritten.get(i).allClose(stable.get(i), 1e-9, 1e-12), i == 0 ? "the loss" : "d loss/d "
                    + mlp.params().get(i - 1).label());
        }
    }
}
