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

    /** The match of {@code pattern} at {@code node}, or null; {@code uses} counts a node's readers. */
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

    /**
     * How often the graph being rewritten reads the node bound to {@code var}: once for each
     * input edge into a consumer (a read of its shape alone included, since the node is still
     * computed for it), and once for each root it is. A rule that absorbs a node into its
     * replacement (a product into a GEMM with its bias) declines unless this is 1, or the graph
     * would compute the node twice.
     *
     * <p>The count is of the graph as the current walk found it, plus the readers that rules
     * have built since; a reader a rule left dead still counts, so the count errs upwards. The
     * exception is two equal nodes merged during the walk, which count together only from the
     * merge on (canonicalize merges before the later phases run). A node with no reader counted
     * reads as {@link Integer#MAX_VALUE}.
     */
    public int uses(Pattern.Var var) { return uses.applyAsInt(get(var)); }

    /** The op of the node bound to {@code var}, e.g. a reduction whose axes the replacement needs. */
    public <T extends Op> T op(Pattern.Var var, Class<T> type) { return type.cast(((Apply) get(var)).op()); }

    /** The op of the node the whole pattern matched. */
    public <T extends Op> T op(Class<T> type) { return type.cast(node.op()); }

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
