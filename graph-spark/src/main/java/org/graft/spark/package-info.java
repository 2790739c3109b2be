/**
 * {@code graft train --spark MASTER}: a program's training steps on Apache Spark, behind
 * graph-models' {@link org.graft.models.train.StepEngine} hook, found by {@link java.util.ServiceLoader}
 * ({@link org.graft.spark.SparkSteps}). {@link org.graft.spark.SyncEngine} is synchronous data-parallel
 * SGD: each partition computes the gradient of its share of the global batch, weighted by that
 * share, the shares are summed in a fixed tree ({@link org.graft.spark.Sum}), and the driver applies
 * the program's own optimizer; it computes what one machine computes up to the order of summation.
 * {@link org.graft.spark.AveragingEngine} is local SGD with the params averaged every K steps.
 * docs/spark.md says how to run it, what is exact and what is not, and when it pays.
 */
package org.graft.spark;
