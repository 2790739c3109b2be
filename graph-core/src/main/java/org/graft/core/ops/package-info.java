/**
 * The handful of ops the gradient walker itself builds: {@link org.graft.core.ops.Add} to sum
 * the terms of a node used twice, {@link org.graft.core.ops.Broadcasting} to move a gradient
 * between a broadcast shape and an input's shape (each is the other's transpose, so gradients
 * of gradients work), {@link org.graft.core.ops.FillLike} for zero gradients, and
 * {@link org.graft.core.ops.StopGradient}. Every other op lives in graph-ops, which reuses
 * these: there is one {@code Add} in Graft.
 */
package org.graft.core.ops;
