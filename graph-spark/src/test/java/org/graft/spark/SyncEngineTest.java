package org.graft.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.IntStream;

import org.graft.cli.ProgramModel;
import org.graft.core.Param;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;
import org.graft.dsl.Graft;
import org.graft.dsl.Program;
import org.graft.models.data.Data;
import org.graft.models.data.DataSets;
import org.graft.models.train.RunSettings;
import org.graft.models.train.StepEngine;
import org.graft.models.train.Trainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bundled mlp on the digits, on Spark local[2] with 2 partitions, against the same steps on one machine. */
class SyncEngineTest {
    static final int BATCH = 64, STEPS = 5;
    static final long SEED = 7;
    static StepEngine.Cluster cluster;

    @BeforeAll
    static void start() { cluster = new SparkSteps().connect(new StepEngine.Request("local[2]", 2, 0, null)); }

    @AfterAll
    static void stop() { cluster.close(); }

    static String mlp() throws IOException {
        try (InputStream in = SyncEngineTest.class.getClassLoader().getResourceAsStream("org/graft/models/sources/mlp.graft")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The digits with a training split of exactly STEPS batches: one epoch is STEPS steps. */
    static Data fiveBatches() throws IOException {
        Data digits = DataSets.load("digits");
        return new Data(digits.name(), digits.train().rows(IntStream.range(0, STEPS * BATCH).toArray()), digits.test(),
                digits.height(), digits.width());
    }

    /** The params by name after one epoch of the mlp, with its steps on {@code engines} (null: on this machine). */
    static Map<String, Tensor> trained(StepEngine.Factory engines, Map<String, Tensor> initial) throws IOException {
        String source = mlp();
        Program program = Graft.compile("mlp.graft", source);
        Data data = fiveBatches();
        var run = new RunSettings("mlp.graft", source, "digits", 1, BATCH, SEED, OptionalDouble.empty(), 1, Map.of(), "default",
                false, DType.F64);
        var trainer = new Trainer(ProgramModel.of(program, data.name()), data, run, Options.DEFAULT, null, engines);
        for (Param p : program.params()) initial.put(p.label(), p.value());
        assertEquals(STEPS, trainer.stepsPerEpoch());
        trainer.train(new Trainer.Listener() {}, () -> false);
        var values = new LinkedHashMap<String, Tensor>();
        for (Param p : program.params()) values.put(p.label(), p.value());
        return values;
    }

    @Test
    void fiveStepsOnTwoPartitionsEqualFiveStepsOnOneMachine() throws IOException {
        var initial = new LinkedHashMap<String, Tensor>();
        Map<String, Tensor> local = trained(null, initial);
        Map<String, Tensor> spark = trained(cluster, new LinkedHashMap<>());
        assertEquals(List.of("W1", "b1", "W2", "b2"), List.copyOf(local.keySet()));
        for (String name : local.keySet()) {
            double scale = maxAbs(local.get(name).toArray());
            double moved = maxAbsDifference(local.get(name), initial.get(name)) / scale;
            assertTrue(moved > 1e-3, name + " moved by only " + moved + " of its size: the test would show nothing");
            // the sums over the batch are split in two and added: a relative difference of ~1e-16 a step, carried by Adam
            double differs = maxAbsDifference(local.get(name), spark.get(name)) / scale;
            assertTrue(differs <= 1e-12, name + ": 2 partitions differ from one machine by " + differs + " of its largest value");
        }
    }

    static double maxAbs(double[] a) { return java.util.Arrays.stream(a).map(Math::abs).max().orElse(0); }

    static double maxAbsDifference(Tensor a, Tensor b) {
        double[] x = a.toArray(), y = b.toArray();
        double max = 0;
        for (int i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - y[i]));
        return max;
    }
}
