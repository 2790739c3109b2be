#!/usr/bin/env python3
"""Checks ONNX files that graft export wrote: onnx.checker.check_model(model, full_check=True),
which includes ONNX's shape inference, then prints each file's opset, inputs and outputs.

    scripts/onnx_check.py mlp.onnx decoder.onnx ...

Needs the onnx package (Debian: apt-get install python3-onnx); the build does not. Exits 1 if
a file fails the check, naming it and the checker's message.
"""
import sys

import onnx


def shape(value):
    dims = value.type.tensor_type.shape.dim
    elem = onnx.TensorProto.DataType.Name(value.type.tensor_type.elem_type).lower()
    return "%s: %s[%s]" % (value.name, elem, ", ".join(d.dim_param or str(d.dim_value) for d in dims))


def main(files):
    if not files:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    failed = 0
    for name in files:
        model = onnx.load(name)
        try:
            onnx.checker.check_model(model, full_check=True)
        except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as e:
            print("%s: FAILED: %s" % (name, str(e).strip().splitlines()[0]))
            failed += 1
            continue
        opsets = ", ".join("%s %d" % (o.domain or "ai.onnx", o.version) for o in model.opset_import)
        print("%s: ok (onnx %s, IR %d, opset %s, %d nodes); inputs %s; outputs %s" % (
            name, onnx.__version__, model.ir_version, opsets, len(model.graph.node),
            ", ".join(shape(v) for v in model.graph.input), ", ".join(shape(v) for v in model.graph.output)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
