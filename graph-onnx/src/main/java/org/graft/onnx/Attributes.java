package org.graft.onnx;

import org.graft.onnx.proto.OnnxProtos.AttributeProto;
import org.graft.onnx.proto.OnnxProtos.AttributeProto.AttributeType;
import org.graft.onnx.proto.OnnxProtos.TensorProto;

/** ONNX node attributes, each with the type tag that IR version 2 and later require. */
final class Attributes {
    private Attributes() {}

    static AttributeProto i(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(v).build();
    }

    static AttributeProto ints(String name, long... v) {
        var a = AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS);
        for (long x : v) a.addInts(x);
        return a.build();
    }

    /** A float attribute: ONNX's are single precision whatever the tensors' dtype (LeakyRelu's alpha, say). */
    static AttributeProto f(String name, double v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF((float) v).build();
    }

    static AttributeProto s(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
    }

    static AttributeProto t(String name, TensorProto v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.TENSOR).setT(v).build();
    }
}
