package org.graft.core.print;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;

/** The one line that stands for a node in both printers. */
final class NodeText {
    private NodeText() {}

    /** Constants with at most this many elements show their values. */
    static final int MAX_VALUES = 8;

    /**
     * {@code add : [n, 10]  'logits'}, {@code input x : [n, 784]}, {@code param W1 : [784, 128]},
     * {@code constant 2.0 : []}, {@code constant : [784, 10]}. Inputs and params always have a
     * name and show it after their kind; applies and constants may have one and show it quoted
     * after the type.
     */
    static String of(Node n) {
        if (n instanceof Input) return "input " + n.name().orElseThrow() + " : " + n.type();
        if (n instanceof Param) return "param " + n.name().orElseThrow() + " : " + n.type();
        String head = n instanceof Apply a ? a.op().describe() : constant((Constant) n);
        return head + " : " + n.type() + n.name().map(name -> "  '" + name + "'").orElse("");
    }

    private static String constant(Constant c) {
        Tensor v = c.value();
        if (v.size() > MAX_VALUES) return "constant";
        var sb = new StringBuilder("constant ");
        values(sb, v, 0, 0);
        return sb.toString();
    }

    /** Nested brackets as the shape nests them; recursion is as deep as the rank. */
    private static void values(StringBuilder sb, Tensor v, int axis, int offset) {
        if (axis == v.rank()) {
            // Double.toString, or Float.toString for f32: either reads back exactly in its dtype
            if (v.dtype() == DType.F32) sb.append((float) v.getFlat(offset));
            else sb.append(v.getFlat(offset));
            return;
        }
        int stride = v.shape().strides()[axis];
        sb.append('[');
        for (int i = 0; i < v.shape().dim(axis); i++) {
            if (i > 0) sb.append(", ");
            values(sb, v, axis + 1, offset + i * stride);
        }
        sb.append(']');
    }
}
