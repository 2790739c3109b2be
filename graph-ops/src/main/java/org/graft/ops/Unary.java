package org.graft.ops;

import static org.graft.ops.Ops.div;
import static org.graft.ops.Ops.greater;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.neg;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sub;

import java.util.List;

import org.graft.core.Grad;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.Type;
import org.graft.core.tensor.Tensor;

/** Elementwise functions of one input. fprop, bprop and the derivative live side by side. */
public sealed interface Unary extends Op {

    Tensor fprop(Tensor x);

    /** {@code gy * f'(x)}, written with whichever of {@code x} and {@code y = f(x)} is cheaper. */
    Node bprop(Node x, Node y, Node gy);

    @Override
    default Type type(List<Type> in) {
        Op.requireArity(this, in, 1);
        return in.get(0);
    }

    @Override
    default Tensor fprop(List<Tensor> in) { return fprop(in.get(0)); }

    @Override
    default List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(bprop(in.get(0), y, gy))); }

    record Neg() implements Unary {
        public Tensor fprop(Tensor x) { return x.map(v -> -v); }
        // d/dx (-x) = -1
        public Node bprop(Node x, Node y, Node gy) { return neg(gy); }
    }

    record Exp() implements Unary {
        public Tensor fprop(Tensor x) { return x.map(Math::exp); }
        // d/dx e^x = e^x = y
        public Node bprop(Node x, Node y, Node gy) { return mul(gy, y); }
    }

    record Log() implements Unary {
        public Tensor fprop(Tensor x) { return x.map(Math::log); }
        // d/dx log x = 1/x
        public Node bprop(Node x, Node y, Node gy) { return div(gy, x); }
    }

    record Sqrt() implements Unary {
        public Tensor fprop(Tensor x) { return x.map(Math::sqrt); }
        // d/dx √x = 1 / (2√x) = 1 / 2y
        public Node bprop(Node x, Node y, Node gy) { return div(gy, mul(2.0, y)); }
    }

    record Square() implements Unary {
        public Tensor fprop(Tensor x) { return x.map(v -> v * v); }
        // d/dx x² = 2x
        public Node bprop(Node x, Node y, Node gy) { return mul(gy, mul(2.0, x)); }
    }

    record Sigmoid() implements Unary {
        public Tensor fprop(Tensor x) { return x.map(Unary::sigmoid); }
        // d/dx σ(x) = σ(x)(1 - σ(x)) = y(1 - y)
        public Node bprop(Node x, Node y, Node gy) { return mul(gy, mul(y, sub(1.0, y))); }
    }

    record Tanh() implements Unary {
        public Tensor fprop(Tensor x) { return x.map(Math::tanh); }
        // d/dx tanh x = 1 - tanh²x; reuse the output y instead of recomputing tanh
        public Node bprop(Node x, Node y, Node gy) { return mul(gy, sub(1.0, square(y))); }
    }

    record Relu() implements Unary {
        public Tensor fprop(Tensor x) { return x.map(v -> v > 0 ? v : 0.0); }
        // d/dx max(x, 0) = [x > 0]; at the kink we take 0, as PyTorch and JAX do
        public Node bprop(Node x, Node y, Node gy) { return mul(gy, greater(x, 0.0)); }
    }

    /**
     * The logistic function without overflow: for x < 0 it is computed as e^x / (1 + e^x), so
     * e^-x is never formed for large negative x.
     */
    static double sigmoid(double x) {
        if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
        double e = Math.exp(x);
        return e / (1.0 + e);
    }
}
