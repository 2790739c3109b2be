package org.graft.core.tensor;

/**
 * Walks a row-major index space and keeps one flat offset per operand, each moving by its own
 * strides (0 along axes where the operand is broadcast or reduced). Broadcasting, reductions,
 * sum-to-shape and transposes are all this one loop with different strides.
 */
final class Odometer {
    private final int[] dims;
    private final int[][] strides;
    private final int[] counter;
    final int[] offset;

    Odometer(Shape space, int[]... strides) {
        this.dims = space.dims();
        this.strides = strides;
        this.counter = new int[dims.length];
        this.offset = new int[strides.length];
    }

    /** Steps to the next index in row-major order; call once per element after the first. */
    void next() {
        for (int axis = dims.length - 1; axis >= 0; axis--) {
            if (++counter[axis] < dims[axis]) {
                for (int k = 0; k < offset.length; k++) offset[k] += strides[k][axis];
                return;
            }
            counter[axis] = 0;
            for (int k = 0; k < offset.length; k++) offset[k] -= strides[k][axis] * (dims[axis] - 1);
        }
    }
}
