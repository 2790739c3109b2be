package org.graft.onnx;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;

/** ONNX Runtime as the tests' client: an exported model run on Graft tensors, its graph optimizations on or off. */
final class OnnxRuntime {
    private OnnxRuntime() {}

    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    /**
     * Writes {@code model} as {@code name.onnx} into the folder the system property
     * {@code graft.onnx.dump} names, if it names one, for {@code scripts/onnx_check.py} to check
     * every file the tests export.
     */
    static void keep(String name, byte[] model) {
        String dir = System.getProperty("graft.onnx.dump");
        if (dir == null) return;
        try {
            java.nio.file.Files.createDirectories(java.nio.file.Path.of(dir));
            java.nio.file.Files.write(java.nio.file.Path.of(dir, name + ".onnx"), model);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The model's outputs by name, for {@code feeds} by input name. */
    static Map<String, Tensor> run(byte[] model, Map<String, Tensor> feeds, boolean optimize) {
        try (var options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(optimize ? OrtSession.SessionOptions.OptLevel.ALL_OPT : OrtSession.SessionOptions.OptLevel.NO_OPT);
            options.setIntraOpNumThreads(1);
            try (OrtSession session = ENV.createSession(model, options)) {
                var in = new LinkedHashMap<String, OnnxTensor>();
                try {
                    for (var f : feeds.entrySet()) in.put(f.getKey(), tensor(f.getValue()));
                    try (OrtSession.Result result = session.run(in)) {
                        var out = new LinkedHashMap<String, Tensor>();
                        for (Map.Entry<String, OnnxValue> e : result) out.put(e.getKey(), tensor((OnnxTensor) e.getValue()));
                        return out;
                    }
                } finally {
                    for (OnnxTensor t : in.values()) t.close();
                }
            }
        } catch (OrtException e) {
            throw new AssertionError("ONNX Runtime: " + e.getMessage(), e);
        }
    }

    static OnnxTensor tensor(Tensor t) throws OrtException {
        long[] shape = java.util.Arrays.stream(t.shape().dims()).asLongStream().toArray();
        if (t.dtype() == DType.F32) {
            float[] v = new float[t.size()];
            for (int i = 0; i < v.length; i++) v[i] = (float) t.getFlat(i);
            return OnnxTensor.createTensor(ENV, FloatBuffer.wrap(v), shape);
        }
        double[] v = new double[t.size()];
        for (int i = 0; i < v.length; i++) v[i] = t.getFlat(i);
        return OnnxTensor.createTensor(ENV, DoubleBuffer.wrap(v), shape);
    }

    static Tensor tensor(OnnxTensor t) {
        TensorInfo info = t.getInfo();
        int[] dims = java.util.Arrays.stream(info.getShape()).mapToInt(Math::toIntExact).toArray();
        double[] v = new double[Math.toIntExact(info.getNumElements())];
        switch (info.type) {
            case FLOAT -> {
                FloatBuffer b = t.getFloatBuffer();
                for (int i = 0; i < v.length; i++) v[i] = b.get(i);
                return Tensor.of(DType.F32, Shape.of(dims), v);
            }
            case DOUBLE -> {
                DoubleBuffer b = t.getDoubleBuffer();
                for (int i = 0; i < v.length; i++) v[i] = b.get(i);
                return Tensor.of(DType.F64, Shape.of(dims), v);
            }
            default -> throw new AssertionError("expected an output of f32 or f64, found " + info.type);
        }
    }
}
