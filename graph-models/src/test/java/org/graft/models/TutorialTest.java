package org.graft.models;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import org.graft.core.Node;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Function;
import org.graft.dsl.Graft;
import org.graft.dsl.Program;
import org.graft.models.data.Dataset;
import org.graft.models.data.Digits;

/** The last step of docs/language.md's tutorial, as written there: the bundled mlp.graft trained from Java. */
class TutorialTest {

    @Test
    void theTutorialsJavaLoopTrainsTheBundledMlpOnTheDigits() throws IOException {
        String source;
        try (InputStream in = getClass().getResourceAsStream("/org/graft/models/sources/mlp.graft")) {
            source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // from here on, the tutorial's code
        Program mlp = Graft.compile("mlp.graft", source);
        mlp.initialize(0, Map.of("d", 64, "k", 10));              // params from their initializers, seed 0
        Node loss = mlp.objective().orElseThrow().cost();
        Function step = Compiler.compile(mlp.inputs(), List.of(loss), mlp.updates());
        Function predict = Compiler.compile(List.of(mlp.inputs().get(0)), List.of(mlp.outputs().get("logits")));

        Dataset.Split data = Digits.load().split(0.2, 1);
        var random = new Random(1);
        for (int epoch = 1; epoch <= 10; epoch++) {
            for (Dataset batch : data.train().batches(64, random)) step.call(batch.features(), batch.targets());
        }
        double accuracy = DigitsMlp.accuracy(predict.call(data.test().features()).get(0), data.test());
        assertTrue(accuracy > 0.95, "test accuracy " + accuracy);
    }
}
