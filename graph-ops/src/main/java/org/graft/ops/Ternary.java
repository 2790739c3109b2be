package org.graft.ops;

import static org.graft.ops.Ops.greater;
import static org.graft.ops.Ops.less;
import static org.graft.ops.Ops.maximum;
import static org.graft.ops.Ops.where;

import java.util.List;

import org.graft.core.Grad;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.Type;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/** Elementwise functions of three inputs, all three broadcasting together as in NumPy. */
public sealed interface Ternary extends Op {

    double apply(double a, double b, double c);

    @Override
    default Type type(List<Type> in) {
        Op.requireArity(this, in, 3);
        return Type.broadcast(Type.broadcast(in.get(0), in.get(1)), in.get(2));
    }

    @Override
    default Tensor fprop(List<Tensor> in) {
        Shape shape = Shape.broadcast(Shape.broadcast(in.get(0).shape(), in.get(1).shape()), in.get(2).shape());
        Tensor a = in.get(0).broadcastTo(shape), b = in.get(1).broadcastTo(shape), c = in.get(2).broadcastTo(shape);
        double[] out = new double[shape.size()];
        for (int i = 0; i < out.length; i++) out[i] = apply(a.getFlat(i), b.getFlat(i), c.getFlat(i));
        return Tensor.of(a.dtype(), shape, out); // the type rule gives the three operands one dtype
    }

    /** {@code a} where {@code c} is non-zero, else {@code b}. */
    record Where() implements Ternary {
        public double apply(double c, double a, double b) { return c != 0 ? a : b; }

        // the condition only selects (zero derivative); each branch gets gy where it was chosen
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node c = in.get(0);
            return List.of(Grad.zero(), Grad.of(where(c, gy, 0.0)), Grad.of(where(c, 0.0, gy)));
        }
    }

    /**
     * {@code min(max(x, lo), hi)}: x limited to [lo, hi] (hi wherever lo > hi, as NumPy). At a
     * bound x itself keeps the gradient, as in PyTorch's clamp.
     */
    record Clip() implements Ternary {
        public double apply(double x, double lo, double hi) { return Math.min(Math.max(x, lo), hi); }

        // With m = max(x, lo) and y = min(m, hi): dy/dhi = [m > hi], dy/dm = [m <= hi],
        // dm/dx = [x >= lo], dm/dlo = [x < lo].
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node x = in.get(0), lo = in.get(1), hi = in.get(2);
            Node aboveHi = greater(maximum(x, lo), hi);
            Node belowLo = less(x, lo);
            Node passed = where(aboveHi, 0.0, gy);
            return List.of(Grad.of(where(belowLo, 0.0, passed)), Grad.of(where(belowLo, passed, 0.0)),
                    Grad.of(where(aboveHi, gy, 0.0)));
        }
    }
}
