package org.graft.ops;

import static org.graft.ops.Ops.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.graft.core.GradientError;
import org.graft.core.Graph;
import org.graft.core.Input;
import org.graft.core.Node;
import org.graft.core.Param;
import org.graft.core.ShapeError;
import org.graft.core.Type;
import org.graft.core.check.Tensors;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * Jacobians, Hessians and Hessian-vector products: against closed forms where the math gives
 * one, against central differences where it does not, and their graphs' sizes against the
 * gradient's (a Hessian of n elements costs about n gradient graphs, a Hessian-vector product a
 * small multiple of one).
 */
class DerivativesTest {

    private static final SplittableRandom RANDOM = new SplittableRandom(20270117);

    @Example
    void theJacobianOfALinearMapIsItsMatrix() {
        Tensor a = Tensor.uniform(Shape.of(3, 4), -2, 2, RANDOM);
        Input x = input("x", 4);
        Node j = jacobian(matmul(constant(a), x), x);
        assertEquals(Type.f64(3, 4), j.type());
        assertEquals(a, eval(List.of(x), j, Tensor.vector(1, 2, 3, 4)));
    }

    @Property(tries = 30)
    void theJacobianMatchesFiniteDifferences(@ForAll("layers") List<Tensor> xw) {
        // y = tanh(x W), [n, k], with respect to W, [d, k]: J is [n, k, d, k]
        Input x = new Input("x", Type.of(xw.get(0))), w = new Input("W", Type.of(xw.get(1)));
        Node j = jacobian(tanh(matmul(x, w)), w);
        Tensor got = Compiler.compile(List.of(x, w), List.of(j), Options.NONE).call(xw.get(0), xw.get(1)).get(0);
        Tensor want = differences(v -> tanh(matmul(x, v)), w, List.of(x), xw.get(1), xw.get(0));
        assertEquals(want.shape(), got.shape());
        assertTrue(got.allClose(want, 1e-7, 1e-8), () -> got + "\nagainst differences\n" + want);
    }

    @Example
    void anElementwiseFunctionsJacobianIsDiagonalAndTakesOneWalk() {
        Input x = input("x", 2, 3);
        Node y = mul(sin(x), x);
        Node j = jacobian(y, x);
        Tensor at = Tensor.uniform(Shape.of(2, 3), -2, 2, RANDOM);
        Tensor got = eval(List.of(x), j, at);
        for (int p = 0; p < 6; p++) {
            for (int q = 0; q < 6; q++) {
                double v = at.getFlat(p);
                assertEquals(p == q ? Math.cos(v) * v + Math.sin(v) : 0, got.getFlat(p * 6 + q), 1e-15);
            }
        }
        // one gradient walk and a product with the identity, not six
        int walk = size(grad(sum(y), x));
        assertTrue(size(j) <= walk + 6, () -> size(j) + " nodes for a gradient of " + walk);
    }

    @Example
    void theJacobianOfAScalarIsTheGradientAndWithRespectToAScalarItsDerivative() {
        Input x = input("x", 3), s = input("s");
        Tensor at = Tensor.vector(0.5, -1, 2);
        assertEquals(eval(List.of(x), grad(sum(exp(x)), x), at), eval(List.of(x), jacobian(sum(exp(x)), x), at));
        Node j = jacobian(mul(x, square(s)), s);
        assertEquals(Type.f64(3), j.type());
        assertEquals(Tensor.vector(3, -6, 12), Compiler.compile(List.of(x, s), List.of(j)).call(at, Tensor.scalar(3)).get(0));
    }

    @Example
    void theJacobianNeedsConcreteDimsAndAVariableTheOutputDependsOn() {
        Input x = input("x", "n", 3), w = input("w", 3, 2), u = input("u", 2);
        var e = assertThrows(ShapeError.class, () -> jacobian(matmul(x, w), w));
        assertEquals("jacobian: matmul has the type [n, 2]; its dims must be sizes, since the Jacobian is built row by row",
                e.getMessage());
        var d = assertThrows(GradientError.class, () -> jacobian(matmul(constant(Tensor.ones(Shape.of(3))), w), u));
        assertEquals("grad: the cost does not depend on u", d.getMessage());
        assertEquals(Type.f64(0, 2, 3, 2), jacobian(matmul(constant(Tensor.zeros(Shape.of(0, 3))), w), w).type());
    }

    @Example
    void theHessianOfAQuadraticIsItsMatrix() {
        // cost = x'Qx/2 + b'x with Q symmetric: H = Q wherever it is taken
        Tensor r = Tensor.uniform(Shape.of(4, 4), -1, 1, RANDOM);
        Tensor q = r.add(r.transpose());
        Input x = input("x", 4);
        Node cost = add(mul(0.5, vdot(x, matmul(constant(q), x))), vdot(constant(Tensor.vector(1, -2, 3, 0.5)), x));
        Tensor h = eval(List.of(x), hessian(cost, x), Tensor.vector(3, 1, -4, 2));
        assertTrue(h.allClose(q, 1e-15, 1e-15), () -> h + " against " + q);
    }

    @Property(tries = 30)
    void theHessianMatchesFiniteDifferencesOfTheGradient(@ForAll("matrices") Tensor a) {
        // cost = sum(softplus(A x)) + sum(x^4) / 12, x [d], A [m, d]
        Input x = input("x", a.shape().dim(1));
        UnaryOperator<Node> cost = v -> add(sum(softplus(matmul(constant(a), v))), div(sum(pow(v, 4.0)), 12.0));
        Tensor at = Tensor.uniform(x.type().shape(), -1.5, 1.5, RANDOM);
        Tensor got = eval(List.of(x), hessian(cost.apply(x), x), at);
        Tensor want = differences(v -> grad(cost.apply(v), v), x, List.of(), at);
        assertTrue(got.allClose(want, 1e-7, 1e-8), () -> got + "\nagainst differences\n" + want);
        assertTrue(got.allClose(got.transpose(), 1e-13, 1e-14), () -> got + " is not symmetric");
    }

    @Example
    void theHessianOfASumOfElementwiseFunctionsIsDiagonalAndTakesOneWalk() {
        Input x = input("x", 5);
        Node h = hessian(sum(exp(x)), x);
        Tensor at = Tensor.vector(0, 1, -1, 2, 0.5);
        Tensor got = eval(List.of(x), h, at);
        for (int p = 0; p < 5; p++) for (int q = 0; q < 5; q++) assertEquals(p == q ? Math.exp(at.getFlat(p)) : 0, got.get(p, q));
        // one walk over the gradient and a product with the identity, where five rows would take five walks
        int g = size(grad(sum(exp(x)), x));
        assertTrue(size(h) < 3 * g, () -> size(h) + " nodes for a gradient of " + g);
    }

    @Example
    void theHessianOfALinearCostIsZeroButOfACostIndependentOfXAnError() {
        Input x = input("x", 3), y = input("y", 3);
        assertEquals(Tensor.zeros(Shape.of(3, 3)), eval(List.of(x), hessian(sum(mul(x, 2.0)), x), Tensor.vector(1, 2, 3)));
        var e = assertThrows(GradientError.class, () -> hessian(sum(y).named("c"), x));
        assertEquals("grad: c does not depend on x", e.getMessage());
    }

    @Property(tries = 30)
    void theHessianVectorProductIsTheHessianTimesTheVector(@ForAll("matrices") Tensor w0) {
        // a matrix variable: H is [d, k, d, k], read as a (dk x dk) matrix against v flattened
        Param w = param("W", w0);
        Input x = input("x", 3, w0.shape().dim(0));
        Tensor targets = Tensor.uniform(Shape.of(3, w0.shape().dim(1)), 0, 1, RANDOM);
        Node cost = add(mean(softmaxCrossEntropy(matmul(tanh(x), w), constant(targets))), sum(sin(w)));
        Tensor v = Tensor.uniform(w0.shape(), -1, 1, RANDOM);
        Tensor at = Tensor.uniform(x.type().shape(), -2, 2, RANDOM);
        List<Tensor> out = Compiler.compile(List.of(x), List.of(hessian(cost, w), hvp(cost, w, constant(v))), Options.NONE).call(at);
        int n = w0.size();
        Tensor hv = out.get(0).reshape(Shape.of(n, n)).matmul(v.reshape(Shape.of(n)));
        assertTrue(out.get(1).reshape(Shape.of(n)).allClose(hv, 1e-12, 1e-13), () -> out.get(1) + " against " + hv);
    }

    @Example
    void hvpNeedsAVectorOfTheVariablesType() {
        Input x = input("x", 3);
        var e = assertThrows(ShapeError.class, () -> hvp(sum(exp(x)), x, input("v", 2)));
        assertEquals("hvp: v has type [2], x has [3]", e.getMessage());
    }

    /**
     * The Hessian of an n-vector costs about n gradient graphs: at most 2n of the gradient's
     * size, growing linearly with n (16 elements at most 2.2 times the nodes of 8).
     */
    @Example
    void aHessiansGraphGrowsLinearlyWithTheNumberOfVariables() {
        var sizes = new ArrayList<Integer>();
        for (int n : new int[] {4, 8, 16}) {
            Input x = input("x", n);
            Tensor a = Tensor.uniform(Shape.of(3, n), -1, 1, RANDOM);
            Node cost = add(logsumexp(matmul(constant(a), x)), sum(square(tanh(x))));
            int g = size(grad(cost, x)), h = size(hessian(cost, x));
            assertTrue(h <= 2 * n * g, () -> "n = " + n + ": the Hessian has " + h + " nodes, the gradient " + g);
            sizes.add(h);
        }
        assertTrue(sizes.get(2) <= 2.2 * sizes.get(1), () -> "Hessians of 8 and 16 elements: " + sizes);
    }

    /**
     * A Hessian-vector product costs a small multiple of the gradient, whatever the depth:
     * forward mode over the gradient of a deep classifier has at most three times its nodes.
     */
    @Example
    void aHessianVectorProductsGraphIsASmallMultipleOfTheGradients() {
        for (int layers : new int[] {2, 8, 16}) {
            var random = new SplittableRandom(7);
            Input x = input("x", "n", 5), t = input("t", "n", 5);
            Node h = x;
            Param w0 = null;
            for (int i = 0; i < layers; i++) {
                Param w = param("W" + i, Tensor.normal(Shape.of(5, 5), 0, 0.3, random));
                if (i == 0) w0 = w;
                Node z = add(matmul(h, w), param("b" + i, Tensor.zeros(Shape.of(5))));
                h = i == layers - 1 ? z : tanh(z);
            }
            Node loss = mean(softmaxCrossEntropy(h, t));
            int g = size(grad(loss, w0)), hv = size(hvp(loss, w0, constant(Tensor.full(Shape.of(5, 5), 0.5))));
            int depth = layers;
            assertTrue(hv <= 3 * g, () -> depth + " layers: the product has " + hv + " nodes, the gradient " + g);
        }
    }

    @Example
    void gradHoldsNodesConstantAndStartsFromKnownGradientsFromJava() {
        Input x = input("x", 3);
        Node h = exp(x);
        Node cost = sum(mul(h, x));
        Tensor at = Tensor.vector(0, 1, -1);
        // h held: d/dx sum(h x) = h
        assertEquals(at.map(Math::exp), eval(List.of(x), grad(cost, List.of(x), List.of(h)).get(0), at));
        // no cost, dC/dh known to be 2: dC/dx = 2 e^x
        assertEquals(at.map(v -> 2 * Math.exp(v)),
                eval(List.of(x), grad(null, List.of(x), Map.of(h, constant(Tensor.full(Shape.of(3), 2))), List.of()).get(0), at));
    }

    @Example
    void jvpAndVjpAreTheTwoProductsWithTheJacobian() {
        Input x = input("x", 2);
        Tensor a = Tensor.matrix(new double[] {1, 2}, new double[] {3, 4}, new double[] {5, 6});
        Node y = matmul(constant(a), x);
        List<Tensor> out = Compiler.compile(List.of(x), List.of(jvp(y, x, constant(Tensor.vector(1, -1))),
                vjp(y, x, constant(Tensor.vector(1, 0, -1))))).call(Tensor.vector(0, 0));
        assertEquals(List.of(Tensor.vector(-1, -1, -1), Tensor.vector(-4, -4)), out);
    }

    @Example
    void theDerivativesOfAnF32GraphAreF32() {
        Input x = new Input("x", Type.f32(3));
        Node cost = sum(mul(exp(x), x));
        for (Node d : List.of(jacobian(exp(matmul(constant(Tensor.ones(Shape.of(2, 3)).astype(DType.F32)), x)), x), hessian(cost, x),
                hvp(cost, x, x), jvp(cost, x, x), vjp(exp(x), x, x))) {
            for (Node n : Graph.topologicalOrder(List.of(d))) assertEquals(DType.F32, n.type().dtype(), n::toString);
        }
    }

    /**
     * The Jacobian of {@code f} at {@code at} by central differences, of type
     * {@code f.dims + x.dims}, the other inputs fixed at {@code others}.
     */
    private static Tensor differences(UnaryOperator<Node> f, Input x, List<Input> fixed, Tensor at, Tensor... others) {
        var inputs = new ArrayList<Input>(fixed);
        inputs.add(x);
        var fn = Compiler.compile(inputs, List.of(f.apply(x)), Options.NONE);
        double h = 1e-5;
        Tensor first = null;
        double[][] columns = new double[at.size()][];
        for (int j = 0; j < at.size(); j++) {
            double[] plus = at.toArray(), minus = at.toArray();
            plus[j] += h;
            minus[j] -= h;
            Tensor up = call(fn, others, Tensor.of(at.shape(), plus)), down = call(fn, others, Tensor.of(at.shape(), minus));
            columns[j] = up.sub(down).map(d -> d / (2 * h)).toArray();
            first = up;
        }
        int m = first.size(), n = at.size();
        double[] j = new double[m * n];
        for (int p = 0; p < m; p++) for (int q = 0; q < n; q++) j[p * n + q] = columns[q][p];
        int[] dims = java.util.stream.IntStream.concat(java.util.stream.IntStream.of(first.shape().dims()),
                java.util.stream.IntStream.of(at.shape().dims())).toArray();
        return Tensor.of(j, dims);
    }

    private static Tensor call(org.graft.core.runtime.Function f, Tensor[] others, Tensor x) {
        var values = new ArrayList<>(List.of(others));
        values.add(x);
        return f.call(values).get(0);
    }

    private static Tensor eval(List<Input> inputs, Node out, Tensor... values) {
        return Compiler.compile(inputs, List.of(out), Options.NONE).call(values).get(0);
    }

    private static int size(Node n) { return Graph.topologicalOrder(List.of(n)).size(); }

    @Provide
    Arbitrary<List<Tensor>> layers() {
        var dim = Arbitraries.integers().between(1, 3);
        return Combinators.combine(dim, dim, dim).flatAs((n, d, k) -> Combinators.combine(Tensors.withShape(Shape.of(n, d)).between(-1, 1),
                Tensors.withShape(Shape.of(d, k)).between(-1, 1)).as(List::of));
    }

    @Provide
    Arbitrary<Tensor> matrices() { return Tensors.withShapes(Tensors.shapes(2, 1, 3).filter(s -> s.rank() == 2)).between(-1, 1); }
}
