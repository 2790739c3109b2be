package org.graft.core.kernel;

/**
 * One step of a compiled plan: computes a node's value into its buffer. A kernel is made once
 * per plan by its op ({@link org.graft.core.Op#kernel}), knowing every shape and which buffers
 * it reads and writes, so a call does no lookup and allocates nothing.
 */
@FunctionalInterface
public interface Kernel {

    /**
     * Runs the step. {@code buffers} holds every value of the plan by slot ({@link Site#slot}):
     * {@code double[]} for f64, {@code float[]} for f32. An array may be longer than the value
     * it holds (buffers are reused); only the value's elements are read or written.
     */
    void run(Object[] buffers);
}
