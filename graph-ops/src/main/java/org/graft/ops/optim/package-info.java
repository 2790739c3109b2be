/**
 * Optimizers as update rules: an {@link org.graft.ops.optim.Optimizer} turns a scalar cost
 * and its params into the updates map of
 * {@link org.graft.core.runtime.Compiler#compile(java.util.List, java.util.List, java.util.Map)},
 * so one call of the compiled function is one training step. Each takes the steps of
 * {@code torch.optim}'s optimizer of its name and writes only the step of one param; the loop
 * over the params, their gradients and the weight decay are the interface's. Their state lives
 * in params they create and update through the same map, so a run's checkpoint holds it.
 */
package org.graft.ops.optim;
