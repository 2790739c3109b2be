package org.graft.core;

/**
 * A derivative as graph, or a marker saying why there is none: one input's share of a
 * {@link Op#bprop} (a gradient term), or an output's tangent from {@link Op#jvp}. Never null,
 * never a silent zero.
 */
public sealed interface Grad permits Grad.Term, Grad.Zero, Grad.Disconnected, Grad.NotDifferentiable {

    /** The vector-Jacobian product for this input (or the Jacobian-vector product for the output), as graph. */
    record Term(Node value) implements Grad {}

    /** The derivative is identically zero (comparisons, {@code sign}): the input is connected, and its share is zeros. */
    record Zero() implements Grad {}

    /** The output does not depend on this input's values (shape-only inputs, {@code stop_gradient}). */
    record Disconnected() implements Grad {}

    /** No derivative exists here (a sample with respect to its parameters); an error if one is needed. */
    record NotDifferentiable(String why) implements Grad {}

    static Grad of(Node term) { return new Term(term); }

    static Grad zero() { return new Zero(); }

    static Grad disconnected() { return new Disconnected(); }

    static Grad notDifferentiable(String why) { return new NotDifferentiable(why); }
}
