/**
 * Differentiation: the reverse-mode {@link org.graft.core.grad.GradTable} walker, which turns
 * a cost (or outputs with known gradients) and the variables it depends on into gradient
 * graphs, and the forward-mode {@link org.graft.core.grad.ForwardTable} walker, which turns
 * variables moving along tangents into the outputs' tangents (Jacobian-vector products).
 */
package org.graft.core.grad;
