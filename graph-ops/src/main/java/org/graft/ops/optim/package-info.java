/**
 * Optimizers as update rules: an {@link org.graft.ops.optim.Optimizer} turns a scalar cost
 * and its params into the updates map of
 * {@link org.graft.core.runtime.Compiler#compile(java.util.List, java.util.List, java.util.Map)},
 * so one call of the compiled function is one training step. Their state lives in params they
 * create and update through the same map.
 */
package org.graft.ops.optim;
