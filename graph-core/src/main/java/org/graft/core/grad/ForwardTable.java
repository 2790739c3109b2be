package org.graft.core.grad;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.graft.core.Apply;
import org.graft.core.Grad;
import org.graft.core.GradientError;
import org.graft.core.Graph;
import org.graft.core.Node;
import org.graft.core.Op;
import org.graft.core.ShapeError;
import org.graft.core.SourcePos;
import org.graft.core.grad.GradTable.Disconnected;
import org.graft.core.ops.Add;
import org.graft.core.ops.Broadcasting;
import org.graft.core.ops.FillLike;

/**
 * The forward-mode walker (Theano's R-op): the Jacobian-vector products {@code dy/dx · v}.
 * Seeded with the tangent {@code v} of each variable {@code x}, it visits the nodes in
 * topological order, and each node that depends on a variable along connected edges gets its
 * tangent from its inputs' tangents by its op's {@link Op#jvp}. Tangents are graphs of
 * ordinary ops, so they can be differentiated again, in either mode.
 *
 * <p>Where an op's rule comes from, cheapest first: one of its own (an override of
 * {@code jvp}); the diagonal rule of an {@link org.graft.core.Elementwise} op, whose Jacobian
 * is its own transpose, so its bprop with the tangent as the cotangent is the tangent's image;
 * the op applied to the tangents for a {@link org.graft.core.Linear} op, and one such term per
 * operand for a {@link org.graft.core.Multilinear} one; and for every other op the transpose of
 * its own bprop ({@link #byTransposition}), which is exact for any op, since a bprop is linear in
 * its cotangent, and costs about the bprop twice.
 */
public final class ForwardTable {
    private ForwardTable() {}

    /** {@code dy/dx · v}: the tangent of {@code y} when {@code x} moves along {@code v}, which has x's type. */
    public static Node jvp(Node y, Node x, Node v) { return jvp(List.of(y), List.of(x), List.of(v), Disconnected.RAISE).get(0); }

    /**
     * The tangent of each output when each variable {@code xs[i]} moves along {@code tangents[i]}
     * (of its type) together, in one walk. An output no variable reaches along connected edges
     * is an error naming it, or zeros of its type; one whose derivative is identically zero (a
     * comparison's) gets zeros either way.
     */
    public static List<Node> jvp(List<? extends Node> ys, List<? extends Node> xs, List<? extends Node> tangents,
                                 Disconnected whenDisconnected) {
        if (xs.size() != tangents.size()) {
            throw new IllegalArgumentException("jvp: " + xs.size() + " variables and " + tangents.size() + " tangents");
        }
        Map<Node, Node> tangent = new IdentityHashMap<>();
        for (int i = 0; i < xs.size(); i++) {
            Node x = xs.get(i), v = tangents.get(i);
            if (!v.type().equals(x.type())) {
                throw new ShapeError(v.pos(), "jvp: the tangent of " + x.label() + " has type " + v.type() + ", " + x.label()
                        + " has " + x.type());
            }
            // a variable listed twice moves along both tangents
            tangent.merge(x, v, (a, b) -> Apply.at(x.pos(), new Add(), List.of(a, b)));
        }
        Set<Node> variables = identitySet();
        variables.addAll(xs);
        Set<Node> zero = identitySet(); // depends on a variable, with an identically-zero tangent
        for (Node n : Graph.topologicalOrder(ys)) {
            if (variables.contains(n) || !(n instanceof Apply a)) continue;
            List<Node> in = a.inputs();
            var ts = new ArrayList<Node>(in.size());
            boolean any = false, reached = false;
            for (int i = 0; i < in.size(); i++) {
                boolean connected = a.op().connected(i);
                Node t = connected ? tangent.get(in.get(i)) : null;
                ts.add(t);
                any |= t != null;
                reached |= connected && zero.contains(in.get(i));
            }
            if (!any) {
                if (reached) zero.add(n);
                continue;
            }
            List<Node> given = Collections.unmodifiableList(ts);
            Grad g = SourcePos.buildingAt(a.pos(), () -> a.op().jvp(in, a, given));
            if (g instanceof Grad.Term t) {
                if (!t.value().type().equals(a.type())) {
                    throw new GradientError(a.pos(), "jvp of " + a.op().name() + " returned " + t.value().type()
                            + " for an output of type " + a.type());
                }
                tangent.put(n, t.value());
            } else if (g instanceof Grad.NotDifferentiable nd) {
                throw new GradientError(a.pos(), Apply.call(a.op(), in) + " is not differentiable: " + nd.why()
                        + " (wrap it in stop_gradient if no derivative should pass)");
            } else {
                zero.add(n);
            }
        }
        var out = new ArrayList<Node>(ys.size());
        for (Node y : ys) {
            Node t = tangent.get(y);
            if (t == null && (zero.contains(y) || whenDisconnected == Disconnected.ZEROS)) {
                t = SourcePos.buildingAt(y.pos(), () -> Apply.of(new FillLike(0.0), y));
            }
            if (t == null) {
                throw new GradientError(y.pos(), "jvp: " + y.label() + " does not depend on "
                        + (xs.size() == 1 ? xs.get(0).label() : "the variables") + " along any path a derivative passes");
            }
            out.add(t);
        }
        return out;
    }

    /**
     * An op's tangent from its bprop, for an op without a rule of its own. The bprop's terms
     * {@code g_i(u)} are linear in the cotangent {@code u}, so with {@code t_i} the inputs'
     * tangents, {@code Σ_i <g_i(u), t_i> = <u, J t>}, whose gradient with respect to {@code u}
     * is the tangent {@code J t}. One reverse walk over the terms forms it: it starts at each
     * term with its input's tangent as the gradient (broadcast to a term that the walker would
     * have summed back to its input's shape), holds the op's inputs and output constant, and
     * never builds the sum.
     *
     * <p>The gradient of a linear function does not depend on where it is taken, so the result
     * reads no value of {@code u}, which stands in as zeros of {@code y}'s type; but it may read
     * the shape of a node built from {@code u} (a broadcast back to a term's shape), so
     * {@code u} is a node with a value, not an input that would have to be fed.
     */
    public static Grad byTransposition(Op op, List<Node> in, Node y, List<Node> tangents) {
        Node u = Apply.of(new FillLike(0.0), y);
        List<Grad> terms = op.bprop(in, y, u);
        Map<Node, Node> seeds = new LinkedHashMap<>();
        for (int i = 0; i < in.size(); i++) {
            Node t = tangents.get(i);
            if (t == null) continue;
            Grad g = terms.get(i);
            if (g instanceof Grad.NotDifferentiable) return g;
            if (g instanceof Grad.Term term) {
                Node gi = term.value();
                // a broadcast term has the output's type, mostly: then y lends the shape, not a node built from u
                Node like = gi.type().equals(y.type()) ? y : gi;
                seeds.merge(gi, Broadcasting.broadcastLike(t, like), (a, b) -> Apply.of(new Add(), a, b));
            }
        }
        if (seeds.isEmpty()) return Grad.zero();
        Set<Node> held = identitySet();
        held.addAll(in);
        held.add(y);
        Node tangent = GradTable.transpose(seeds, List.of(u), held).get(0);
        if (tangent == null) return Grad.zero();
        if (readsValueOf(tangent, u, held)) {
            throw new GradientError(y.pos(), "jvp of " + op.name() + ": its bprop is not linear in the output's gradient, so its"
                    + " transpose cannot give the tangent; the op needs a jvp of its own");
        }
        return Grad.of(tangent);
    }

    /** Whether {@code root}'s value depends on {@code u}'s along edges whose values are read, not below {@code held}. */
    private static boolean readsValueOf(Node root, Node u, Set<Node> held) {
        Set<Node> seen = identitySet();
        var work = new ArrayList<Node>(List.of(root));
        while (!work.isEmpty()) {
            Node n = work.remove(work.size() - 1);
            if (n == u) return true;
            if (held.contains(n) || !seen.add(n) || !(n instanceof Apply a)) continue;
            for (int i = 0; i < n.inputs().size(); i++) if (a.op().readsValues(i)) work.add(n.inputs().get(i));
        }
        return false;
    }

    private static Set<Node> identitySet() { return Collections.newSetFromMap(new IdentityHashMap<>()); }
}
