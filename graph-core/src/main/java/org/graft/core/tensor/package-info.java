/**
 * Dense n-dimensional tensors: {@link org.graft.core.tensor.Tensor} (row-major, immutable to
 * its users but for one made {@linkplain org.graft.core.tensor.Tensor#sharing sharing} an array
 * its owner refills, a trainer's batch), concrete {@link org.graft.core.tensor.Shape}s with NumPy broadcasting, and
 * {@link org.graft.core.tensor.DType}. EJML is used here and nowhere else: matrix products
 * wrap a tensor's storage with {@code DMatrixRMaj.wrap}, without copying.
 */
package org.graft.core.tensor;
