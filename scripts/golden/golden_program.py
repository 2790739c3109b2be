"""What the *_program.py scripts share: a golden program's inputs from its .set file, and the
check of its .json (what `graft eval` printed) against the outputs PyTorch computed.

GOLDEN is the program's path without its extension, from the root of the checkout:
graph-dsl/src/test/resources/golden/NAME.
"""
import json
import sys

import numpy as np
import torch


def inputs(golden):
    """The values of the .set file's NAME=JSON lines, as float64 tensors by name."""
    values = {}
    with open(golden + ".set") as f:
        for line in f:
            if line.strip():
                name, value = line.strip().split("=", 1)
                values[name] = torch.tensor(json.loads(value), dtype=torch.float64)
    return values


def check(golden, want, rtol=1e-12):
    """Says which outputs of the .json differ from want's by more than rtol relative, are
    missing, or are not checked, and exits 1 if any does."""
    with open(golden + ".json") as f:
        got = json.load(f)
    bad = sorted(set(got) ^ set(want))
    for name in bad:
        print(name + (": not checked" if name in got else ": not in the .json"))
    for name, t in want.items():
        if name not in got:
            continue
        t = t.detach()
        shape, data = got[name]["shape"], np.array([float(e) for e in got[name]["data"]])  # "NaN" and "Infinity" parse
        if list(t.shape) != shape or not np.allclose(data, t.flatten().numpy(), rtol=rtol, atol=0, equal_nan=True):
            print(f"{name}: Graft {shape} {data.tolist()[:8]}..., PyTorch {list(t.shape)} {t.flatten().tolist()[:8]}...")
            bad.append(name)
    print(f"{len(want)} outputs checked, {len(bad)} differ")
    sys.exit(1 if bad else 0)
