#!/usr/bin/env bash
# cores.sh: what a second thread can give on this machine at best. It times the hand-written
# medium MLP step (HandStepBenchmark: one thread, no shared state, GEMM-bound) in one JVM alone,
# then in two JVMs at once, and prints each one's median step and the slowdown of running two.
# Two threads of one job can do no better than two jobs that share nothing: where two at once
# ran 1.4 times slower each (cores shared with other machines, or a core's two hyperthreads),
# the best a two-thread step could take would be 1.4 / 2 = 0.7 of one thread's.
#
#   bench/cores.sh [--config tiny|small|medium|large] [--dtype f64|f32] [--rounds N]
#
# --config C   the step's size (default medium: 784-256-10, batch 128)
# --dtype D    default f32
# --rounds N   alone, then two at once, N times over (default 2), so that a change in the
#              machine's load shows as rounds that disagree
#
# The benchmark jar is built first when it is missing (MVN_FLAGS, e.g. -o, goes to mvn).
# JMH's reports stay in graph-bench/target/cores/DATE-TIME/.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '8,13s/^# \{0,1\}//p' "$0"; }
config=medium dtype=f32 rounds=2
while [ $# -gt 0 ]; do
    case $1 in
        --config) config=$2; shift ;;
        --dtype) dtype=$2; shift ;;
        --rounds) rounds=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "error: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
case "$rounds" in ''|*[!0-9]*) echo "error: --rounds takes a whole number, found '$rounds'" >&2; exit 2 ;; esac

jar=graph-bench/target/benchmarks.jar
if [ ! -f "$jar" ]; then
    echo "cores.sh: building the benchmarks (mvn -B -q -pl graph-bench -am package -DskipTests)..." >&2
    # shellcheck disable=SC2086 # MVN_FLAGS is split into words on purpose
    mvn -B -q ${MVN_FLAGS:-} -pl graph-bench -am package -DskipTests
fi
out=graph-bench/target/cores/$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"

# one JVM's median step in microseconds, its JMH report in $out/$1.txt
step() {
    # JMH takes a lock so that two runs do not overlap: here they are meant to
    java -Djmh.ignoreLock=true -jar "$jar" HandStepBenchmark -p config="$config" -p dtype="$dtype" -f 1 -wi 3 -w 1 -i 5 -r 1 \
        > "$out/$1.txt" 2>&1
    awk '$1 == "HandStepBenchmark.step:p0.50" { print $(NF - 1) }' "$out/$1.txt"
}

echo "hand-written $config step, $dtype, one thread per JVM; median microseconds (load average $(cut -d' ' -f1-3 /proc/loadavg))"
for r in $(seq 1 "$rounds"); do
    alone=$(step "alone-$r")
    step "first-$r" > "$out/first-$r.median" &
    second=$(step "second-$r")
    wait
    first=$(cat "$out/first-$r.median")
    awk -v r="$r" -v a="$alone" -v f="$first" -v s="$second" 'BEGIN {
        printf "round %d: alone %s; two at once %s and %s; slowdown %.2f and %.2f: a two-thread step takes at best %.2f of one thread'"'"'s\n",
            r, a, f, s, f / a, s / a, (f + s) / (4 * a)
    }'
done
