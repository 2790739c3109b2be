package org.graft.core.ops;

import java.util.List;

import org.graft.core.Apply;
import org.graft.core.Dim;
import org.graft.core.Grad;
import org.graft.core.Linear;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.ShapeError;
import org.graft.core.SharedKernel;
import org.graft.core.Type;
import org.graft.core.kernel.Kernel;
import org.graft.core.kernel.Kernels;
import org.graft.core.kernel.Site;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * Broadcasting and its transpose. Broadcasting copies a value along axes; the adjoint of a
 * copy is a sum, so the gradient of {@link BroadcastLike} is a {@link SumTo} and the gradient
 * of {@link SumTo} is a {@link BroadcastLike}. Both are linear, so their tangents are
 * themselves applied to tangents.
 */
public sealed interface Broadcasting extends Op {

    /**
     * {@code x} broadcast to the shape of {@code like} (whose values are not read). The target
     * comes from a node, not from an attribute, so it may have symbolic dims.
     */
    record BroadcastLike() implements Broadcasting, SharedKernel, Linear {
        @Override
        public String name() { return "broadcast_to"; }

        @Override
        public boolean readsValues(int i) { return i == 0; } // like lends only its shape

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 2);
            Type x = in.get(0), like = in.get(1);
            Type b = Type.broadcast(x, like);
            if (!b.dims().equals(like.dims())) throw new ShapeError("cannot broadcast " + x + " to " + like);
            return like;
        }

        @Override
        public Tensor fprop(List<Tensor> in) { return in.get(0).broadcastTo(in.get(1).shape()); }

        @Override
        public Kernel kernel(Site site) { return Kernels.broadcast(site, 0); }

        // the adjoint of copying is summing: the walker sums gy back to x's shape
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(gy), Grad.disconnected()); }
    }

    /**
     * The sum that undoes a broadcast to {@code target}: leading axes are summed away and axes
     * where {@code target} has size 1 are summed keeping the axis. Which axes those are is
     * known from the types alone, because a symbolic dim never broadcasts.
     */
    record SumTo(Type target) implements Broadcasting, SharedKernel, Linear {
        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 1);
            Type x = in.get(0);
            int shift = x.rank() - target.rank();
            boolean ok = shift >= 0 && x.dtype() == target.dtype();
            for (int i = 0; ok && i < target.rank(); i++) {
                Dim t = target.dims().get(i);
                ok = t.equals(x.dims().get(i + shift)) || t.isOne();
            }
            if (!ok) throw new ShapeError("cannot sum " + x + " to " + target);
            return target;
        }

        @Override
        public Tensor fprop(List<Tensor> in) {
            Tensor x = in.get(0);
            int shift = x.rank() - target.rank();
            int[] dims = new int[target.rank()];
            for (int i = 0; i < dims.length; i++) dims[i] = target.dims().get(i).isOne() ? 1 : x.shape().dim(i + shift);
            return x.sumTo(Shape.of(dims));
        }

        // the axes summed: the leading ones x has beyond target, and those where target has size 1
        @Override
        public Kernel kernel(Site site) {
            int shift = site.in(0).rank() - target.rank();
            var axes = new java.util.ArrayList<Integer>();
            for (int i = 0; i < site.in(0).rank(); i++) if (i < shift || target.dims().get(i - shift).isOne()) axes.add(i);
            return Kernels.sum(site, axes.stream().mapToInt(Integer::intValue).toArray(), 1);
        }

        // the adjoint of summing is copying back
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            return List.of(Grad.of(broadcastLike(gy, in.get(0))));
        }
    }

    /** {@code x} broadcast to the shape of {@code like}; {@code x} itself when they already agree. */
    static Node broadcastLike(Node x, Node like) {
        return x.type().equals(like.type()) ? x : Apply.of(new BroadcastLike(), x, like);
    }

    /** {@code g} summed to {@code target}; {@code g} itself when it already has that type. */
    static Node sumTo(Node g, Type target) {
        return g.type().equals(target) ? g : Apply.of(new SumTo(target), g);
    }
}
