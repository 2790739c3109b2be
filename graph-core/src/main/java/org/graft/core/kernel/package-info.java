/**
 * The contract between an op and the runtime that schedules it: a {@link org.graft.core.kernel.Kernel}
 * computes one node's value into a preallocated buffer, made once per plan from a
 * {@link org.graft.core.kernel.Site} (the concrete shapes, the buffers' slots, the GEMM back
 * end and the random stream), and {@link org.graft.core.kernel.Kernels} are the kernels
 * several op families share (copy, fill, gather, broadcast, sums). It sits below the graph: it knows
 * tensors' shapes and dtypes and the matrix-product back end, and nothing of nodes, ops or
 * plans, so {@link org.graft.core.Op} can name it without a cycle.
 */
package org.graft.core.kernel;
