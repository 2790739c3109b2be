package org.graft.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.graft.core.Param;
import org.graft.models.train.StepEngine;

/**
 * Local SGD with parameter averaging, the scheme of DL4J's {@code ParameterAveragingTrainingMaster}:
 * each partition keeps a replica of the program on its executor and takes the program's own step
 * (its optimizer included) on its shard of each batch, the mean over the shard; every K steps, and
 * at the end of an epoch's steps (the trainer measures and saves the params then), the
 * replicas' params and optimizer state are averaged, weighted by the examples each stepped on since
 * the last average, and set as the trainer's, and the replicas start again from them. Between
 * averages a step sends the rows it names and brings back one number a partition, so the params
 * cross the network once per K steps instead of twice a step; the price is exactness: the
 * replicas drift apart for K steps, the steps are on shards of b_p examples rather than the
 * batch's B, and an average of K local steps is not K steps of the batch. K = 1 is not
 * synchronous SGD either: the average of steps is not the step of the averaged gradient (for
 * Adam, whose steps divide by the gradient's moments, not even for one partition's share).
 *
 * <p>A replica lives in its executor's memory, keyed by the run and the partition; Spark runs a
 * partition's task where its cached examples are, so it finds it. A task that runs elsewhere (an
 * executor lost) starts its partition again from the last average.
 */
final class AveragingEngine implements StepEngine {
    private final JavaSparkContext spark;
    private final JavaRDD<Examples> examples;
    private final ProgramSpec spec;
    private final String run = UUID.randomUUID().toString();
    private final int every;
    private final List<Param> averaged = new ArrayList<>();   // the trainer's trained params, then the optimizer's state
    private final Param lr;
    private Broadcast<Values> start;   // what the replicas start from: the last average, or the trainer's values at first
    private int version;               // start's
    private int steps;                 // taken since start
    private double compute, communication, updating;

    AveragingEngine(JavaSparkContext spark, JavaRDD<Examples> examples, Setup setup, ProgramSpec spec, int every) {
        this.spark = spark;
        this.examples = examples;
        this.spec = spec;
        this.every = every;
        lr = setup.lr();
        averaged.addAll(setup.trained());
        for (Map.Entry<String, Param> p : setup.saved().entrySet()) {
            if (!setup.trained().contains(p.getValue()) && p.getValue() != lr) averaged.add(p.getValue());
        }
    }

    @Override
    public double step(int[] rows, long seed) { return run(rows, seed, ++steps == every); }

    /** Averages the steps taken since the last average, if any: the replicas' steps land in the trainer's params. */
    @Override
    public void settle() {
        if (steps > 0) run(new int[0], 0, true);
    }

    /** A step on {@code rows} (none: only the average), then with {@code average} the replicas' average. */
    private double run(int[] rows, long seed, boolean average) {
        long begin = System.nanoTime();
        if (start == null) {
            start = spark.broadcast(Values.of(averaged));
            version++;
        }
        Broadcast<Values> from = start;
        ProgramSpec program = spec;
        String key = run;
        int v = version, batch = rows.length;
        double rate = lr.value().item();
        Partial total = examples.mapPartitionsWithIndex((partition, blocks) -> List.of(local(program, key, v, from.value(),
                        blocks.next(), rows, batch, rate, seed, partition, average)).iterator(), true)
                .treeAggregate(new Sum(), Sum::add, Sum::merge, 2).total();
        long gathered = System.nanoTime();
        if (average) {
            Values values = from.value();
            double[][] mean = total.arrays();
            for (double[] m : mean) for (int i = 0; i < m.length; i++) m[i] /= total.examples();
            Values averages = values.with(mean);
            for (int i = 0; i < averaged.size(); i++) averaged.get(i).set(averages.tensor(i));
            start.destroy();
            start = null;
            steps = 0;
        }
        long done = System.nanoTime();
        compute += total.seconds();
        communication += (gathered - begin) / 1e9 - total.seconds();
        updating += (done - gathered) / 1e9;
        return total.objective();
    }

    /**
     * A partition's local step on its shard of the batch {@code rows} (none when it holds none of
     * them), from {@code start} when its replica last started from an earlier average; its
     * objective weighted by its share of the batch, and when it is time to average, its params
     * and optimizer state (in {@code start}'s order) weighted by the examples it stepped on.
     */
    static Partial local(ProgramSpec spec, String run, int version, Values start, Examples block, int[] rows, int batch,
                         double rate, long seed, int partition, boolean average) {
        Worker w = Worker.replica(spec, run, partition);
        synchronized (w) {
            long begin = System.nanoTime();
            if (w.version != version) {
                start.setInto(w.params);
                w.step(spec, rate);   // compiled with the trained params' values; its optimizer's state params now exist
                start.setInto(w.params);
                w.version = version;
                w.examples = 0;
            }
            int[] mine = Arrays.stream(rows).filter(block::holds).toArray();
            double objective = 0;
            if (mine.length > 0) {
                double value = w.step(spec, rate).seed(seed + partition * SyncEngine.GAMMA).call(w.feed(block, mine)).get(0).item();
                objective = value * mine.length / batch;
                w.examples += mine.length;
            }
            double[][] values = new double[average ? start.names().size() : 0][];
            for (int k = 0; k < values.length; k++) {
                values[k] = w.params.get(start.names().get(k)).value().toArray();
                for (int i = 0; i < values[k].length; i++) values[k][i] *= w.examples;
            }
            return new Partial(0, partition, objective, values, average ? w.examples : mine.length,
                    (System.nanoTime() - begin) / 1e9);
        }
    }

    @Override
    public Timing timing() { return new Timing(compute, communication, updating); }
}
