package org.graft.ops;

import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.neg;

import java.util.List;

import org.graft.core.Grad;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.Type;
import org.graft.core.tensor.Tensor;

/**
 * Elementwise functions of two inputs, broadcasting as in NumPy. Each bprop returns terms of
 * the broadcast shape; the walker sums them back to each operand's shape. ({@code add} is
 * {@link org.graft.core.ops.Add}: the gradient walker itself needs it to sum terms.)
 */
public sealed interface Binary extends Op {

    Tensor fprop(Tensor a, Tensor b);

    /** The two terms {@code gy * df/da} and {@code gy * df/db}. */
    List<Node> bprop(Node a, Node b, Node y, Node gy);

    @Override
    default Type type(List<Type> in) {
        Op.requireArity(this, in, 2);
        return Type.broadcast(in.get(0), in.get(1));
    }

    @Override
    default Tensor fprop(List<Tensor> in) { return fprop(in.get(0), in.get(1)); }

    @Override
    default List<Grad> bprop(List<Node> in, Node y, Node gy) {
        return bprop(in.get(0), in.get(1), y, gy).stream().map(Grad::of).toList();
    }

    record Sub() implements Binary {
        public Tensor fprop(Tensor a, Tensor b) { return a.sub(b); }
        // d(a - b) = da - db
        public List<Node> bprop(Node a, Node b, Node y, Node gy) { return List.of(gy, neg(gy)); }
    }

    record Mul() implements Binary {
        public Tensor fprop(Tensor a, Tensor b) { return a.mul(b); }
        // d(ab) = b da + a db
        public List<Node> bprop(Node a, Node b, Node y, Node gy) { return List.of(mul(gy, b), mul(gy, a)); }
    }

    record Div() implements Binary {
        public Tensor fprop(Tensor a, Tensor b) { return a.div(b); }
        // d(a/b) = da/b - (a/b²) db = da/b - (y/b) db
        public List<Node> bprop(Node a, Node b, Node y, Node gy) {
            Node ga = div(gy, b);
            return List.of(ga, neg(mul(ga, y)));
        }
    }
}
