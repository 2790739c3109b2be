#!/usr/bin/env python3
"""Writes the first TRAIN training and the first TEST test examples of MNIST as raw IDX files, for bench/epochs.sh.

    python3 bench/mnist_head.py MNIST_DIR OUT_DIR TRAIN TEST

The four files go to OUT_DIR in the IDX format graft train and bench/torch_epoch.py read
(uncompressed, so nothing is inflated again on each run); a file keeps its header but for its
count of records. An epoch over OUT_DIR makes TRAIN / batch steps, so a reduced run times the
first steps of an epoch on the same images; the test split, measured after each epoch and not
timed, is kept small to save wall time. graft train checks a file against the official
SHA-256 only when it has the official number of records, so the whole training set (60,000)
still passes that check. NumPy only; no torch.
"""

import gzip
import os
import sys


def read(path):
    """An IDX file's bytes (gzipped or not)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        return f.read()


def find(directory, stem):
    """DIR/stem.gz or DIR/stem, the .gz first, as graft looks for them."""
    for name in (stem + ".gz", stem):
        if os.path.exists(os.path.join(directory, name)):
            return os.path.join(directory, name)
    sys.exit(f"no {stem}[.gz] in {directory}")


def head(data, count):
    """The IDX file's first `count` records, its header saying so."""
    dims = data[3]
    found = int.from_bytes(data[4:8], "big")
    if count > found:
        sys.exit(f"asked for {count} records of a file of {found}")
    record = 1
    for i in range(1, dims):
        record *= int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big")
    start = 4 + 4 * dims
    return data[:4] + count.to_bytes(4, "big") + data[8:start] + data[start:start + count * record]


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    source, out, train, test = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    os.makedirs(out, exist_ok=True)
    for part, count in (("train", train), ("t10k", test)):
        for kind in ("images-idx3-ubyte", "labels-idx1-ubyte"):
            stem = f"{part}-{kind}"
            with open(os.path.join(out, stem), "wb") as f:
                f.write(head(read(find(source, stem)), count))


if __name__ == "__main__":
    main()
