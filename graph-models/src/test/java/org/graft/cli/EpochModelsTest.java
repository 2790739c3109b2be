package org.graft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import net.jqwik.api.Example;

import org.graft.core.Param;
import org.graft.core.tensor.Tensor;
import org.graft.dsl.Graft;
import org.graft.dsl.Program;

/**
 * The epoch benchmark's PyTorch models ({@code bench/torch_epoch.py}) are the bundled ones:
 * each trains params of the shapes the .graft declares, in its order, with its optimizer and
 * learning rate, in the direction it does, under the consts the benchmark sets. The fixture
 * {@code torch/epoch_models.json} is the script's {@code --describe}, which also names the
 * batch and data set {@code bench/epochs.sh} gives both frameworks:
 *
 * <pre>/usr/bin/python3 bench/torch_epoch.py --describe &gt; graph-models/src/test/resources/torch/epoch_models.json</pre>
 */
class EpochModelsTest {

    /** The symbolic dims a data set gives a model: features d and classes k (the batch n is the model's). */
    private static final Map<String, Map<String, Integer>> DIMS = Map.of(
            "mnist", Map.of("d", 784, "k", 10),
            "lorenz", Map.of("d", 3));

    private static JsonObject fixture() throws IOException {
        try (InputStream in = EpochModelsTest.class.getResourceAsStream("/torch/epoch_models.json")) {
            assertNotNull(in, "no torch/epoch_models.json among the test resources");
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        }
    }

    @Example
    void theBenchmarksPyTorchModelsTrainWhatTheBundledModelsTrain() throws IOException {
        JsonObject models = fixture();
        assertEquals(List.of("mlp", "dae", "cae", "rbm", "vae", "lenet", "rnn"), List.copyOf(models.keySet()));
        for (String name : models.keySet()) {
            JsonObject torch = models.getAsJsonObject(name);
            var set = new LinkedHashMap<String, Tensor>();
            for (var e : torch.getAsJsonObject("set").entrySet()) set.put(e.getKey(), Tensor.scalar(e.getValue().getAsDouble()));
            var source = new SourceFile();
            source.file = name;
            SourceFile.Source text = source.read();
            Program program = Graft.compile(text.name(), text.text(), set);
            var dims = new LinkedHashMap<>(DIMS.get(torch.get("data").getAsString()));
            dims.put("n", torch.get("batch").getAsInt());   // the rbm's chain is a state of a batch's rows
            program.initialize(0, dims);

            var shapes = new ArrayList<List<Integer>>();
            for (Param p : program.trainedParams()) shapes.add(Arrays.stream(p.value().shape().dims()).boxed().toList());
            var expected = new ArrayList<List<Integer>>();
            for (JsonElement s : torch.getAsJsonArray("params")) {
                var shape = new ArrayList<Integer>();
                s.getAsJsonArray().forEach(d -> shape.add(d.getAsInt()));
                expected.add(shape);
            }
            assertEquals(expected, shapes, name + ": the trained params' shapes");

            Program.Objective objective = program.objective().orElseThrow();
            assertEquals(torch.get("maximize").getAsBoolean(), objective.maximize(), name + ": maximized");
            assertEquals(torch.get("optimizer").getAsString(),
                    objective.optimizer().getClass().getSimpleName().toLowerCase(Locale.ROOT), name + ": the optimizer");
            assertEquals(torch.get("lr").getAsDouble(), objective.optimizer().lr(), name + ": the learning rate");
        }
    }
}
