package org.graft.ops.rules;

import java.util.List;

import org.graft.core.rewrite.Rule;

/** Specialize: cheaper forms of the same computation. */
public final class Specialize {
    private Specialize() {}

    public static final List<Rule> RULES = List.of();
}
