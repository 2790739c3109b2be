package org.graft.spark;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.graft.core.tensor.Tensor;
import org.graft.models.train.StepEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Local SGD with parameter averaging, on the bundled mlp and the digits. */
class AveragingEngineTest {
    static StepEngine.Cluster onePartition, twoPartitions;

    @BeforeAll
    static void start() {
        // one Spark context: the second connection joins the first's
        onePartition = new SparkSteps().connect(new StepEngine.Request("local[2]", 1, 2, null));
        twoPartitions = new SparkSteps().connect(new StepEngine.Request("local[2]", 2, 2, null));
    }

    @AfterAll
    static void stop() { twoPartitions.close(); }

    /** With one partition there is one replica, whose steps are the batch's and whose average is itself. */
    @Test
    void onOnePartitionLocalSgdIsTheStepsOfOneMachine() throws IOException {
        var initial = new LinkedHashMap<String, Tensor>();
        Map<String, Tensor> local = SyncEngineTest.trained(null, initial);
        Map<String, Tensor> averaged = SyncEngineTest.trained(onePartition, new LinkedHashMap<>());
        for (String name : local.keySet()) {
            double scale = SyncEngineTest.maxAbs(local.get(name).toArray());
            // an average multiplies by the examples and divides by them again: a rounding each, carried by Adam
            double differs = SyncEngineTest.maxAbsDifference(local.get(name), averaged.get(name)) / scale;
            assertTrue(differs <= 1e-12, name + ": local SGD on one partition differs by " + differs + " of its largest value");
        }
    }

    /** With two partitions the replicas step apart and are averaged: the params move as far, but not the same way. */
    @Test
    void onTwoPartitionsTheAverageMovesAsFarButElsewhere() throws IOException {
        var initial = new LinkedHashMap<String, Tensor>();
        Map<String, Tensor> local = SyncEngineTest.trained(null, initial);
        Map<String, Tensor> averaged = SyncEngineTest.trained(twoPartitions, new LinkedHashMap<>());
        Tensor w = initial.get("W1");
        double movedLocal = SyncEngineTest.maxAbsDifference(local.get("W1"), w);
        double movedAveraged = SyncEngineTest.maxAbsDifference(averaged.get("W1"), w);
        double apart = SyncEngineTest.maxAbsDifference(local.get("W1"), averaged.get("W1"));
        assertTrue(movedAveraged > movedLocal / 4 && movedAveraged < movedLocal * 4,
                "W1 moved by " + movedAveraged + " against " + movedLocal + " on one machine");
        assertTrue(apart > 1e-6 * movedLocal, "local SGD on two partitions computed one machine's steps: " + apart);
    }
}
