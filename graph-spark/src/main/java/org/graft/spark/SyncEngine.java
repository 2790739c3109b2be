package org.graft.spark;

import java.util.Arrays;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.graft.core.Param;
import org.graft.core.tensor.Tensor;
import org.graft.models.train.StepEngine;

/**
 * Synchronous data-parallel SGD. Each step the driver broadcasts the trained params; each
 * partition takes the rows of the global batch it holds (its shard, b_p of the batch's B rows),
 * runs the program's gradient on them, and weights the objective and the gradients by b_p / B:
 * the objective is a mean over the batch (plus terms of the params alone, which the weights,
 * summing to 1, keep whole), so the weighted sum over partitions is the batch's gradient. The
 * partitions' shares are summed in a tree fixed by their indices ({@link Sum}), and the driver
 * applies the program's optimizer ({@link DriverUpdate}). What differs from one machine is the
 * order in which the examples' terms are added: a relative difference of a few units of the
 * dtype's rounding per step, which the optimizer carries on.
 *
 * <p>The examples never move: each partition keeps its block, cached and cut from its lineage,
 * and takes its shard of each batch from the rows the step names. Random ops draw from a stream
 * per partition, seeded by the step's seed and the partition's index (partition 0 by the step's
 * seed itself, so that one partition draws what one machine draws); with more than one
 * partition, a model that draws noise (dropout, sampling) draws other noise than one machine.
 */
final class SyncEngine implements StepEngine {
    /** Spreads the partitions' seeds apart: the golden-ratio increment of SplitMix64. */
    static final long GAMMA = 0x9E3779B97F4A7C15L;

    private final JavaSparkContext spark;
    private final JavaRDD<Examples> examples;
    private final ProgramSpec spec;
    private final List<Param> trained;
    private final DriverUpdate update;
    private double compute, communication, updating;

    SyncEngine(JavaSparkContext spark, JavaRDD<Examples> examples, Setup setup, ProgramSpec spec) {
        this.spark = spark;
        this.examples = examples;
        this.spec = spec;
        trained = setup.trained();
        update = new DriverUpdate(setup, spec);
    }

    @Override
    public double step(int[] rows, long seed) {
        long start = System.nanoTime();
        Values now = Values.of(trained);
        Broadcast<Values> params = spark.broadcast(now);
        ProgramSpec program = spec;
        int batch = rows.length;
        Partial total = examples.mapPartitionsWithIndex((partition, blocks) ->
                        List.of(shard(program, blocks.next(), rows, batch, params.value(), seed, partition)).iterator(), true)
                .treeAggregate(new Sum(), Sum::add, Sum::merge, 2).total();
        params.destroy();
        long gathered = System.nanoTime();
        update.apply(total, now);
        long done = System.nanoTime();
        compute += total.seconds();
        communication += (gathered - start) / 1e9 - total.seconds();
        updating += (done - gathered) / 1e9;
        return total.objective();
    }

    /** A partition's weighted share of the batch {@code rows}: zeros when it holds none of them. */
    static Partial shard(ProgramSpec spec, Examples block, int[] rows, int batch, Values params, long seed, int partition) {
        int[] mine = Arrays.stream(rows).filter(block::holds).toArray();
        if (mine.length == 0) {
            double[][] zeros = params.data().stream().map(d -> new double[d.length]).toArray(double[][]::new);
            return new Partial(0, partition, 0, zeros, 0, 0);
        }
        return Worker.with(spec, w -> {
            long start = System.nanoTime();
            params.setInto(w.params);
            List<Tensor> out = w.gradient(spec).seed(seed + partition * GAMMA).call(w.feed(block, mine));
            double weight = mine.length / (double) batch;   // the shard's share of the batch's mean
            double[][] g = new double[out.size() - 1][];
            for (int k = 0; k < g.length; k++) {
                g[k] = out.get(k + 1).toArray();
                for (int i = 0; i < g[k].length; i++) g[k][i] *= weight;
            }
            return new Partial(0, partition, out.get(0).item() * weight, g, mine.length, (System.nanoTime() - start) / 1e9);
        });
    }

    @Override
    public Timing timing() { return new Timing(compute, communication, updating); }
}
