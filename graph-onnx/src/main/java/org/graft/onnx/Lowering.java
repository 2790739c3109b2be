package org.graft.onnx;

/**
 * How one Graft op is written in ONNX: the nodes that compute it from its operands' values
 * ({@link GraphWriter#in}), written through the writer, and the name of the value they give.
 */
@FunctionalInterface
interface Lowering {
    String lower(GraphWriter w);

    /**
     * An op of Graft as ONNX writes it: {@code onnx} says which ONNX op(s), for the table of
     * {@code docs/onnx.md}; {@code lowering} writes them.
     */
    record Rule(String onnx, Lowering lowering) {}
}
