#!/usr/bin/env bash
# epochs.sh: epochs of every bundled model in `graft train` and the same model in PyTorch
# (bench/torch_epoch.py), in f64 and f32, on 1 and 2 threads, one run after the other on the same
# machine, and one table of training seconds and their ratios. bench/README.md says what each
# column means.
#
#   bench/epochs.sh [--only REGEX] [--steps N | --full] [--epochs N] [--dtypes LIST] [--threads LIST] [--profile]
#                   [--baseline DIR]
#
# --only RE    only the models whose name RE finds: mlp dae cae rbm vae lenet rnn (e.g. 'mlp|rbm')
# --steps N    each MNIST epoch is the first N steps' examples (default 40)
# --full       whole epochs of MNIST's 60,000 examples (hours for the whole table: use --only)
# --epochs N   epochs per run; the figure is the median of the last half of them (default 8; --full: 1,
#              the first epoch's own); rnn, whose epoch is 8 steps, runs 10 times as many
# --dtypes L   comma-separated, default f64,f32
# --threads L  comma-separated, default 1,2: GRAFT_THREADS for graft, torch.set_num_threads for PyTorch
# --profile    records each graft run with `perf record -g` (perf map and frame pointers for its
#              JIT code) and writes where its time went beside it, RUN.profile.txt (bench/perf_summary.py)
# --baseline D also runs DIR/graft, another checkout of Graft with its graft.jar built (e.g. a git
#              worktree of an older commit), just before each graft run: the table gains its times
#
# MNIST is read from $MNIST (default: ../shared/data/mnist beside the checkout); the rnn trains on
# lorenz. PYTHON names the python with torch (default: the first of python3, /usr/bin/python3 that
# imports it); GRAFT_JAVA_OPTS goes to graft's JVM. Every run stays in graph-bench/target/epochs/
# DATE-TIME/: graft's run folders and logs, PyTorch's JSON, runs.jsonl (a line per row and thread
# count) and table.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '7,26s/^# \{0,1\}//p' "$0"; }
only=. steps=40 full=0 epochs= dtypes=f64,f32 threads=1,2 profile=0 baseline=
while [ $# -gt 0 ]; do
    case $1 in
        --only) only=$2; shift ;;
        --steps) steps=$2; shift ;;
        --full) full=1 ;;
        --epochs) epochs=$2; shift ;;
        --dtypes) dtypes=$2; shift ;;
        --threads) threads=$2; shift ;;
        --profile) profile=1 ;;
        --baseline) baseline=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "error: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
[ -n "$epochs" ] || epochs=$([ $full = 1 ] && echo 1 || echo 8)
case "$steps$epochs" in *[!0-9]*) echo "error: --steps and --epochs take whole numbers" >&2; exit 2 ;; esac

if [ -n "$baseline" ] && [ ! -x "$baseline/graft" ]; then
    echo "error: --baseline $baseline: no graft launcher there (a checkout of Graft is expected)" >&2; exit 2
fi
MNIST=${MNIST:-../shared/data/mnist}
[ -d "$MNIST" ] || { echo "error: no MNIST directory at $MNIST (set MNIST=DIR)" >&2; exit 1; }
python=
for candidate in ${PYTHON:-} python3 /usr/bin/python3; do
    if "$candidate" -c "import torch" 2>/dev/null; then python=$candidate; break; fi
done
[ -n "$python" ] || { echo "error: no python3 imports torch (Debian: apt-get install python3-torch)" >&2; exit 1; }
if [ $profile = 1 ] && ! command -v perf > /dev/null; then
    echo "error: --profile needs perf (Debian: apt-get install linux-perf)" >&2; exit 1
fi

# a line per model: its name, batch, the data it trains on, graft train's --set arguments; the
# PyTorch script holds them, so both frameworks train alike (mlp.graft's hidden layer is 128 wide
# by default: the benchmark's is the Theano tutorial's 500)
mapfile -t models < <("$python" bench/torch_epoch.py --settings)
[ ${#models[@]} -gt 0 ] || { echo "error: bench/torch_epoch.py --settings listed no model" >&2; exit 1; }

out=graph-bench/target/epochs/$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
runs=$out/runs.jsonl
: > "$runs"

# the examples an epoch reads: MNIST's first ones, and 1,000 test images (measured after each
# epoch, not timed), raw IDX so that no run inflates the .gz again
data_dir() {   # the folder of the first $1 training images, made once
    local dir=$out/mnist-$1
    [ -d "$dir" ] || "$python" bench/mnist_head.py "$MNIST" "$dir" "$1" 1000
    echo "$dir"
}

echo "epochs.sh: load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; runs in $out" >&2
for spec in "${models[@]}"; do
    read -r model batch data extra <<< "$spec"
    [[ $model =~ $only ]] || continue
    e=$epochs
    if [ "$data" = lorenz ]; then
        graft_data=lorenz torch_data=() epoch_steps=$((256 / batch)) timed_steps=$epoch_steps e=$((10 * epochs))
    else
        n=$((full == 1 || steps * batch > 60000 ? 60000 : steps * batch))
        dir=$(data_dir "$n")
        graft_data=mnist:$dir torch_data=(--data "$dir") epoch_steps=$((60000 / batch)) timed_steps=$((n / batch))
    fi
    for dtype in ${dtypes//,/ }; do
        for t in ${threads//,/ }; do
            run=$out/$model-$dtype-$t
            before=()
            if [ -n "$baseline" ]; then
                echo "epochs.sh: $model $dtype, $t thread(s): graft train of the baseline" >&2
                # shellcheck disable=SC2086 # $extra is split into words on purpose
                GRAFT_THREADS=$t "$baseline/graft" train "$model" --data "$graft_data" --epochs "$e" --batch "$batch" \
                    --dtype "$dtype" $extra --out "$run-before" --overwrite > "$run-before.log" 2>&1 \
                    || { cat "$run-before.log" >&2; exit 1; }
                before=("$run-before/metrics.csv")
            fi
            echo "epochs.sh: $model $dtype, $t thread(s): graft train" >&2
            graft=(./graft)
            java_opts=${GRAFT_JAVA_OPTS:-}
            if [ $profile = 1 ]; then
                # cpu-clock: this machine's VM has no hardware counters; 499 Hz, not a multiple of the scheduler's tick
                graft=(perf record -e cpu-clock -F 499 -g -o "$run.perf.data" -- ./graft)
                java_opts="$java_opts -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -XX:+PreserveFramePointer"
            fi
            # shellcheck disable=SC2086 # $extra is split into words on purpose
            GRAFT_THREADS=$t GRAFT_JAVA_OPTS=$java_opts "${graft[@]}" train "$model" --data "$graft_data" --epochs "$e" \
                --batch "$batch" --dtype "$dtype" $extra --out "$run" --overwrite > "$run.log" 2>&1 || { cat "$run.log" >&2; exit 1; }
            if [ $profile = 1 ]; then
                perf script -i "$run.perf.data" 2> /dev/null | "$python" bench/perf_summary.py > "$run.profile.txt"
                # the JVM's map of its JIT code, which perf script looks for in /tmp, kept with the recording
                for pid in $(perf script -i "$run.perf.data" -F pid 2> /dev/null | sort -u); do
                    if [ -f "/tmp/perf-$pid.map" ]; then mv "/tmp/perf-$pid.map" "$run.perf-$pid.map"; fi
                done
                echo "epochs.sh: where the time went: $run.profile.txt" >&2
            fi
            echo "epochs.sh: $model $dtype, $t thread(s): bench/torch_epoch.py" >&2
            "$python" bench/torch_epoch.py "$model" "${torch_data[@]+"${torch_data[@]}"}" --dtype "$dtype" \
                --threads "$t" --epochs "$e" > "$run-torch.json" 2>> "$run.log" || { cat "$run.log" >&2; exit 1; }
            "$python" bench/epoch_table.py --record "$model" "$dtype" "$t" "$timed_steps" "$epoch_steps" \
                "$run/metrics.csv" "$run-torch.json" "${before[@]+"${before[@]}"}" >> "$runs"
        done
    done
done
echo "epochs.sh: load average $(cut -d' ' -f1-3 /proc/loadavg) at the end" >&2
echo >&2
"$python" bench/epoch_table.py "$runs" | tee "$out/table.txt"
