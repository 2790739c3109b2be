#!/usr/bin/env bash
# compare.sh: times one MLP training step as Graft compiles it, as written by hand on the same
# GEMM back end, and in PyTorch when a python3 can import torch, and prints one table of medians,
# ratios and Graft's bytes allocated per step, with the compile time of the medium MLP's
# training graph. bench/README.md says what each column means.
#
#   bench/compare.sh [--quick] [--only REGEX] [-Dgraft.blas=openblas|ejml|loops|auto] [-Dgraft.threads=N] [-- JMH_ARGS...]
#
# --quick     fewer and shorter iterations, to try the script (about a minute)
# --only RE   only the JMH benchmarks whose name RE finds (e.g. 'Conv|Lenet'); PyTorch runs all of its own
# -Dname=v    passed to every benchmark JVM and to the table printer; graft.threads is 1 unless
#             given, and PyTorch gets the same number of threads
# -- ARGS     passed to JMH as they are, e.g. -- -p config=tiny,small
#
# The benchmark jar is built first when it is missing or older than a pom.xml or a file under
# src/main/ (MVN_FLAGS, e.g. -o, is passed to that mvn). The results of each run stay in
# graph-bench/target/compare/DATE-TIME/: jmh.json, jmh.log, torch.json, table.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '6,13s/^# \{0,1\}//p' "$0"; }

quick=0
only='org\.graft\.bench\..*'
props=()
jmh_args=()
while [ $# -gt 0 ]; do
    case $1 in
        --quick) quick=1 ;;
        --only) only=$2; shift ;;
        -D*=*) props+=("$1") ;;
        --) shift; jmh_args=("$@"); break ;;
        -h|--help) usage; exit 0 ;;
        *) echo "error: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
threads=1
for p in "${props[@]+"${props[@]}"}"; do
    case $p in -Dgraft.threads=*) threads=${p#-Dgraft.threads=} ;; esac
done
jvm_props=(-Dgraft.threads=1 "${props[@]+"${props[@]}"}")   # a later -D wins, so the user's come last

jar=graph-bench/target/benchmarks.jar
stale() {
    [ ! -f "$jar" ] && return 0
    [ -n "$(find . \( -name target -o -name .git \) -prune -o \
        \( -name pom.xml -o -path '*/src/main/*' \) -type f -newer "$jar" -print 2>/dev/null | head -n 1)" ]
}
if stale; then
    echo "compare.sh: building the benchmarks (mvn -B -q -pl graph-bench -am package -DskipTests)..." >&2
    # shellcheck disable=SC2086 # MVN_FLAGS is split into words on purpose
    mvn -B -q ${MVN_FLAGS:-} -pl graph-bench -am package -DskipTests
fi

out=graph-bench/target/compare/$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"

iterations=()
torch_args=(--threads "$threads")
if [ $quick = 1 ]; then
    iterations=(-wi 1 -w 500ms -i 3 -r 500ms)
    torch_args+=(--quick)
fi
echo "compare.sh: running the JMH suite (JMH's own report: $out/jmh.log)" >&2
# one line per run from JMH's report: the benchmark, then its parameters
java -jar "$jar" "$only" -rf json -rff "$out/jmh.json" -prof gc -prof org.graft.bench.StepAllocation \
        -jvmArgsAppend "${jvm_props[*]}" "${iterations[@]+"${iterations[@]}"}" "${jmh_args[@]+"${jmh_args[@]}"}" \
    | tee "$out/jmh.log" \
    | sed -un -e 's/^# Benchmark: org\.graft\.bench\.\(.*\)/  \1/p' -e 's/^# Parameters: \(.*\)/    \1/p' >&2

table_args=("$out/jmh.json")
# the first Python that imports torch: $PYTHON if set, the one on the PATH, then Debian's (where
# apt-get install python3-torch puts it, and a python3 earlier on the PATH may not see it)
python=
for candidate in ${PYTHON:-} python3 /usr/bin/python3; do
    if "$candidate" -c "import torch" 2>/dev/null; then python=$candidate; break; fi
done
if [ -n "$python" ]; then
    echo "compare.sh: running the PyTorch steps with $python" >&2
    "$python" bench/torch_step.py "${torch_args[@]}" > "$out/torch.json"
    table_args+=("$out/torch.json")
else
    echo "compare.sh: no python3 imports torch: no PyTorch column (Debian: apt-get install python3-torch)" >&2
fi

echo >&2
java "${jvm_props[@]}" -cp "$jar" org.graft.bench.Table "${table_args[@]}" | tee "$out/table.txt"
