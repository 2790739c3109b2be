package org.graft.ops;

import java.util.List;

import org.graft.core.Elementwise;
import org.graft.core.Grad;
import org.graft.core.Node;

/**
 * An elementwise function of one input, the contract of the two families of them: {@link Unary},
 * the functions of the math, and {@link Activation}, the neural networks' activations.
 */
public sealed interface OneInput extends Elementwise permits Unary, Activation {

    /** {@code y[i] = f(x[i])} for {@code i < n}; {@code y} may be {@code x}. */
    void apply(double[] x, double[] y, int from, int to);

    /** The same on floats, each result rounded once. */
    void apply(float[] x, float[] y, int from, int to);

    /**
     * {@code gy * f'(x)}, written with whichever of {@code x} and {@code y = f(x)} is cheaper, or
     * {@link Grad#zero()} for a piecewise-constant {@code f}.
     */
    Grad bprop(Node x, Node y, Node gy);

    @Override
    default int arity() { return 1; }

    @Override
    default void apply(double[][] in, double[] out, int from, int to) { apply(in[0], out, from, to); }

    @Override
    default void applyF32(float[][] in, float[] out, int from, int to) { apply(in[0], out, from, to); }

    @Override
    default List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(bprop(in.get(0), y, gy)); }
}
