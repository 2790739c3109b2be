/**
 * Export of a Graft program's inference graph to ONNX: {@link org.graft.onnx.Onnx#export}. The
 * ONNX schema's classes, which protoc generates into {@code org.graft.onnx.proto}, stay inside
 * this module: its public API takes graphs and gives bytes or files.
 */
package org.graft.onnx;
