package org.graft.core.rewrite;

import java.util.List;

/**
 * A named group of rules run together to a fixpoint. {@code fold} turns on constant folding
 * and {@code merge} the merging of equal subgraphs (common subexpressions) for the phase.
 */
public record Phase(String name, List<Rule> rules, boolean fold, boolean merge) {
    public Phase { rules = List.copyOf(rules); }

    /** A phase of rules only. */
    public static Phase of(String name, List<Rule> rules) { return new Phase(name, rules, false, false); }
}
