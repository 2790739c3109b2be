package org.graft.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.graft.core.Input;
import org.graft.core.runtime.Compiler;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Shape;
import org.graft.core.tensor.Tensor;
import org.graft.dsl.Graft;
import org.graft.dsl.Program;

/**
 * Each bundled model's inference outputs, exported and run by ONNX Runtime with its graph
 * optimizations on and off, equal what Graft's compiled function gives on the same inputs and
 * params: {@link Agreement} says how closely, in f64 and in f32. The sources are read from
 * graph-models, which depends on this module.
 */
class BundledModelsExportTest {

    /**
     * A bundled model, what is exported of it, which of those outputs are sums (a product plus a
     * bias: their elements are held to the output's largest magnitude, see {@link Agreement}), and
     * the sizes its data would give its symbolic dims.
     */
    enum Case {
        MLP("mlp", List.of("logits"), Set.of("logits"), List.of(), Map.of("d", 64, "k", 10)),
        LENET("lenet", List.of("logits"), Set.of("logits"), List.of(), Map.of("k", 10)),
        DAE("dae", List.of("recon"), Set.of(), List.of(), Map.of("d", 64)),
        CAE("cae", List.of("recon", "jacobian"), Set.of(), List.of(), Map.of("d", 64)),
        // the decoder: the reconstruction from the code mu, which becomes the model's input
        VAE("vae", List.of("recon"), Set.of(), List.of("mu"), Map.of("d", 64));

        final String model;
        final List<String> outputs, cuts;
        final Set<String> sums;
        final Map<String, Integer> dims;

        Case(String model, List<String> outputs, Set<String> sums, List<String> cuts, Map<String, Integer> dims) {
            this.model = model;
            this.outputs = outputs;
            this.sums = sums;
            this.cuts = cuts;
            this.dims = dims;
        }
    }

    static final Path SOURCES = Path.of("../graph-models/src/main/resources/org/graft/models/sources");

    static Program program(String model, DType dtype, Map<String, Integer> dims) throws IOException {
        Program p = Graft.compile(model + ".graft", Files.readString(SOURCES.resolve(model + ".graft")), Map.of(), dtype);
        p.initialize(7, dims);
        return p;
    }

    @ParameterizedTest
    @EnumSource(value = Case.class, mode = EnumSource.Mode.EXCLUDE, names = "LENET")
    void onnxRuntimeComputesWhatGraftDoesInF64(Case c) throws IOException { check(c, DType.F64); }

    /** ONNX Runtime's CPU provider has no f64 Conv (nor MaxPool): lenet exports in f64 but runs there only in f32. */
    @Test
    void onnxRuntimeHasNoF64ConvolutionForLenet() throws IOException {
        var e = assertThrows(AssertionError.class, () -> check(Case.LENET, DType.F64));
        assertTrue(e.getMessage().contains("ORT_NOT_IMPLEMENTED") && e.getMessage().contains("Conv"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Case.class)
    void onnxRuntimeComputesWhatGraftDoesInF32(Case c) throws IOException { check(c, DType.F32); }

    private static void check(Case c, DType dtype) throws IOException {
        Program program = program(c.model, dtype, c.dims);
        Onnx.Selection s = Onnx.Selection.of(program, c.outputs, c.cuts);
        byte[] model = Onnx.export(program, c.outputs, c.cuts, Options.DEFAULT);
        OnnxRuntime.keep(c.model + "-" + dtype, model);
        var random = new SplittableRandom(11);
        var feeds = new LinkedHashMap<String, Tensor>();
        var values = new LinkedHashMap<Input, Tensor>();
        for (Input in : s.inputs()) {
            if (!readByOutputs(s, in)) continue;
            int[] dims = in.type().dims().stream().mapToInt(d -> d.isOne() ? 1 : d instanceof org.graft.core.Dim.Size z ? z.n()
                    : d.toString().equals("n") ? 5 : c.dims.get(d.toString())).toArray();
            Tensor t = Tensor.uniform(dtype, Shape.of(dims), 0, 1, random);
            feeds.put(in.label(), t);
            values.put(in, t);
        }
        List<Tensor> expected = Compiler.compile(List.copyOf(values.keySet()), List.copyOf(s.outputs().values())).call(values);
        for (boolean optimize : new boolean[] {false, true}) {
            Map<String, Tensor> actual = OnnxRuntime.run(model, feeds, optimize);
            assertEquals(List.copyOf(s.outputs().keySet()), List.copyOf(actual.keySet()));
            int k = 0;
            for (String name : s.outputs().keySet()) {
                Tensor e = expected.get(k++);
                // a logit that cancels to near 0 keeps only its terms' digits, and the two sides add
                // the terms in orders that depend on the machine's kernels (OpenBLAS's and MLAS's)
                double floor = c.sums.contains(name) ? Agreement.largest(e) : Agreement.largest(e) / 1000;
                Agreement.assertAgrees(e, actual.get(name), c.model + " " + name + (optimize ? " (optimized)" : ""), floor);
            }
        }
    }

    private static boolean readByOutputs(Onnx.Selection s, Input in) {
        return org.graft.core.Graph.topologicalOrder(s.outputs().values()).contains(in);
    }
}
