package org.graft.bench;

/** One implementation of the benchmarked step, on the fixed batch of its {@link Problem}. */
public interface TrainingStep {

    /** Runs one step (forward, backward, SGD update) and returns its cost, computed before the update. */
    double step();

    /** Puts every param back to the problem's initial value. */
    void reset();
}
