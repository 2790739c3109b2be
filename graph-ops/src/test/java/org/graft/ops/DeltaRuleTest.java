package org.graft.ops;

import static org.graft.ops.Ops.add;
import static org.graft.ops.Ops.input;
import static org.graft.ops.Ops.matmul;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.square;
import static org.graft.ops.Ops.sub;
import static org.graft.ops.Ops.sum;
import static org.graft.ops.Ops.tanh;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.grad.GradTable;
import org.graft.core.runtime.Compiler;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * The lecture notes' backpropagation equations for {@code y = W2 g(W1 x + b1) + b2} with
 * {@code E = 1/2 ||y - t||²}: the walker's gradients equal the hand-derived delta rule
 * <pre>
 *   delta2 = y - t                      dE/dW2 = delta2 hᵀ     dE/db2 = delta2
 *   delta1 = g'(a1) ⊙ W2ᵀ delta2        dE/dW1 = delta1 xᵀ     dE/db1 = delta1
 * </pre>
 */
class DeltaRuleTest {

    @Property(tries = 30)
    void walkerGradientsEqualTheDeltaRule(@ForAll @IntRange(min = 1, max = 6) int in,
                                          @ForAll @IntRange(min = 1, max = 6) int hidden,
                                          @ForAll @IntRange(min = 1, max = 6) int out,
                                          @ForAll long seed) {
        var random = new SplittableRandom(seed);
        Tensor xv = Tensor.normal(Shape.of(in), 0, 1, random);
        Tensor tv = Tensor.normal(Shape.of(out), 0, 1, random);
        Tensor w1v = Tensor.normal(Shape.of(hidden, in), 0, 1, random);
        Tensor b1v = Tensor.normal(Shape.of(hidden), 0, 1, random);
        Tensor w2v = Tensor.normal(Shape.of(out, hidden), 0, 1, random);
        Tensor b2v = Tensor.normal(Shape.of(out), 0, 1, random);

        Input x = input("x", in), t = input("t", out);
        Input w1 = input("W1", hidden, in), b1 = input("b1", hidden);
        Input w2 = input("W2", out, hidden), b2 = input("b2", out);
        Node h = tanh(add(matmul(w1, x), b1));
        Node y = add(matmul(w2, h), b2);
        Node e = mul(0.5, sum(square(sub(y, t))));
        List<Node> grads = GradTable.grad(e, List.of(w1, b1, w2, b2));
        List<Tensor> walker = Compiler.compile(List.of(x, t, w1, b1, w2, b2), grads).call(xv, tv, w1v, b1v, w2v, b2v);

        // the same gradients by hand, in plain loops
        double[] a1 = new double[hidden], hv = new double[hidden], yv = new double[out];
        for (int j = 0; j < hidden; j++) {
            a1[j] = b1v.getFlat(j);
            for (int i = 0; i < in; i++) a1[j] += w1v.get(j, i) * xv.getFlat(i);
            hv[j] = Math.tanh(a1[j]);
        }
        double[] delta2 = new double[out];
        for (int k = 0; k < out; k++) {
            yv[k] = b2v.getFlat(k);
            for (int j = 0; j < hidden; j++) yv[k] += w2v.get(k, j) * hv[j];
            delta2[k] = yv[k] - tv.getFlat(k);
        }
        double[] delta1 = new double[hidden];
        for (int j = 0; j < hidden; j++) {
            double back = 0;
            for (int k = 0; k < out; k++) back += w2v.get(k, j) * delta2[k];
            delta1[j] = (1 - hv[j] * hv[j]) * back;   // g = tanh, g'(a) = 1 - tanh²(a)
        }
        Tensor dW2 = outer(delta2, hv), db2 = Tensor.vector(delta2);
        Tensor dW1 = outer(delta1, xv.toArray()), db1 = Tensor.vector(delta1);

        assertClose(dW1, walker.get(0));
        assertClose(db1, walker.get(1));
        assertClose(dW2, walker.get(2));
        assertClose(db2, walker.get(3));
    }

    private static Tensor outer(double[] u, double[] v) {
        double[] out = new double[u.length * v.length];
        for (int i = 0; i < u.length; i++) for (int j = 0; j < v.length; j++) out[i * v.length + j] = u[i] * v[j];
        return Tensor.of(out, u.length, v.length);
    }

    private static void assertClose(Tensor expected, Tensor actual) {
        assertTrue(actual.allClose(expected, 1e-12, 1e-12), () -> "expected " + expected + ", walker gave " + actual);
    }
}
