package org.graft.core.ops;

import java.util.List;

import org.graft.core.Grad;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.ShapeError;
import org.graft.core.SharedKernel;
import org.graft.core.Type;
import org.graft.core.kernel.Kernel;
import org.graft.core.kernel.Site;
import org.graft.core.tensor.Tensor;

/**
 * Result {@code index} of a node with several results ({@link org.graft.core.TupleOp}): the
 * only op that reads a tuple. Its gradient is not its own: the walker hands it to the tuple's
 * op with the other parts' ({@link org.graft.core.grad.GradTable}).
 */
public record Part(int index) implements SharedKernel {

    @Override
    public Type type(List<Type> in) {
        Op.requireArity(this, in, 1);
        Type tuple = in.get(0);
        if (!tuple.isTuple()) throw new ShapeError("part reads a node of several results, found " + tuple);
        if (index < 0 || index >= tuple.parts().size()) {
            throw new ShapeError("part " + index + " of a node of " + tuple.parts().size() + " results " + tuple);
        }
        return tuple.parts().get(index);
    }

    @Override
    public Tensor fprop(List<Tensor> in) {
        throw new UnsupportedOperationException("part reads a node of several results, which only a compiled function computes");
    }

    @Override
    public List<Grad> bprop(List<Node> in, Node y, Node gy) {
        throw new IllegalStateException("part's gradient goes to its tuple's op, with the other parts'");
    }

    @Override
    public Grad jvp(List<Node> in, Node y, List<Node> tangents) {
        return Grad.notDifferentiable("forward mode does not pass through a node of several results");
    }

    /** A copy out of the tuple's array for this part, which the tuple's kernel wrote. */
    @Override
    public Kernel kernel(Site site) {
        int from = site.slot(0), to = site.slot(), size = site.out().size(), i = index;
        return b -> System.arraycopy(((Object[]) b[from])[i], 0, b[to], 0, size);
    }
}
