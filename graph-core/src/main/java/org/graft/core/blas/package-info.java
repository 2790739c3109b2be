/**
 * Matrix products behind one small interface, {@link org.graft.core.blas.Gemm}, and the choice
 * of back end ({@link org.graft.core.blas.Blas}): the kernels of the compiled runtime call it
 * for every product, whatever library does the work: native OpenBLAS (the JavaCPP presets), EJML
 * when that does not load, plain loops for small products.
 */
package org.graft.core.blas;
