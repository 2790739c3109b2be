package org.graft.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;

/**
 * How closely ONNX Runtime's outputs must equal Graft's. f64: within 1e-12 of each element,
 * relative to the larger of the element and a thousandth of the output's largest magnitude (a sum
 * that cancels to near 0, a product's element summed in another order, keeps only the digits
 * of its terms). f32: within {@value #F32_ULPS} f32 ulps of the same: ONNX Runtime's f32 sigmoid
 * and tanh are approximations good to a few ulps, where Graft rounds the exact value once, and
 * its f32 products sum in another order (the autoencoders' reconstructions, after two products
 * of 500 and 64 terms and two sigmoids, differ by up to 6 ulps).
 */
final class Agreement {
    private Agreement() {}

    static final double F64_RELATIVE = 1e-12;
    static final int F32_ULPS = 8;

    static void assertAgrees(Tensor expected, Tensor actual, String what) {
        assertEquals(expected.shape(), actual.shape(), what + ": shape");
        double largest = 0;
        for (int i = 0; i < expected.size(); i++) {
            if (Double.isFinite(expected.getFlat(i))) largest = Math.max(largest, Math.abs(expected.getFlat(i)));
        }
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.getFlat(i), a = actual.getFlat(i);
            if (Double.compare(e, a) == 0 || Double.isNaN(e) && Double.isNaN(a)) continue;
            double scale = Math.max(Math.abs(e), largest / 1000);
            double tolerance = expected.dtype() == DType.F32 ? F32_ULPS * Math.ulp((float) scale) : F64_RELATIVE * scale;
            double ratio = Math.abs(a - e) / tolerance;
            if (!(ratio <= worst)) {
                worst = ratio;
                at = i;
            }
        }
        if (worst > 1) {
            throw new AssertionError(what + ": element " + at + " is " + actual.getFlat(at) + " in ONNX Runtime and "
                    + expected.getFlat(at) + " in Graft, " + worst + " times the tolerance");
        }
    }
}
