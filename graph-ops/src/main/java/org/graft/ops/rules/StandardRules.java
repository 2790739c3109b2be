package org.graft.ops.rules;

import java.util.List;

import org.graft.core.rewrite.Phase;
import org.graft.core.rewrite.RuleSets;

/**
 * The standard phases, registered with the engine as a service
 * ({@code META-INF/services/org.graft.core.rewrite.RuleSets}): canonicalize (with constant
 * folding and merging), then stabilize, then specialize (each merging what its rules build).
 */
public final class StandardRules implements RuleSets {
    public static final String CANONICALIZE = "canonicalize";
    public static final String STABILIZE = "stabilize";
    public static final String SPECIALIZE = "specialize";

    @Override
    public List<Phase> phases() {
        return List.of(new Phase(CANONICALIZE, Canonicalize.RULES, true, true),
                new Phase(STABILIZE, Stabilize.RULES, false, true),
                new Phase(SPECIALIZE, Specialize.RULES, false, true));
    }
}
