/**
 * The rewrite engine: rules written as {@code pattern -> replacement}, grouped into phases
 * that run in order, each to a fixpoint, with merging of equal subgraphs and constant folding
 * built in. The rule sets themselves (canonicalize, stabilize, specialize) live with the ops
 * in graph-ops and are found through {@link org.graft.core.rewrite.RuleSets}.
 */
package org.graft.core.rewrite;
