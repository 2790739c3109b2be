/**
 * The graph: immutable {@link org.graft.core.Node}s ({@link org.graft.core.Input},
 * {@link org.graft.core.Param}, {@link org.graft.core.Constant}, {@link org.graft.core.Apply})
 * compared by identity, their {@link org.graft.core.Type}s with symbolic dims, and the
 * {@link org.graft.core.Op} contract every operation follows, extended by
 * {@link org.graft.core.Elementwise} for ops that work element by element (which the runtime
 * fuses), {@link org.graft.core.Stochastic} for ops that draw random numbers, and
 * {@link org.graft.core.Linear} and {@link org.graft.core.Multilinear} for ops whose forward-mode
 * derivative is the op itself applied to tangents, and {@link org.graft.core.TupleOp} for ops of
 * several results (a scan), whose node has a tuple type read by {@link org.graft.core.ops.Part}s.
 */
package org.graft.core;
