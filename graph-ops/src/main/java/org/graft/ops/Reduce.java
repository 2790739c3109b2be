package org.graft.ops;

import static org.graft.ops.Ops.broadcastTo;
import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.expandDims;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.graft.core.Apply;
import org.graft.core.Dim;
import org.graft.core.Grad;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.ShapeError;
import org.graft.core.Type;
import org.graft.core.tensor.Tensor;

/**
 * Reductions along axes (negative axes count from the end). The reduced axes are dropped, or
 * kept with size 1 when {@code keepdims}; the builder passes every axis for a reduction to a
 * scalar, so an empty list reduces nothing.
 */
public sealed interface Reduce extends Op {

    List<Integer> axes();

    boolean keepdims();

    @Override
    default Type type(List<Type> in) {
        Op.requireArity(this, in, 1);
        Type x = in.get(0);
        int[] axes = normalize(x, axes());
        var dims = new ArrayList<Dim>();
        for (int i = 0; i < x.rank(); i++) {
            final int axis = i;
            boolean reduced = Arrays.stream(axes).anyMatch(a -> a == axis);
            if (!reduced) dims.add(x.dims().get(i));
            else if (keepdims()) dims.add(Dim.of(1));
        }
        return x.withDims(dims);
    }

    /** The gradient of the sum: gy copied back along the reduced axes. */
    default Node sumBprop(Node x, Node gy) {
        return broadcastTo(keepdims() ? gy : expandDims(gy, normalize(x.type(), axes())), x);
    }

    record Sum(List<Integer> axes, boolean keepdims) implements Reduce {
        public Sum { axes = List.copyOf(axes); }

        @Override
        public Tensor fprop(List<Tensor> in) { return in.get(0).sum(toArray(axes), keepdims); }

        // d/dx_i sum(x) = 1 for every i reduced into the output
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(sumBprop(in.get(0), gy))); }
    }

    record Mean(List<Integer> axes, boolean keepdims) implements Reduce {
        public Mean { axes = List.copyOf(axes); }

        @Override
        public Tensor fprop(List<Tensor> in) {
            Tensor x = in.get(0);
            double n = Count.count(x, axes);
            return x.sum(toArray(axes), keepdims).map(s -> s / n);
        }

        // d/dx_i mean(x) = 1/N, with N the number of elements reduced into each output
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) {
            Node x = in.get(0);
            return List.of(Grad.of(div(sumBprop(x, gy), Apply.of(new Count(axes), x))));
        }
    }

    /** The number of elements along {@code axes} of its input (a scalar), read from its shape. */
    record Count(List<Integer> axes) implements Op {
        public Count { axes = List.copyOf(axes); }

        @Override
        public boolean connected(int i) { return false; } // only the shape of x is read

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 1);
            normalize(in.get(0), axes);
            return Type.scalar(in.get(0).dtype());
        }

        @Override
        public Tensor fprop(List<Tensor> in) { return Tensor.scalar(count(in.get(0), axes)); }

        // only the shape of x is read
        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.disconnected()); }

        static double count(Tensor x, List<Integer> axes) {
            double n = 1;
            for (int a : axes) n *= x.shape().dim(a);
            return n;
        }
    }

    /** The axes as indices in [0, rank), each once, in ascending order; a shape error otherwise. */
    static int[] normalize(Type x, List<Integer> axes) {
        int[] out = new int[axes.size()];
        for (int i = 0; i < out.length; i++) out[i] = x.axis(axes.get(i));
        Arrays.sort(out);
        for (int i = 1; i < out.length; i++) {
            if (out[i] == out[i - 1]) throw new ShapeError("axis " + out[i] + " is repeated in " + axes);
        }
        return out;
    }

    private static int[] toArray(List<Integer> axes) { return axes.stream().mapToInt(Integer::intValue).toArray(); }
}
