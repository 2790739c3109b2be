package org.graft.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.google.protobuf.ByteString;

import org.graft.core.Apply;
import org.graft.core.Dim;
import org.graft.core.Node;
import org.graft.core.SourcePos;
import org.graft.core.Type;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;
import org.graft.onnx.proto.OnnxProtos.AttributeProto;
import org.graft.onnx.proto.OnnxProtos.GraphProto;
import org.graft.onnx.proto.OnnxProtos.NodeProto;
import org.graft.onnx.proto.OnnxProtos.TensorProto;
import org.graft.onnx.proto.OnnxProtos.TensorShapeProto;
import org.graft.onnx.proto.OnnxProtos.TypeProto;
import org.graft.onnx.proto.OnnxProtos.ValueInfoProto;

/**
 * One ONNX graph as it is written: the names of the values (every name once, as ONNX's SSA form
 * wants), the nodes in topological order, the initializers. A {@link Lowering} writes the nodes
 * of one Graft op through it; each node written while an op is lowered carries that op's source
 * position as its {@code doc_string}.
 */
final class GraphWriter {
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Map<Node, String> values = new IdentityHashMap<>();
    private final Set<String> taken = new HashSet<>();
    private final Map<String, Integer> sizes;
    private Apply lowering;   // the op whose nodes are being written
    private int count;

    /** @param sizes the sizes of the symbolic dims that the params fix ({@code d} of {@code W1: [d, 128]}); the others stay symbolic */
    GraphWriter(String name, Map<String, Integer> sizes) {
        graph.setName(name);
        this.sizes = sizes;
    }

    GraphProto build() { return graph.build(); }

    /** {@code wanted}, or {@code wanted_2}, {@code wanted_3}... : a name no value of the graph has yet. */
    String fresh(String wanted) {
        String name = wanted;
        for (int k = 2; !taken.add(name); k++) name = wanted + "_" + k;
        return name;
    }

    /** The name that holds {@code n}'s value; the node must have been written. */
    String value(Node n) {
        String name = values.get(n);
        if (name == null) throw new IllegalStateException("no value is written yet for " + n);
        return name;
    }

    boolean written(Node n) { return values.containsKey(n); }

    void bind(Node n, String name) { values.put(n, name); }

    /** A graph input of {@code type} named {@code name}, its symbolic dims {@code dim_param}s but where a param fixes them. */
    void input(String name, Type type) { graph.addInput(valueInfo(name, type)); }

    /** A graph output: the value {@code name}, of {@code type}. */
    void output(String name, Type type) { graph.addOutput(valueInfo(name, type)); }

    private ValueInfoProto valueInfo(String name, Type type) {
        var shape = TensorShapeProto.newBuilder();
        for (Dim d : type.dims()) {
            var dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Dim.Size s) dim.setDimValue(s.n());
            else if (sizes.containsKey(d.toString())) dim.setDimValue(sizes.get(d.toString()));
            else dim.setDimParam(d.toString());
            shape.addDim(dim);
        }
        var tensor = TypeProto.Tensor.newBuilder().setElemType(elementType(type.dtype())).setShape(shape);
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensor)).build();
    }

    static int elementType(DType dtype) {
        return (dtype == DType.F32 ? TensorProto.DataType.FLOAT : TensorProto.DataType.DOUBLE).getNumber();
    }

    /** An initializer named from {@code wanted} holding {@code t}'s numbers in {@code dtype}; its name. */
    String initializer(String wanted, Tensor t, DType dtype) {
        String name = fresh(wanted);
        graph.addInitializer(tensor(name, t, dtype));
        return name;
    }

    /** A tensor of {@code t}'s shape and numbers in {@code dtype}, little-endian in {@code raw_data} as ONNX stores them. */
    static TensorProto tensor(String name, Tensor t, DType dtype) {
        var proto = TensorProto.newBuilder().setName(name).setDataType(elementType(dtype));
        for (int d : t.shape().dims()) proto.addDims(d);
        ByteBuffer raw = ByteBuffer.allocate(t.size() * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < t.size(); i++) {
            if (dtype == DType.F32) raw.putFloat((float) t.getFlat(i));
            else raw.putDouble(t.getFlat(i));
        }
        return proto.setRawData(ByteString.copyFrom(raw.array())).build();
    }

    /** A 1-d int64 initializer of {@code v} (axes, shapes, pads: what ONNX takes as int64 tensors); its name. */
    String int64s(long... v) {
        String name = fresh("ints");
        ByteBuffer raw = ByteBuffer.allocate(v.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) raw.putLong(x);
        graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64.getNumber())
                .addDims(v.length).setRawData(ByteString.copyFrom(raw.array())));
        return name;
    }

    /** A scalar initializer of the op being lowered's dtype. */
    String scalar(double v) { return scalar(v, dtype()); }

    /** A scalar initializer of {@code dtype}. */
    String scalar(double v, DType dtype) { return initializer("c", Tensor.scalar(v), dtype); }

    /** {@code v} cast to {@code dtype}, or to int64 for null: indices and labels, which Graft holds as whole numbers in f64 or f32. */
    String cast(String v, DType dtype) {
        int to = dtype == null ? TensorProto.DataType.INT64.getNumber() : elementType(dtype);
        return node("Cast", List.of(v), Attributes.i("to", to));
    }

    /** The dtype of the op being lowered, which is its operands' (comparisons and argmax give it too). */
    DType dtype() { return lowering.type().dtype(); }

    /** The Graft op being lowered, whose position the nodes carry. */
    Apply lowering() { return lowering; }

    void lowering(Apply op) { this.lowering = op; }

    /** The value of input {@code i} of the op being lowered. */
    String in(int i) { return value(lowering.inputs().get(i)); }

    /** The values of every input of the op being lowered. */
    List<String> ins() { return lowering.inputs().stream().map(this::value).toList(); }

    /** Writes a node {@code opType(inputs)} with {@code attributes}; the name of its one output. */
    String node(String opType, List<String> inputs, AttributeProto... attributes) {
        String out = fresh(opType.toLowerCase(java.util.Locale.ROOT));
        var node = NodeProto.newBuilder().setOpType(opType).setName(opType + "_" + (++count)).addAllInput(inputs).addOutput(out);
        for (AttributeProto a : attributes) node.addAttribute(a);
        SourcePos pos = lowering == null ? SourcePos.NONE : lowering.pos();
        if (pos.isKnown()) node.setDocString(pos.toString());
        graph.addNode(node);
        return out;
    }

    /** {@code opType(inputs...)} without attributes. */
    String node(String opType, String... inputs) { return node(opType, List.of(inputs)); }

    /** A boolean cast to the op's dtype: ONNX's comparisons give booleans, Graft's give 0 and 1 in the operands' dtype. */
    String fromBool(String v) { return node("Cast", List.of(v), Attributes.i("to", elementType(dtype()))); }

    /** Writes {@code Identity(value)} under the name {@code name}, which must be free: an output that is another's value. */
    void identity(String value, String name) {
        taken.add(name);
        graph.addNode(NodeProto.newBuilder().setOpType("Identity").setName("Identity_" + (++count)).addInput(value).addOutput(name));
    }
}
