package org.graft.core;

import org.graft.core.kernel.Kernel;
import org.graft.core.kernel.Kernels;
import org.graft.core.kernel.Site;

/**
 * An op whose kernel is one of {@link Kernels}' shared ones (copy, fill, broadcast, sum), which
 * work on the buffers of either dtype, so its f32 kernel is the same kernel.
 */
public interface SharedKernel extends Op {

    @Override
    default Kernel kernelF32(Site site) { return kernel(site); }

    /** An op whose result holds its input's elements in their row-major order: its kernel copies them. */
    interface KeepsOrder extends SharedKernel {

        @Override
        default Kernel kernel(Site site) { return Kernels.copy(site); }
    }
}
