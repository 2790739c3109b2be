package org.graft.core.ops;

import java.util.List;

import org.graft.core.Grad;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.SharedKernel;
import org.graft.core.Type;
import org.graft.core.kernel.Kernel;
import org.graft.core.kernel.Kernels;
import org.graft.core.kernel.Site;
import org.graft.core.tensor.Tensor;

/**
 * A tensor of {@code like}'s shape with every element {@code value}: {@code zeros_like} for 0,
 * {@code ones_like} for 1, {@code fill} for any other value.
 */
public record FillLike(double value) implements SharedKernel {

    @Override
    public boolean readsValues(int i) { return false; } // only the shape of the input is read

    @Override
    public String name() { return value == 0 ? "zeros_like" : value == 1 ? "ones_like" : "fill"; }

    // zeros_like and ones_like already say their value
    @Override
    public String describe() { return name().equals("fill") ? SharedKernel.super.describe() : name(); }

    @Override
    public Type type(List<Type> in) {
        Op.requireArity(this, in, 1);
        return in.get(0);
    }

    @Override
    public Tensor fprop(List<Tensor> in) { return Tensor.full(in.get(0).dtype(), in.get(0).shape(), value); }

    @Override
    public Kernel kernel(Site site) { return Kernels.fill(site, value); }

    // only the shape of the input is read
    @Override
    public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.disconnected()); }
}
