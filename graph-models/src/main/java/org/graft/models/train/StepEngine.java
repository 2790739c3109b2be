package org.graft.models.train;

import java.util.List;
import java.util.Map;

import org.graft.core.Param;
import org.graft.core.runtime.Options;
import org.graft.models.data.Dataset;

/**
 * Where a {@link Trainer}'s training steps run when not in its own compiled step: across a
 * cluster, as graph-spark's data-parallel SGD does. The trainer still shuffles, counts the steps,
 * sets the learning rate, measures the held-out split, saves and resumes; an engine takes one
 * step on a batch named by its rows of the training split, and leaves the trainer's params (the
 * optimizer's state included) as the step sets them, so that a checkpoint written in either
 * mode resumes in the other.
 */
public interface StepEngine {

    /**
     * What an engine is given once the trainer has bound the model to the data.
     *
     * @param model the model trained
     * @param run the run's settings: the program's source, {@code --set} values, rewriting and dtype among them
     * @param options the rewriting the trainer compiles with
     * @param trained the params the optimizer trains, in the order of the model's updates
     * @param saved every param a step reads or sets, by name: the trained params and the optimizer's state
     * @param lr the learning rate's param, which the trainer sets each epoch
     * @param train the training split, as the trainer indexes it
     */
    record Setup(Model model, RunSettings run, Options options, List<Param> trained, Map<String, Param> saved, Param lr,
                 Dataset train) {
        public Setup {
            trained = List.copyOf(trained);
            saved = Map.copyOf(saved);
        }
    }

    /** Starts an engine for a run; the trainer calls it once, after it has compiled its own functions. */
    @FunctionalInterface
    interface Factory {
        StepEngine start(Setup setup);

        /**
         * The number of training examples the engine's steps draw from, the trainer's training
         * split being {@code split}: its size, unless the engine reads the examples from files of
         * its own, of which {@code split} then holds the first rows only, to fix the shapes.
         */
        default int trainingSize(Dataset split) { return split.size(); }
    }

    /**
     * Steps elsewhere, found by {@link java.util.ServiceLoader}: graph-spark's, when its jar is on
     * the class path, which {@code graft train --spark} asks for.
     */
    interface Provider {
        /** Connects to the cluster {@code request} names. */
        Cluster connect(Request request);
    }

    /**
     * What {@code graft train --spark} asks of a cluster.
     *
     * @param master where the cluster is: {@code local[2]}, {@code spark://host:7077}
     * @param partitions the partitions of the training split, the workers a step is split over; 0 for the cluster's default
     * @param averageEvery 0 for synchronous data-parallel SGD (the steps of one machine); K > 0 for local
     *     SGD, each partition stepping on its own and the params averaged every K steps
     * @param trainFiles Parquet or CSV files the cluster reads the training split from, rather than
     *     from the trainer's memory; null for none
     */
    record Request(String master, int partitions, int averageEvery, String trainFiles) {}

    /** A connection to a cluster: it starts engines there; closing it releases the cluster. */
    interface Cluster extends Factory, AutoCloseable {
        /**
         * With {@link Request#trainFiles()}, the first {@code count} rows of the training split
         * those files hold, of the kind of {@code like} (its classes, its target width): the
         * examples the trainer binds the model's shapes to, the rest staying on the cluster.
         *
         * @throws IllegalStateException without files to read
         */
        Dataset firstRows(Dataset like, int count);

        @Override
        void close();
    }

    /**
     * Seconds spent so far in each part of the steps: computing gradients (the slowest worker's
     * share of each step), communication (the rest of a step's wall time outside the driver:
     * shipping params, scheduling, gathering), and the driver's optimizer update.
     */
    record Timing(double compute, double communication, double update) {
        /** No step timed: what a run on one machine writes. */
        public static final Timing NONE = new Timing(Double.NaN, Double.NaN, Double.NaN);

        /** This timing less {@code before}, divided by {@code steps}: seconds per step. */
        public Timing perStep(Timing before, int steps) {
            return new Timing((compute - before.compute) / steps, (communication - before.communication) / steps,
                    (update - before.update) / steps);
        }
    }

    /**
     * One step on the batch of the training split's {@code rows}, in the epoch's order: the new
     * params are set in the trainer's {@link Setup#saved()} params when it returns.
     *
     * @param seed the seed of the step's random ops, as the trainer's own step would be seeded
     * @return the batch's objective, as the trainer's own step computes it
     */
    double step(int[] rows, long seed);

    /**
     * Brings the trainer's params up to date with every step taken, for an engine that holds
     * steps of its own between synchronizations (local SGD); the trainer calls it at the end of
     * an epoch's steps, or of the part of an epoch it trained, before it reads or saves the params.
     */
    default void settle() {}

    /** The seconds of every step so far, by part. */
    Timing timing();
}
