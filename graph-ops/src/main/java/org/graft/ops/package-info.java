/**
 * The math of Graft: one file per op family ({@link org.graft.ops.Unary},
 * {@link org.graft.ops.Binary}, {@link org.graft.ops.Ternary}, {@link org.graft.ops.Compare},
 * {@link org.graft.ops.Activation}, {@link org.graft.ops.Reduce}, {@link org.graft.ops.Linalg},
 * {@link org.graft.ops.Shaping}, {@link org.graft.ops.Gather}, {@link org.graft.ops.Remap}, {@link org.graft.ops.Scan},
 * {@link org.graft.ops.Neural}, {@link org.graft.ops.Conv}, {@link org.graft.ops.Pool}, {@link org.graft.ops.Random}, {@link org.graft.ops.Gradients}, and
 * {@link org.graft.ops.Update}, the optimizers' update formulas as single loops), each
 * op with its type rule, {@code fprop}, {@code bprop}, kernel and {@link org.graft.ops.Builtin}
 * (how the language and the docs know it) side by side, which {@link org.graft.ops.Registry}
 * gathers ({@link org.graft.ops.OneInput} is the contract Unary and Activation share, and
 * {@code Special} the real functions their kernels call that {@link java.lang.Math} lacks, or
 * has only as StrictMath's native calls in JDK 17: tanh, expm1, log1p from the intrinsic exp and
 * log, with their ulp bounds); and
 * {@link org.graft.ops.Ops}, the builder API models are written with ({@link org.graft.ops.Slice}
 * is the index its {@code slice} takes; Jacobians, Hessians and their products are built in
 * {@link org.graft.ops.Derivatives}). Adding an op is one record in its family's file, and its tests.
 */
package org.graft.ops;
