package org.graft.core.runtime;

import java.util.Arrays;

import org.graft.core.GraftException;
import org.graft.core.Node;
import org.graft.core.tensor.Tensor;

/**
 * The first value a guarded {@link Function} computed or was given that is NaN or infinite:
 * thrown at the position of the node that produced it, naming the node and the element.
 */
public final class NonFiniteError extends GraftException {
    private static final long serialVersionUID = 1L;

    private final transient Node node;

    NonFiniteError(Node node, String what, Tensor value, int position) {
        super(node.pos(), what + " " + describe(value, position));
        this.node = node;
    }

    /** The node whose value was not finite. */
    public Node node() { return node; }

    private static String describe(Tensor value, int position) {
        double v = value.getFlat(position);
        String element = value.rank() == 0 ? "" : " at " + Arrays.toString(value.shape().unravel(position));
        return v + element;
    }
}
