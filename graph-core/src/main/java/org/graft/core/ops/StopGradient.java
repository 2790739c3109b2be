package org.graft.core.ops;

import java.util.List;

import org.graft.core.Grad;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.SharedKernel.KeepsOrder;
import org.graft.core.Type;
import org.graft.core.tensor.Tensor;

/** The identity on values that no gradient passes through (a target held fixed, a sampled chain). */
public record StopGradient() implements KeepsOrder {

    @Override
    public boolean connected(int i) { return false; } // it reads the values, and stops the gradient

    @Override
    public Type type(List<Type> in) {
        Op.requireArity(this, in, 1);
        return in.get(0);
    }

    @Override
    public Tensor fprop(List<Tensor> in) { return in.get(0); }

    @Override
    public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.disconnected()); }
}
