/**
 * Matrix products behind one small interface, {@link org.graft.core.blas.Gemm}, and the choice
 * of back end ({@link org.graft.core.blas.Blas}): the kernels of the compiled runtime call it
 * for every product, whatever library does the work: native OpenBLAS (the JavaCPP presets), EJML
 * when that does not load, plain loops for small products. The reference semantics,
 * {@link org.graft.core.tensor.Tensor}, multiplies with EJML whatever the choice
 * ({@link org.graft.core.blas.Blas#reference()}), and EJML's products stay inside {@code Ejml}.
 * The one other piece of dense linear algebra Graft needs outside the graph, the eigen-decomposition
 * of a symmetric matrix (a covariance, for whitening), is EJML's too, behind
 * {@link org.graft.core.blas.SymmetricEigen}, so that EJML stays in this package.
 *
 * <p>The threads of {@code graft.threads} live here too, as {@link org.graft.core.blas.Parallel}:
 * one pool that the native back end splits its large products over and the runtime its large
 * elementwise chains, so that no library brings threads of its own (OpenBLAS runs on one).
 *
 * <p>Two things the callers may know and OpenBLAS cannot: that an operand will not change for a
 * while ({@link org.graft.core.blas.Blas#hold}: a scan holds its weights over its steps, and the
 * native back end copies them into its memory once), and that a product with a short side is
 * faster cut into bands that OpenBLAS's small-matrix kernels take without packing (decided by
 * the shape, the processor and {@code OPENBLAS_CORETYPE}, which picks the kernels OpenBLAS runs:
 * only its AVX-512 cores have such kernels; so results stay repeatable on one machine).
 */
package org.graft.core.blas;
