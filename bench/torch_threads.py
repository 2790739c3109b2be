"""Pins the threads of every pool a PyTorch run may use, before torch is imported.

torch.set_num_threads sizes PyTorch's own pool (OpenMP), not that of the BLAS it calls. A torch
built with BLAS_INFO=generic (Debian's python3-torch) calls the system's libblas.so.3, and where
that is OpenBLAS (Debian's libopenblas0-pthread) its products start as many threads as the
machine has cores when the library loads, whatever set_num_threads says: a "one-thread" run of
bench/torch_epoch.py then multiplied on two (an f32 100 x 784 x 500 addmm took 579 us so, 805 us
with OPENBLAS_NUM_THREADS=1), and a two-thread one ran four threads on two cores. The pools read
these variables when their libraries load, so the scripts call pin() before `import torch`.
"""

import os

POOLS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def threads_in(argv, default=1):
    """The value of --threads N (or --threads=N) in argv, else the default; argparse checks it later."""
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--threads="):
            value = arg.split("=", 1)[1]
        else:
            continue
        return int(value) if value.isdigit() and int(value) > 0 else default
    return default


def pin(threads):
    """Every pool at `threads`, for libraries not yet loaded."""
    for name in POOLS:
        os.environ[name] = str(threads)
