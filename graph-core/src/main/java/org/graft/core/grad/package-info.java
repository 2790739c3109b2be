/**
 * Reverse-mode differentiation: the {@link org.graft.core.grad.GradTable} walker, which turns
 * a cost and the variables it depends on into gradient graphs.
 */
package org.graft.core.grad;
