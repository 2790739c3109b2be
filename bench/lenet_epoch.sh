#!/usr/bin/env bash
# lenet_epoch.sh: one epoch of LeNet on MNIST, `graft train lenet` against the same model,
# initialisation, optimizer (Adam, lr 0.001) and batches of 100 in PyTorch (bench/torch_lenet.py),
# run one after the other on the same machine, and prints each one's training seconds (the epoch's
# steps, not its test) and their ratio.
#
#   bench/lenet_epoch.sh [--threads N] [--dtype f64|f32] [--epochs N]
#
# --threads   threads for Graft's kernels (GRAFT_THREADS) and for PyTorch (default 1)
# --dtype     f64 (default, as graft train) or f32
# --epochs    epochs each trains (default 1); the figures are each one's last epoch
#
# MNIST is read from $MNIST (default: ../shared/data/mnist beside the checkout). The runs stay in
# graph-bench/target/lenet-epoch/DATE-TIME/: graft's run folder, torch.json and table.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '8,12s/^# \{0,1\}//p' "$0"; }
threads=1 dtype=f64 epochs=1
while [ $# -gt 0 ]; do
    case $1 in
        --threads) threads=$2; shift ;;
        --dtype) dtype=$2; shift ;;
        --epochs) epochs=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "error: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
MNIST=${MNIST:-../shared/data/mnist}
[ -d "$MNIST" ] || { echo "error: no MNIST directory at $MNIST (set MNIST=DIR)" >&2; exit 1; }
python=
for candidate in ${PYTHON:-} python3 /usr/bin/python3; do
    if "$candidate" -c "import torch" 2>/dev/null; then python=$candidate; break; fi
done
[ -n "$python" ] || { echo "error: no python3 imports torch (Debian: apt-get install python3-torch)" >&2; exit 1; }

out=graph-bench/target/lenet-epoch/$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
echo "lenet_epoch.sh: graft train lenet, $epochs epoch(s), $dtype, $threads thread(s)" >&2
GRAFT_THREADS=$threads ./graft train lenet --data "mnist:$MNIST" --epochs "$epochs" --batch 100 --dtype "$dtype" --out "$out/graft" >&2
echo "lenet_epoch.sh: bench/torch_lenet.py with $python" >&2
"$python" bench/torch_lenet.py "$MNIST" --epochs "$epochs" --threads "$threads" --dtype "$dtype" > "$out/torch.json"

graft_seconds=$(tail -n 1 "$out/graft/metrics.csv" | awk -F, '{print $NF}')
graft_accuracy=$(tail -n 1 "$out/graft/metrics.csv" | awk -F, '{print $(NF-1)}')
"$python" - "$out/torch.json" "$graft_seconds" "$graft_accuracy" "$threads" "$dtype" <<'PY' | tee "$out/table.txt"
import json, sys
torch_run = json.load(open(sys.argv[1]))
last = torch_run["epochs"][-1]
graft_s, graft_acc, threads, dtype = float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
print(f"LeNet on MNIST, epoch {last['epoch']} of batches of 100, Adam lr 0.001, {dtype}, {threads} thread(s); "
      f"training seconds (not the test)")
print(f"{'':10} {'seconds':>9} {'test accuracy':>14}")
print(f"{'Graft':10} {graft_s:9.1f} {graft_acc:14.4f}")
print(f"{'PyTorch':10} {last['seconds']:9.1f} {last['test_accuracy']:14.4f}   (torch {torch_run['torch']})")
print(f"Graft/PyTorch: {graft_s / last['seconds']:.2f}")
PY
