package org.graft.ops;

import static org.graft.ops.Ops.expandDims;
import static org.graft.ops.Ops.squeeze;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.graft.core.Dim;
import org.graft.core.Grad;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.ShapeError;
import org.graft.core.Type;
import org.graft.core.tensor.Tensor;

/** Ops that change the shape but not the elements; each one's gradient is its inverse. */
public sealed interface Shaping extends Op {

    // the elements keep their row-major order, so the kernel is a reshape to the shape that the
    // type rule gives for the concrete input
    @Override
    default Tensor fprop(List<Tensor> in) {
        Tensor x = in.get(0);
        return x.reshape(type(List.of(Type.of(x))).shape());
    }

    /** Inserts axes of size 1; {@code axes} are positions in the result, ascending. */
    record ExpandDims(List<Integer> axes) implements Shaping {
        public ExpandDims { axes = List.copyOf(axes); }

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 1);
            Type x = in.get(0);
            int rank = x.rank() + axes.size();
            for (int i = 0; i < axes.size(); i++) {
                int a = axes.get(i);
                if (a < 0 || a >= rank || i > 0 && a <= axes.get(i - 1)) {
                    throw new ShapeError("axes " + axes + " are not ascending positions in a result of rank " + rank);
                }
            }
            var dims = new ArrayList<Dim>(rank);
            for (int i = 0, next = 0; i < rank; i++) dims.add(axes.contains(i) ? Dim.of(1) : x.dims().get(next++));
            return x.withDims(dims);
        }

        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(squeeze(gy, toArray(axes)))); }
    }

    /** Removes axes of size 1; {@code axes} are positions in the input, ascending. */
    record Squeeze(List<Integer> axes) implements Shaping {
        public Squeeze { axes = List.copyOf(axes); }

        @Override
        public Type type(List<Type> in) {
            Op.requireArity(this, in, 1);
            Type x = in.get(0);
            var dims = new ArrayList<Dim>();
            for (int a : axes) {
                if (a < 0 || a >= x.rank() || !x.dims().get(a).isOne()) {
                    throw new ShapeError("axis " + a + " of " + x + " is not of size 1");
                }
            }
            for (int i = 0; i < x.rank(); i++) if (!axes.contains(i)) dims.add(x.dims().get(i));
            return x.withDims(dims);
        }

        @Override
        public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(expandDims(gy, toArray(axes)))); }
    }

    private static int[] toArray(List<Integer> axes) { return axes.stream().mapToInt(Integer::intValue).toArray(); }

    static List<Integer> sorted(int... axes) { return Arrays.stream(axes).sorted().boxed().toList(); }
}
