package org.graft.ops;

import static org.graft.ops.Ops.concat;
import static org.graft.ops.Ops.mul;
import static org.graft.ops.Ops.onesLike;
import static org.graft.ops.Ops.reshape;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Elementwise;
import org.graft.core.Graph;
import org.graft.core.Node;
import org.graft.core.ShapeError;
import org.graft.core.grad.ForwardTable;
import org.graft.core.grad.GradTable;
import org.graft.core.grad.GradTable.Disconnected;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * Jacobians, Hessians and Hessian-vector products as graphs, built from graph-core's walkers
 * ({@link GradTable} in reverse, {@link ForwardTable} forward) and the shape ops. The Java API
 * is {@link Ops#jacobian}, {@link Ops#hessian} and {@link Ops#hvp} (beside {@link Ops#jvp} and
 * {@link Ops#vjp}); they are not {@code org.graft.core.Grad}, which is one term of a bprop.
 */
final class Derivatives {
    private Derivatives() {}

    /**
     * The Jacobian {@code J[i..., j...] = dy[i...]/dx[j...]}, of type {@code y.dims + x.dims} in
     * x's dtype, for concrete types. Row by row, in reverse mode: row i is the vector-Jacobian
     * product with the i-th unit cotangent, so y's m elements cost m gradient graphs, each a
     * walk of its own (PyTorch's {@code autograd.functional.jacobian}, JAX's {@code jacrev}).
     * Where every op on a path from x to y is elementwise and y has x's type, the Jacobian is
     * diagonal and one walk with a cotangent of ones gives all of it. A variable no derivative
     * reaches is an error or zeros, as {@code whenDisconnected} says.
     */
    static Node jacobian(Node y, Node x, Disconnected whenDisconnected) {
        for (Node v : List.of(y, x)) {
            if (!v.type().isConcrete()) {
                throw new ShapeError(v.pos(), "jacobian: " + v.label() + " has the type " + v.type() + "; its dims must be"
                        + " sizes, since the Jacobian is built row by row");
            }
        }
        Shape ys = y.type().shape(), xs = x.type().shape();
        int m = ys.size(), n = xs.size();
        DType dtype = x.type().dtype();
        int[] dims = IntStream.concat(IntStream.of(ys.dims()), IntStream.of(xs.dims())).toArray();
        if (m == 0 || n == 0) return Constant.of(Tensor.zeros(dtype, Shape.of(dims)));
        if (diagonal(y, x)) {
            Node d = GradTable.vjp(y, onesLike(y), List.of(x), whenDisconnected).get(0);
            return reshape(mul(reshape(d, 1, n), Constant.of(identity(dtype, n))), dims);
        }
        var rows = new ArrayList<Node>(m);
        for (int i = 0; i < m; i++) {
            Node unit = Constant.of(unit(y.type().dtype(), ys, i));
            rows.add(reshape(GradTable.vjp(y, unit, List.of(x), whenDisconnected).get(0), 1, n));
        }
        return reshape(m == 1 ? rows.get(0) : concat(rows, 0), dims);
    }

    /**
     * The Hessian of a scalar cost, {@code H[i..., j...] = d²cost/dx[i...]dx[j...]}, of type
     * {@code x.dims + x.dims}: the Jacobian of the gradient, so x's n elements cost n walks over
     * the gradient's graph, one when the gradient is elementwise in x (a sum of functions of one
     * element each). The cost must depend on x; a gradient that does not (a linear cost's) has a
     * zero Hessian.
     */
    static Node hessian(Node cost, Node x) { return jacobian(GradTable.grad(cost, x), x, Disconnected.ZEROS); }

    /**
     * The Hessian-vector product {@code H v}, of x's type, for {@code v} of x's type, without
     * forming H: forward mode over the gradient (the tangent of {@code grad(cost, x)} as x moves
     * along v), a constant multiple of the gradient's size.
     */
    static Node hvp(Node cost, Node x, Node v) {
        if (!v.type().equals(x.type())) {
            throw new ShapeError(v.pos(), "hvp: v has type " + v.type() + ", x has " + x.type());
        }
        Node g = GradTable.grad(cost, x);
        return ForwardTable.jvp(List.of(g), List.of(x), List.of(v), Disconnected.ZEROS).get(0);
    }

    /**
     * Whether dy/dx is diagonal because y has x's type and every node that depends on x along
     * connected edges is elementwise: such a node's element i depends on element i of its
     * operands alone, and none of them is broadcast, since shapes only grow along elementwise
     * ops and y ends at x's.
     */
    private static boolean diagonal(Node y, Node x) {
        if (!y.type().equals(x.type())) return false;
        Set<Node> depends = Collections.newSetFromMap(new IdentityHashMap<>());
        depends.add(x);
        for (Node n : Graph.topologicalOrder(List.of(y))) {
            if (n == x || !(n instanceof Apply a)) continue;
            boolean onPath = false;
            for (int i = 0; i < n.inputs().size(); i++) onPath |= a.op().connected(i) && depends.contains(n.inputs().get(i));
            if (!onPath) continue;
            if (!(a.op() instanceof Elementwise)) return false;
            depends.add(n);
        }
        return true;
    }

    /** The n x n identity matrix. */
    private static Tensor identity(DType dtype, int n) {
        double[] data = new double[n * n];
        for (int i = 0; i < n; i++) data[i * n + i] = 1;
        return Tensor.of(dtype, Shape.of(n, n), data);
    }

    /** The tensor of this shape that is 1 at flat position i and 0 elsewhere. */
    private static Tensor unit(DType dtype, Shape shape, int i) {
        double[] data = new double[shape.size()];
        data[i] = 1;
        return Tensor.of(dtype, shape, data);
    }
}
