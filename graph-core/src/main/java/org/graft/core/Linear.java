package org.graft.core;

import java.util.ArrayList;
import java.util.List;

import org.graft.core.ops.FillLike;

/**
 * An op linear in its operands together, those whose values it reads ({@link Op#connected}):
 * a sum, a reshape, a slice, a concatenation, a transpose. Since {@code op(x + h) = op(x) + op(h)},
 * its tangent is the op applied to its operands' tangents, zeros standing for an operand
 * without one; an input that lends only its shape is passed as it is.
 */
public interface Linear extends Op {

    @Override
    default Grad jvp(List<Node> in, Node y, List<Node> tangents) {
        var operands = new ArrayList<Node>(in.size());
        for (int i = 0; i < in.size(); i++) {
            Node t = tangents.get(i);
            operands.add(!connected(i) ? in.get(i) : t != null ? t : Apply.of(new FillLike(0.0), in.get(i)));
        }
        return Grad.of(Apply.of(this, operands));
    }
}
