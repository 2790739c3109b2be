package org.graft.ops.rules;

import java.util.List;

import org.graft.core.rewrite.Rule;

/** Canonicalize: one way to write each computation, so that later rules and merging see it. */
public final class Canonicalize {
    private Canonicalize() {}

    public static final List<Rule> RULES = List.of();
}
