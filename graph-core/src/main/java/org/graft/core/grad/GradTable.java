package org.graft.core.grad;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Grad;
import org.graft.core.GradientError;
import org.graft.core.Graph;
import org.graft.core.Node;
import org.graft.core.ShapeError;
import org.graft.core.SourcePos;
import org.graft.core.Type;
import org.graft.core.ops.Add;
import org.graft.core.ops.Broadcasting;
import org.graft.core.ops.FillLike;
import org.graft.core.tensor.Tensor;

/**
 * The reverse-mode walker ({@code grad_table} of the lecture notes). Seeded with
 * {@code table[cost] = 1}, it visits the nodes in reverse topological order; each node's
 * gradient is the sum of the terms its consumers' {@code bprop}s give it, each term first
 * summed back to the node's shape when the consumer broadcast it. Only nodes on a path from a
 * requested variable to the cost are visited.
 *
 * <p>The gradients are graphs of ordinary ops, so they can be differentiated again.
 */
public final class GradTable {
    private GradTable() {}

    /** What to do for a variable that no gradient reaches. */
    public enum Disconnected {
        /** Raise a {@link GradientError} naming it: usually a mistake in the model. */
        RAISE,
        /** Return zeros of its shape. */
        ZEROS
    }

    /** {@code dcost/dwrt} for a scalar cost. */
    public static Node grad(Node cost, Node wrt) { return grad(cost, List.of(wrt)).get(0); }

    /** The gradients of a scalar cost, one per variable in {@code wrt}, each of its variable's type. */
    public static List<Node> grad(Node cost, List<? extends Node> wrt) {
        return grad(cost, wrt, Disconnected.RAISE);
    }

    public static List<Node> grad(Node cost, List<? extends Node> wrt, Disconnected whenDisconnected) {
        if (!cost.type().isScalar()) {
            throw new ShapeError(cost.pos(), "grad: the cost must be a scalar, found " + cost.label() + ": " + cost.type());
        }
        // d cost / d cost, in the cost's dtype, where the cost is written
        Node one = Constant.of(Tensor.scalar(cost.type().dtype(), 1.0)).at(cost.pos());
        return vjp(cost, one, wrt, whenDisconnected);
    }

    /**
     * The vector-Jacobian products {@code gy^T dy/dw} for every {@code w} in {@code wrt}: the
     * gradients of {@code sum(y * gy)} without building that cost. {@code gy} has {@code y}'s type.
     */
    public static List<Node> vjp(Node y, Node gy, List<? extends Node> wrt, Disconnected whenDisconnected) {
        if (!gy.type().equals(y.type())) {
            throw new ShapeError(gy.pos(), "vjp: the output gradient has type " + gy.type() + ", the output " + y.type());
        }
        return new Walk(y, wrt).run(gy, whenDisconnected);
    }

    /** One walk: the terms collected so far for every node on a path from a variable to the output. */
    private static final class Walk {
        private final Node y;
        private final List<? extends Node> wrt;
        private final Set<Node> wanted = identitySet();
        private final Set<Node> depends = identitySet();   // its value depends on some variable in wrt
        private final Set<Node> reaches = identitySet();   // ... along connected edges: a gradient can flow back
        private final Set<Node> zero = identitySet();      // received an identically-zero gradient
        private final Map<Node, List<Node>> terms = new IdentityHashMap<>();
        private final Map<Node, Node> result = new IdentityHashMap<>();
        private final List<Node> order;

        Walk(Node y, List<? extends Node> wrt) {
            this.y = y;
            this.wrt = wrt;
            wanted.addAll(wrt);
            order = Graph.topologicalOrder(List.of(y));
            for (Node n : order) {
                List<Node> in = n.inputs();
                if (wanted.contains(n) || in.stream().anyMatch(depends::contains)) depends.add(n);
                boolean flows = wanted.contains(n);
                for (int i = 0; !flows && i < in.size(); i++) {
                    flows = ((Apply) n).op().connected(i) && reaches.contains(in.get(i));
                }
                if (flows) reaches.add(n);
            }
        }

        List<Node> run(Node gy, Disconnected whenDisconnected) {
            if (reaches.contains(y)) terms.put(y, new ArrayList<>(List.of(gy)));
            for (int i = order.size() - 1; i >= 0; i--) {
                Node n = order.get(i);
                if (!reaches.contains(n)) continue;
                Node g = total(n);
                if (g == null && !zero.contains(n)) continue; // no gradient flows into n
                if (wanted.contains(n)) {
                    if (g != null) g = nameGradient(g, n);
                    result.put(n, g != null ? g : nameGradient(SourcePos.buildingAt(n.pos(), () -> zerosLike(n)), n));
                }
                if (n instanceof Apply a) propagate(a, g);
            }
            var out = new ArrayList<Node>(wrt.size());
            for (Node w : wrt) {
                Node g = result.get(w);
                if (g == null) g = disconnected(w, whenDisconnected);
                out.add(g);
            }
            return out;
        }

        /** The sum of n's terms, or null when it has none. */
        private Node total(Node n) {
            List<Node> ts = terms.remove(n);
            if (ts == null) return null;
            Node sum = ts.get(0);
            for (int i = 1; i < ts.size(); i++) sum = Apply.at(n.pos(), new Add(), List.of(sum, ts.get(i)));
            return sum;
        }

        /** Hands n's gradient g (null when it is identically zero) to each input that leads back to a variable. */
        private void propagate(Apply a, Node g) {
            List<Node> in = a.inputs();
            if (g == null) { // the vjp is linear in g: zero in, zero out
                for (int i = 0; i < in.size(); i++) if (a.op().connected(i) && reaches.contains(in.get(i))) zero.add(in.get(i));
                return;
            }
            List<Grad> grads = SourcePos.buildingAt(a.pos(), () -> a.op().bprop(in, a, g));
            if (grads.size() != in.size()) {
                throw new GradientError(a.pos(), "bprop of " + a.op().name() + " returned " + grads.size()
                        + " terms for " + in.size() + " inputs");
            }
            for (int i = 0; i < in.size(); i++) {
                Node x = in.get(i);
                if (!reaches.contains(x) || !a.op().connected(i)) continue;
                Grad gi = grads.get(i);
                if (gi instanceof Grad.Term t) {
                    Node term = SourcePos.buildingAt(a.pos(), () -> reduceTo(t.value(), x, a));
                    terms.computeIfAbsent(x, k -> new ArrayList<>()).add(term);
                } else if (gi instanceof Grad.Zero) {
                    zero.add(x);
                } else if (gi instanceof Grad.NotDifferentiable nd) {
                    throw new GradientError(a.pos(), Apply.call(a.op(), in) + " is not differentiable with respect to "
                            + x.label() + ": " + nd.why() + " (wrap it in stop_gradient if no gradient should pass)");
                }
                // Grad.Disconnected: x gets nothing from this consumer
            }
        }

        /** A term of x's type: summed back over the axes along which the consumer broadcast x. */
        private static Node reduceTo(Node term, Node x, Apply consumer) {
            Type want = x.type();
            if (term.type().equals(want)) return term;
            try {
                return Broadcasting.sumTo(term, want);
            } catch (ShapeError e) {
                throw new GradientError(consumer.pos(), "bprop of " + consumer.op().name() + " returned " + term.type()
                        + " for an input of shape " + want);
            }
        }

        private Node disconnected(Node w, Disconnected whenDisconnected) {
            if (whenDisconnected == Disconnected.ZEROS) return nameGradient(SourcePos.buildingAt(w.pos(), () -> zerosLike(w)), w);
            String cost = y.name().orElse("the cost");
            String what = w.name().isPresent() || w.type().rank() == 0 ? w.label()
                    : "this " + (w instanceof Constant ? "constant" : "expression");
            String why = depends.contains(w)
                    ? "no gradient reaches " + what + ": every path from it to " + cost
                            + " passes through stop_gradient or uses only its shape (as zeros_like does)"
                    : cost + " does not depend on " + what;
            throw new GradientError(w.pos(), "grad: " + why);
        }

        private static Node zerosLike(Node n) { return Apply.of(new FillLike(0.0), n); }

        /** Gradients of named nodes read {@code dloss/dW} in dumps and errors. */
        private Node nameGradient(Node g, Node of) {
            if (!(g instanceof Apply ga) || of.name().isEmpty()) return g;
            return ga.named("d" + y.name().orElse("cost") + "/d" + of.name().get());
        }

        private static Set<Node> identitySet() { return Collections.newSetFromMap(new IdentityHashMap<>()); }
    }
}
