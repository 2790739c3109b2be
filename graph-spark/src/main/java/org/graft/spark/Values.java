package org.graft.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.graft.core.Param;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/**
 * Params' values as Spark ships them (a {@link Tensor} is not serializable): by name, in order,
 * each a shape and its row-major numbers, in the values' dtype.
 */
record Values(List<String> names, List<int[]> shapes, List<double[]> data, DType dtype) implements Serializable {

    /** The values of {@code params} now, in their order. */
    static Values of(List<Param> params) {
        var names = new ArrayList<String>();
        var shapes = new ArrayList<int[]>();
        var data = new ArrayList<double[]>();
        for (Param p : params) {
            Tensor v = p.value();
            names.add(p.label());
            shapes.add(v.shape().dims());
            data.add(v.toArray());
        }
        return new Values(names, shapes, data, params.isEmpty() ? DType.F64 : params.get(0).value().dtype());
    }

    /** Other numbers of the same names and shapes. */
    Values with(double[][] numbers) { return new Values(names, shapes, List.of(numbers), dtype); }

    /** The value of the {@code i}th. */
    Tensor tensor(int i) { return Tensor.of(dtype, Shape.of(shapes.get(i)), data.get(i)); }

    /** Sets each of {@code params} that has a value here to it. */
    void setInto(Map<String, Param> params) {
        for (int i = 0; i < names.size(); i++) {
            Param p = params.get(names.get(i));
            if (p != null) p.set(tensor(i));
        }
    }
}
