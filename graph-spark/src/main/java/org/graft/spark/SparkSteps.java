package org.graft.spark;

import java.util.ArrayList;
import java.util.List;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.graft.core.GraftException;
import org.graft.models.data.Dataset;
import org.graft.models.train.StepEngine;

/**
 * {@code graft train --spark MASTER}'s provider, which {@link java.util.ServiceLoader} finds in
 * graph-spark's jar: it starts a Spark context at the master asked for (or joins the one
 * spark-submit set up) and makes the engine the options ask for.
 */
public final class SparkSteps implements StepEngine.Provider {

    @Override
    public StepEngine.Cluster connect(StepEngine.Request request) {
        var conf = new SparkConf().setAppName("graft train").setMaster(request.master())
                .setIfMissing("spark.ui.enabled", "false");   // a UI per run is noise on one machine; spark-submit --conf turns it on
        JavaSparkContext spark = new JavaSparkContext(SparkContext.getOrCreate(conf));
        return new Cluster(spark, request);
    }

    /** A Spark context and what runs on it. */
    static final class Cluster implements StepEngine.Cluster {
        private final JavaSparkContext spark;
        private final StepEngine.Request request;
        private final List<JavaRDD<Examples>> cached = new ArrayList<>();
        private JavaRDD<Examples> files;   // the training split of --spark-train, once read
        private long fileRows;

        Cluster(JavaSparkContext spark, StepEngine.Request request) {
            this.spark = spark;
            this.request = request;
        }

        @Override
        public StepEngine start(StepEngine.Setup setup) {
            String refused = refused(setup);
            if (refused != null) throw new GraftException("--spark " + request.master() + ": " + refused);
            var spec = ProgramSpec.of(setup.run(), setup.options(), setup.trained().stream().map(p -> p.label()).toList());
            JavaRDD<Examples> examples = files != null ? files : TrainingSplit.inMemory(spark, setup.train(), partitions());
            cached.add(examples);
            return request.averageEvery() > 0 ? new AveragingEngine(spark, examples, setup, spec, request.averageEvery())
                    : new SyncEngine(spark, examples, setup, spec);
        }

        private int partitions() { return request.partitions() > 0 ? request.partitions() : spark.defaultParallelism(); }

        @Override
        public Dataset firstRows(Dataset like, int count) {
            if (request.trainFiles() == null) throw new IllegalStateException("no --spark-train files to read");
            if (files == null) {
                try {
                    files = TrainingSplit.fromCsv(spark, request.trainFiles(), partitions(), like);
                } catch (Exception e) {   // Scala throws SparkException undeclared: a line that is not an example, a path that is not there
                    throw new GraftException(e instanceof GraftException g ? g.getMessage() : reason(e));
                }
                fileRows = files.map(Examples::count).reduce(Integer::sum);
            }
            return TrainingSplit.firstRows(files, like, count);
        }

        @Override
        public int trainingSize(Dataset split) {
            if (files == null) return split.size();
            if (fileRows > Integer.MAX_VALUE) {
                throw new GraftException("--spark-train " + request.trainFiles() + ": expected at most " + Integer.MAX_VALUE
                        + " examples, found " + fileRows);
            }
            return (int) fileRows;
        }

        /** What went wrong in a task: the Graft error a worker raised, else the innermost cause's first line. */
        private static String reason(Throwable e) {
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof GraftException)) cause = cause.getCause();
            String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
            return message.lines().findFirst().orElse(message);
        }

        /** Why a run cannot train on Spark; null when it can. */
        private static String refused(StepEngine.Setup setup) {
            if (setup.run().source().isEmpty()) return "expected a Graft program, whose source the workers compile; found a model built in Java";
            if (!setup.model().stateUpdates().isEmpty()) {
                return "expected a model whose steps change only the trained params and the optimizer's state, found "
                        + setup.model().name() + ", which sets state params each step (" + String.join(", ",
                        setup.model().stateUpdates().keySet().stream().map(p -> p.label()).toList()) + "): a partition's state "
                        + "would be one replica's";
            }
            if (setup.run().nanGuard()) {
                return "--nan-guard names the op that made a NaN in a step on this machine; on Spark the steps run on the "
                        + "executors, where it does not reach yet: train without it, or on one machine";
            }
            if (setup.train().isSequences()) return "expected a data set of examples, found sequences, which --spark does not split yet";
            return null;
        }

        /** Releases the cached examples and stops the context (spark-submit's own, too: the run is the application). */
        @Override
        public void close() {
            cached.forEach(rdd -> rdd.unpersist(false));
            spark.stop();
        }
    }
}
