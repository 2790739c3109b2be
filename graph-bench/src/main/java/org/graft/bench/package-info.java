/**
 * The benchmark of issue 7: one MLP training step (forward, backward, SGD update) timed as
 * Graft compiles it and as a careful engineer writes it by hand on the same GEMM back end, in
 * JMH; the time to build and compile the training graph; and the table {@code bench/compare.sh}
 * prints from JMH's results and the PyTorch script's. Only the table printer and the checks
 * that both steps compute the same numbers run outside JMH.
 */
package org.graft.bench;
