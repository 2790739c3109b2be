/**
 * The rewrite rules, one file per phase: {@link org.graft.ops.rules.Canonicalize} (one way to
 * write each thing), {@link org.graft.ops.rules.Stabilize} (the same value, finite where the
 * naive form over- or underflows), {@link org.graft.ops.rules.Specialize} (cheaper forms).
 * {@link org.graft.ops.rules.StandardRules} hands them to the engine in that order.
 */
package org.graft.ops.rules;
