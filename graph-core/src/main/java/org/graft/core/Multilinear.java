package org.graft.core;

import java.util.ArrayList;
import java.util.List;

import org.graft.core.ops.Add;

/**
 * An op linear in each operand while the others are held fixed: a matrix product, a dot
 * product. Since {@code (a + h) b = ab + hb}, its tangent is the sum over the operands with a
 * tangent of the op applied with that operand replaced by its tangent.
 */
public interface Multilinear extends Op {

    @Override
    default Grad jvp(List<Node> in, Node y, List<Node> tangents) { return Grad.of(tangent(this, in, tangents)); }

    /**
     * {@code Σ_i op(x_1, ..., t_i, ..., x_n)} over the operands whose tangent {@code t_i} is not
     * null, or null when none has one: the tangent of {@code op}'s output for an op linear in each
     * of {@code in}.
     */
    static Node tangent(Op op, List<Node> in, List<Node> tangents) {
        Node sum = null;
        for (int i = 0; i < in.size(); i++) {
            if (tangents.get(i) == null) continue;
            var operands = new ArrayList<>(in);
            operands.set(i, tangents.get(i));
            Node term = Apply.of(op, operands);
            sum = sum == null ? term : Apply.of(new Add(), sum, term);
        }
        return sum;
    }
}
