package org.graft.core.rewrite;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

import org.graft.core.Apply;
import org.graft.core.Constant;
import org.graft.core.Node;
import org.graft.core.Op;

/** The nodes a pattern bound when it matched a node. */
public final class Match {
    private final Apply node;
    private final Map<Pattern.Var, Node> bound;
    private final ToIntFunction<Node> uses;

    private Match(Apply node, Map<Pattern.Var, Node> bound, ToIntFunction<Node> uses) {
        this.node = node;
        this.bound = bound;
        this.uses = uses;
    }

    /** The match of {@code pattern} at {@code node}, or null; {@code uses} counts a node's uses in the graph. */
    static Match of(Pattern pattern, Apply node, ToIntFunction<Node> uses) {
        var bound = new HashMap<Pattern.Var, Node>();
        return matches(pattern, node, bound) ? new Match(node, bound, uses) : null;
    }

    /** The node the whole pattern matched. */
    public Apply node() { return node; }

    /** The node bound to {@code var}. */
    public Node get(Pattern.Var var) {
        Node n = bound.get(var);
        if (n == null) throw new IllegalArgumentException("the pattern binds no variable " + var.name());
        return n;
    }

    /** {@link #uses(Node)} of the node bound to {@code var}. */
    public int uses(Pattern.Var var) { return uses(get(var)); }

    /** The op of the node bound to {@code var}, e.g. a reduction whose axes the replacement needs. */
    public <T extends Op> T op(Pattern.Var var, Class<T> type) { return type.cast(((Apply) get(var)).op()); }

    /** The op of the node the whole pattern matched. */
    public <T extends Op> T op(Class<T> type) { return type.cast(node.op()); }

    /**
     * How many operands of nodes in the graph being rewritten are {@code n}, plus one if it is
     * a root: 1 for a node that only the matched pattern reads. For rules that replace several
     * nodes by fewer, which only pays when no other node keeps them. The count is never too
     * small, and may be too large: a node loses no uses when the nodes reading it are replaced
     * during a walk, only when the next walk counts again.
     */
    public int uses(Node n) { return uses.applyAsInt(n); }

    private static boolean matches(Pattern p, Node n, Map<Pattern.Var, Node> bound) {
        if (p instanceof Pattern.Var v) {
            Node earlier = bound.putIfAbsent(v, n);
            return earlier == null || earlier == n;
        }
        if (p instanceof Pattern.Any) return true;
        if (p instanceof Pattern.Scalar s) return n instanceof Constant c && allEqual(c, s.value());
        if (p instanceof Pattern.Bound b) return matches(b.pattern(), n, bound) && matches(b.var(), n, bound);
        if (p instanceof Pattern.Guarded g) return matches(g.pattern(), n, bound) && g.guard().test(n);
        var op = (Pattern.OpPattern) p;
        if (!(n instanceof Apply a) || !op.op().isInstance(a.op())) return false;
        List<Node> in = a.inputs();
        if (in.size() != op.inputs().size()) return false;
        for (int i = 0; i < in.size(); i++) if (!matches(op.inputs().get(i), in.get(i), bound)) return false;
        return true;
    }

    private static boolean allEqual(Constant c, double value) {
        for (int i = 0; i < c.value().size(); i++) {
            if (c.value().getFlat(i) != value) return false; // so NaN never matches, and -0 matches 0
        }
        return true;
    }
}
