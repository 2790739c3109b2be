package org.graft.core.ops;

import java.util.List;

import org.graft.core.Elementwise;
import org.graft.core.Grad;
import org.graft.core.Node;

/** {@code a + b}, elementwise with NumPy broadcasting. */
public record Add() implements Elementwise {

    @Override
    public int arity() { return 2; }

    @Override
    public void apply(double[][] in, double[] out, int from, int to) {
        double[] a = in[0], b = in[1];
        for (int i = from; i < to; i++) out[i] = a[i] + b[i];
    }

    @Override
    public void applyF32(float[][] in, float[] out, int from, int to) {
        float[] a = in[0], b = in[1];
        for (int i = from; i < to; i++) out[i] = a[i] + b[i];
    }

    // d(a + b)/da = d(a + b)/db = 1; the walker sums each term back to its operand's shape
    @Override
    public List<Grad> bprop(List<Node> in, Node y, Node gy) { return List.of(Grad.of(gy), Grad.of(gy)); }
}
