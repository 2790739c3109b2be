package org.graft.core;

/**
 * One input's share of a {@link Op#bprop}: a gradient term, or a marker saying why there is
 * none. Never null, never a silent zero.
 */
public sealed interface Grad permits Grad.Term, Grad.Zero, Grad.Disconnected, Grad.NotDifferentiable {

    /** The vector-Jacobian product for this input, as graph. */
    record Term(Node value) implements Grad {}

    /** The derivative is identically zero (comparisons, {@code sign}): the input is connected. */
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
