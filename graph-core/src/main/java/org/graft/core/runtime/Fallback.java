package org.graft.core.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;

import org.graft.core.Apply;
import org.graft.core.GraftException;
import org.graft.core.Stochastic;
import org.graft.core.Type;
import org.graft.core.kernel.Kernel;
import org.graft.core.kernel.Site;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;

/**
 * The step of an op without a kernel: its operands become tensors, its reference
 * {@code fprop} (or its {@code sample}) computes the value, which is copied into the node's
 * buffer. Correct for every op; it allocates at every call, which is why the ops on a training
 * step's path have kernels.
 */
final class Fallback implements Kernel {
    private final Apply node;
    private final Site site;
    private final DType dtype;
    private final Function function;

    Fallback(Apply node, Site site, DType dtype, Function function) {
        this.node = node;
        this.site = site;
        this.dtype = dtype;
        this.function = function;
    }

    @Override
    public void run(Object[] buffers) {
        Apply a = node;
        var args = new ArrayList<Tensor>(site.arity());
        for (int i = 0; i < site.arity(); i++) args.add(tensor(buffers[site.slot(i)], site, i));
        Tensor out = a.op() instanceof Stochastic s ? s.sample(args, function.stream()) : a.op().fprop(args);
        // an op whose kernel disagrees with its type rule is a bug in the op: say which
        if (!out.shape().equals(site.out())) {
            String wrong = Type.of(out.dtype(), site.out()).bind(out.shape(), new HashMap<>());
            throw new GraftException(a.pos(), "fprop of " + a.op().name() + " disagrees with its type rule: " + wrong);
        }
        double[] values = out.storage();
        if (dtype == DType.F32) {
            float[] f = (float[]) buffers[site.slot()];
            for (int k = 0; k < values.length; k++) f[k] = (float) values[k];
        } else System.arraycopy(values, 0, buffers[site.slot()], 0, values.length);
    }

    private static Tensor tensor(Object buffer, Site site, int i) {
        int size = site.in(i).size();
        if (buffer instanceof double[] d) return Tensor.of(site.in(i), Arrays.copyOf(d, size));
        float[] f = (float[]) buffer;
        double[] d = new double[size];
        for (int k = 0; k < size; k++) d[k] = f[k];
        return Tensor.of(DType.F32, site.in(i), d);
    }

}
