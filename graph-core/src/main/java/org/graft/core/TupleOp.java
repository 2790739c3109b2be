package org.graft.core;

import java.util.List;

import org.graft.core.kernel.Site;
import org.graft.core.tensor.Tensor;

/**
 * An op with several results, as Theano's multi-output Apply: its node has a
 * {@linkplain Type#tuple tuple type}, and each result is read through a
 * {@link org.graft.core.ops.Part} node. A scan is one: its carried values and its per-step
 * outputs are computed together, in one loop.
 *
 * <p>Its {@link #kernel} serves either dtype ({@link Site#dtype()} says which) and writes every
 * result: the buffer at {@link Site#slot()} is an {@code Object[]} holding one array per part,
 * of the shapes {@link Site#parts()} gives.
 */
public interface TupleOp extends Op {

    /** The type of each result, for these input types; a {@link ShapeError} when they do not fit. */
    List<Type> types(List<Type> inputs);

    @Override
    default Type type(List<Type> inputs) { return Type.tuple(types(inputs)); }

    /**
     * Refused: a tuple is not one tensor. The compiled runtime runs the op's kernel; its reference
     * semantics are its parts' values, which a compiled function computes.
     */
    @Override
    default Tensor fprop(List<Tensor> inputs) {
        throw new UnsupportedOperationException(name() + " has several results, so it has no fprop of one tensor; "
                + "compile a function of its parts");
    }

    /**
     * The vector-Jacobian product as graph, given a cotangent for each result ({@code gys}, one
     * per part, null where no gradient reaches that part: a zero), as {@link Op#bprop} gives it
     * for one result.
     */
    List<Grad> bprop(List<Node> inputs, Node y, List<Node> gys);

    /** Not called: the walker gathers the parts' gradients and calls {@link #bprop(List, Node, List)}. */
    @Override
    default List<Grad> bprop(List<Node> inputs, Node y, Node gy) {
        throw new IllegalStateException(name() + "'s gradient is given per part, by bprop(inputs, y, gys)");
    }

    /** Forward mode does not pass through an op of several results. */
    @Override
    default Grad jvp(List<Node> inputs, Node y, List<Node> tangents) {
        return Grad.notDifferentiable("forward mode (jvp, Theano's R-op) does not pass through " + name()
                + "; take reverse-mode gradients (grad, vjp) instead");
    }
}
