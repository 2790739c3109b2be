package org.graft.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.graft.core.GraftException;
import org.graft.core.runtime.Options;
import org.graft.core.tensor.DType;
import org.graft.dsl.Graft;
import org.graft.dsl.Program;
import org.graft.onnx.proto.OnnxProtos.ModelProto;
import org.graft.onnx.proto.OnnxProtos.NodeProto;
import org.graft.onnx.proto.OnnxProtos.TensorProto;
import org.graft.onnx.proto.OnnxProtos.TensorShapeProto;
import org.graft.onnx.proto.OnnxProtos.ValueInfoProto;

/** What an exported file holds, read back with the same schema: opset, names, symbolic dims, positions, initializers. */
class ModelFormatTest {

    static final String SOURCE = """
            input x: [n, d]
            param W: [d, 3] = normal(0, 1)
            param b: [3] = zeros
            logits = x @ W + b
            probs = softmax(logits)
            output probs
            """;

    static ModelProto exported(String source, DType dtype, List<String> outputs) throws Exception {
        Program p = Graft.compile("classify.graft", source, Map.of(), dtype);
        p.initialize(1, Map.of("d", 4));
        return ModelProto.parseFrom(Onnx.export(p, outputs, List.of(), Options.DEFAULT));
    }

    @Test
    void theModelIsOfOpset17WithASymbolicBatchAndTheProgramsNames() throws Exception {
        ModelProto m = exported(SOURCE, DType.F64, List.of("probs"));
        assertEquals(8, m.getIrVersion());
        assertEquals(1, m.getOpsetImportCount());
        assertEquals("", m.getOpsetImport(0).getDomain());
        assertEquals(17, m.getOpsetImport(0).getVersion());
        assertEquals("classify", m.getGraph().getName());
        assertEquals("graft.rewriting", m.getMetadataProps(0).getKey());
        assertEquals("canonicalize, stabilize, specialize", m.getMetadataProps(0).getValue());
        ValueInfoProto x = m.getGraph().getInput(0);
        assertEquals(List.of("x"), m.getGraph().getInputList().stream().map(ValueInfoProto::getName).toList());
        List<TensorShapeProto.Dimension> dims = x.getType().getTensorType().getShape().getDimList();
        assertEquals("n", dims.get(0).getDimParam());          // the batch stays symbolic
        assertEquals(4, dims.get(1).getDimValue());             // d, which W's value fixes
        assertEquals(TensorProto.DataType.DOUBLE.getNumber(), x.getType().getTensorType().getElemType());
        ValueInfoProto probs = m.getGraph().getOutput(0);
        assertEquals("probs", probs.getName());
        assertEquals("n", probs.getType().getTensorType().getShape().getDim(0).getDimParam());
        assertEquals(3, probs.getType().getTensorType().getShape().getDim(1).getDimValue());
        assertEquals(List.of("W", "b"), m.getGraph().getInitializerList().stream().map(TensorProto::getName).toList());
    }

    @Test
    void eachNodeSaysWhereTheProgramWroteIt() throws Exception {
        ModelProto m = exported(SOURCE, DType.F32, List.of("probs"));
        List<String> ops = m.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
        assertEquals(List.of("Gemm", "Softmax", "Identity"), ops);   // x @ W + b rewritten to one gemm
        assertEquals("classify.graft:4:16", m.getGraph().getNode(0).getDocString());   // the + that the gemm replaced
        assertEquals("classify.graft:5:9", m.getGraph().getNode(1).getDocString());
        assertEquals(TensorProto.DataType.FLOAT.getNumber(), m.getGraph().getInitializer(0).getDataType());
    }

    @Test
    void anOpWithoutAnOnnxEquivalentIsAnErrorAtItsPosition() {
        String source = SOURCE.replace("output probs", "noisy = logits + normal_like(logits)\noutput noisy");
        var e = assertThrows(GraftException.class, () -> exported(source, DType.F64, List.of("noisy")));
        assertEquals("classify.graft:6:18: error: cannot export normal_like to ONNX: it has no ONNX equivalent (a random op: an exported"
                + " model is a function of its inputs); docs/onnx.md lists the ops that export", Graft.format(e));
    }

    @Test
    void aNameThatIsNoBindingIsAnError() {
        var e = assertThrows(GraftException.class, () -> exported(SOURCE, DType.F64, List.of("loss")));
        assertTrue(e.getMessage().contains("--output loss: classify.graft binds no loss; its outputs are probs"), e.getMessage());
    }
}
