package org.graft.core.rewrite;

import java.util.function.Function;
import java.util.function.ToIntFunction;

import org.graft.core.Apply;
import org.graft.core.Node;

/**
 * A rewrite: where {@code pattern} matches, the node is replaced by what {@code replacement}
 * builds from the match. The name is the math ({@code "log(1+x) -> log1p(x)"}); it is what the
 * rewrite log prints. A replacement may decline by returning null, for conditions a pattern
 * cannot say. It must give a node of the same type as the one it replaces.
 */
public record Rule(String name, Pattern pattern, Function<Match, Node> replacement) {

    public static Rule rule(String name, Pattern pattern, Function<Match, Node> replacement) {
        return new Rule(name, pattern, replacement);
    }

    /** The replacement for {@code node}, or null where the rule does not apply; {@code uses} counts a node's readers. */
    Node apply(Apply node, ToIntFunction<Node> uses) {
        Match m = Match.of(pattern, node, uses);
        return m == null ? null : replacement.apply(m);
    }
}
