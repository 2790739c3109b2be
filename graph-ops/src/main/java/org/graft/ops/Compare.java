package org.graft.ops;

import java.util.List;

import org.graft.core.Grad;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.Type;
import org.graft.core.tensor.Tensor;

/**
 * Comparisons, elementwise with broadcasting: 1 where the relation holds, 0 elsewhere (and 0
 * wherever an operand is NaN, except for {@code not_equal}, as IEEE 754 says). Their
 * derivative is zero wherever it exists, so every input gets {@link Grad#zero()}.
 */
public sealed interface Compare extends Op {

    boolean holds(double a, double b);

    @Override
    default Type type(List<Type> in) {
        Op.requireArity(this, in, 2);
        return Type.broadcast(in.get(0), in.get(1));
    }

    @Override
    default Tensor fprop(List<Tensor> in) { return in.get(0).zip(in.get(1), (a, b) -> holds(a, b) ? 1.0 : 0.0); }

    @Override
    default List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.zero(), Grad.zero()); }

    record Less() implements Compare {
        public boolean holds(double a, double b) { return a < b; }
    }

    record LessEqual() implements Compare {
        public boolean holds(double a, double b) { return a <= b; }
    }

    record Greater() implements Compare {
        public boolean holds(double a, double b) { return a > b; }
    }

    record GreaterEqual() implements Compare {
        public boolean holds(double a, double b) { return a >= b; }
    }

    record Equal() implements Compare {
        public boolean holds(double a, double b) { return a == b; }
    }

    record NotEqual() implements Compare {
        public boolean holds(double a, double b) { return a != b; }
    }
}
