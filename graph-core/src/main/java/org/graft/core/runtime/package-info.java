/**
 * From graphs to callables: {@link org.graft.core.runtime.Compiler#compile} turns inputs,
 * outputs and param updates into a {@link org.graft.core.runtime.Function}, which owns the
 * seeded stream its random ops draw from and, per input shapes, a plan: one pre-resolved
 * {@link org.graft.core.kernel.Kernel} per step (ops make theirs from a
 * {@link org.graft.core.kernel.Site}), {@link org.graft.core.Elementwise} ops of one shape
 * fused into one loop (one with several outputs where chains share operands or read each other,
 * as an optimizer's updates of a param and its state do; a sum read only by such a loop is
 * summed block by block inside it, as a bias's gradient in its update), two nodes that an op
 * computes together in one kernel ({@link org.graft.core.Op#kernelWith}: a loss and its
 * gradient), and buffers planned from liveness, so a call allocates nothing.
 * A {@link org.graft.core.runtime.Loop} is such a plan run over and over by a kernel that loops,
 * a scan's step, on arrays of the step's own dtypes that the kernel writes, or binds once where
 * a value does not change from step to step, so a step converts and copies nothing.
 */
package org.graft.core.runtime;
