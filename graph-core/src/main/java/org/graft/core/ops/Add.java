package org.graft.core.ops;

import java.util.List;

import org.graft.core.Grad;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.Type;
import org.graft.core.tensor.Tensor;

/** {@code a + b}, elementwise with NumPy broadcasting. */
public record Add() implements Op {

    @Override
    public Type type(List<Type> in) {
        Op.requireArity(this, in, 2);
        return Type.broadcast(in.get(0), in.get(1));
    }

    @Override
    public Tensor fprop(List<Tensor> in) { return in.get(0).add(in.get(1)); }

    // d(a + b)/da = d(a + b)/db = 1; the walker sums each term back to its operand's shape
    @Override
    public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(gy), Grad.of(gy)); }
}
