package org.graft.cli;

import java.util.ServiceLoader;

import org.graft.models.data.Data;
import org.graft.models.data.Dataset;
import org.graft.models.train.StepEngine;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code graft train}'s options for training on Apache Spark, checked together, and the
 * provider that serves them: graph-spark's, found by {@link ServiceLoader} when its jar is on the
 * class path (docs/spark.md).
 */
final class SparkOptions {

    @Option(names = "--spark", paramLabel = "MASTER",
            description = "Train on Apache Spark at MASTER (local[2], spark://HOST:7077, yarn): data-parallel SGD whose steps "
                    + "are those of one machine; run by graph-spark's jar (docs/spark.md).")
    String master;

    @Option(names = "--partitions", paramLabel = "P",
            description = "With --spark: the partitions of the training split, over which each batch is split "
                    + "(default: the cluster's default parallelism).")
    Integer partitions;

    @Option(names = "--average-every", paramLabel = "K",
            description = "With --spark: local SGD instead, each partition stepping on its share of each batch, the params "
                    + "averaged every K steps: less communication, not the steps of one machine (default: none).")
    Integer averageEvery;

    @Option(names = "--spark-train", paramLabel = "PATH",
            description = "With --spark: the training split read by Spark from the CSV files at PATH (any Hadoop file "
                    + "system path), a line an example, its features then its target, in place of --data's (default: none).")
    String trainFiles;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /**
     * The provider of {@code --spark}, after checking the options that go with it; null without
     * {@code --spark}; a usage error naming how to run the command when graft was started without
     * graph-spark on its class path.
     *
     * @param needsTrainingSplit an option given that needs the whole training split on the driver, or null
     */
    StepEngine.Provider provider(String needsTrainingSplit) {
        if (master == null) {
            if (partitions != null || averageEvery != null || trainFiles != null) {
                throw usage((partitions != null ? "--partitions" : averageEvery != null ? "--average-every" : "--spark-train")
                        + ": expected with --spark MASTER, found without");
            }
            return null;
        }
        if (partitions != null && partitions < 1) throw usage("--partitions: expected at least 1, found " + partitions);
        if (averageEvery != null && averageEvery < 1) {
            throw usage("--average-every: expected a number of steps of at least 1, found " + averageEvery);
        }
        if (trainFiles != null && needsTrainingSplit != null) {
            throw usage("--spark-train " + trainFiles + " and " + needsTrainingSplit + ": the training split stays on the "
                    + "cluster, and " + needsTrainingSplit + " needs all of it on the driver");
        }
        return ServiceLoader.load(StepEngine.Provider.class).findFirst().orElseThrow(() -> usage("--spark " + master
                + ": this graft has no Spark in it; run the same command with graph-spark's jar, e.g. spark-submit --master "
                + master + " --class org.graft.cli.GraftCli graph-spark/target/graft-spark.jar train ... --spark " + master
                + " (docs/spark.md)"));
    }

    /** What the cluster is asked for. */
    StepEngine.Request request() {
        return new StepEngine.Request(master, partitions == null ? 0 : partitions, averageEvery == null ? 0 : averageEvery,
                trainFiles);
    }

    /**
     * {@code data} with its training split replaced by {@code --spark-train}'s files, which the
     * cluster reads: the trainer holds only their first {@code batch} rows, to bind the model's shapes to.
     */
    Data filesTrained(Data data, StepEngine.Cluster engines, int batch) {
        Dataset first = engines.firstRows(data.train(), batch);
        return new Data(data.name() + " (training split: " + trainFiles + ")", first, data.test(), data.height(), data.width(),
                data.notClasses());
    }

    private ParameterException usage(String message) { return new ParameterException(spec.commandLine(), message); }
}
