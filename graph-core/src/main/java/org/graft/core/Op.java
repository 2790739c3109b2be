package org.graft.core;

import java.util.List;

import org.graft.core.tensor.Tensor;

/**
 * An operation: a value (a record of its attributes) that knows the type of its output, how
 * to compute it, and the gradient of its inputs as graph.
 */
public interface Op {

    /** The name used in printing, errors and the language ({@code matmul}, {@code sum_to}). */
    default String name() {
        return getClass().getSimpleName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** The output type for these input types, or a {@link ShapeError} saying what does not fit. */
    Type type(List<Type> inputs);

    /** The reference semantics: numbers in, numbers out. */
    Tensor fprop(List<Tensor> inputs);

    /**
     * The vector-Jacobian product as graph: given the output {@code y} and the gradient
     * {@code gy} of a scalar cost with respect to it, one {@link Grad} per input. A term may
     * have a broadcast shape; the walker sums it back to the input's shape.
     */
    List<Grad> bprop(List<Node> inputs, Node y, Node gy);

    /**
     * Whether the output's values depend on input {@code i}'s values (Theano's connection
     * pattern). False for inputs that lend only their shape and for {@code stop_gradient}: the
     * walker never sends a gradient along such an edge, and their bprop gives
     * {@link Grad#disconnected()} there.
     */
    default boolean connected(int i) { return true; }

    /** A shape error unless there are exactly {@code n} input types. */
    static void requireArity(Op op, List<Type> inputs, int n) {
        if (inputs.size() != n) {
            throw new ShapeError(op.name() + " takes " + n + " input" + (n == 1 ? "" : "s") + ", found " + inputs.size());
        }
    }
}
