#!/usr/bin/env bash
# Before and after, one right after the other (docs/benchmarks.md, "A/B"): builds BASE_REF in a temporary git worktree
# (Release), builds the working tree, then runs the benchmark against both servers interleaved, A B A B …, with the
# same options (the working tree's benchmark drives both, so only the server differs), and prints each pair and the
# mean and spread of server CPU per operation and of its ratio to the crypto floor.
#
#   scripts/bench-ab.sh [--pairs N] [--max-load L] BASE_REF [benchmark options]
#   scripts/bench-ab.sh d50f0e9 --logins 20000 --concurrency 32 --server-cpu 0 --driver-cpu 1
#   scripts/bench-ab.sh main --entry all --quiet-server
#
# It refuses to start (exit 3) when the 1-minute load average is above --max-load (0.7 by default): a figure taken
# while something else runs is not evidence. --pairs is at least 3. --allow-busy-machine skips the load check; it
# exists for the test that runs this script on a shared test machine, never for figures anyone quotes.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: scripts/bench-ab.sh [--pairs N (>= 3)] [--max-load L] BASE_REF [benchmark options]" >&2; exit 2; }

pairs=3
max_load=0.7
allow_busy=false
while [ $# -gt 0 ]; do
  case "$1" in
    --pairs) [ $# -ge 2 ] || usage; pairs=$2; shift 2 ;;
    --max-load) [ $# -ge 2 ] || usage; max_load=$2; shift 2 ;;
    --allow-busy-machine) allow_busy=true; shift ;;
    -h|--help) usage ;;
    -*) echo "error: unknown option $1 (benchmark options go after BASE_REF)" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || usage
base_ref=$1
shift
[[ "$pairs" =~ ^[0-9]+$ ]] && [ "$pairs" -ge 3 ] || { echo "error: --pairs must be a whole number of at least 3 (was '$pairs')" >&2; exit 2; }
[[ "$max_load" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "error: --max-load must be a number (was '$max_load')" >&2; exit 2; }
for option in "$@"; do
  case "$option" in
    --json|--markdown|--server-dll) echo "error: $option is set by this script for each run" >&2; exit 2 ;;
  esac
done

# BENCH_AB_LOADAVG names another file in /proc/loadavg's format: the test of the refusal uses it.
load=$(cut -d' ' -f1 "${BENCH_AB_LOADAVG:-/proc/loadavg}")
if [ "$allow_busy" != true ] && awk -v load="$load" -v max="$max_load" 'BEGIN { exit !(load > max) }'; then
  echo "error: the 1-minute load average is $load, above $max_load: something else is running, and its noise would be in the figures." >&2
  echo "       Wait until the machine is quiet (or raise --max-load knowingly)." >&2
  exit 3
fi

base_sha=$(git rev-parse --verify --quiet "${base_ref}^{commit}") || { echo "error: $base_ref is not a commit here" >&2; exit 2; }
head_label="working tree at $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src bench 2>/dev/null || echo ' with changes')"
work=$(mktemp -d "${TMPDIR:-/tmp}/corbado-oidc-ab-XXXXXX")
cleanup() {
  git worktree remove --force "$work/base" >/dev/null 2>&1 || true
  rm -rf "$work"
  # A removal that failed (or a run killed before this) leaves a registration without its folder: drop it.
  git worktree prune >/dev/null 2>&1 || true
}
trap cleanup EXIT

started=$SECONDS
echo "[ab] building A = $base_ref ($(git rev-parse --short "$base_sha")) in a temporary worktree"
git worktree add --detach --quiet "$work/base" "$base_sha"
(cd "$work/base" && dotnet build src/Corbado.Oidc.Server/Corbado.Oidc.Server.csproj -c Release --nologo -v quiet >"$work/build-a.log" 2>&1) \
  || { cat "$work/build-a.log" >&2; echo "error: the build of $base_ref failed" >&2; exit 1; }
echo "[ab] built A in $((SECONDS - started)) s; building B = $head_label"
started=$SECONDS
dotnet build bench/Corbado.Oidc.Bench/Corbado.Oidc.Bench.csproj -c Release --nologo -v quiet >"$work/build-b.log" 2>&1 \
  || { cat "$work/build-b.log" >&2; echo "error: the build of the working tree failed" >&2; exit 1; }

echo "[ab] built B in $((SECONDS - started)) s"
# Copies, so that a build during the runs cannot change what is measured.
cp -r "$work/base/src/Corbado.Oidc.Server/bin/Release/net10.0" "$work/server-a"
cp -r src/Corbado.Oidc.Server/bin/Release/net10.0 "$work/server-b"
cp -r bench/Corbado.Oidc.Bench/bin/Release/net10.0 "$work/bench"

run() { # $1 = a|b, $2 = pair number
  local out="$work/$1$2.json"
  echo "[ab] pair $2, $(tr 'ab' 'AB' <<<"$1"): load average $(cut -d' ' -f1 /proc/loadavg)"
  if ! dotnet "$work/bench/Corbado.Oidc.Bench.dll" --server-dll "$work/server-$1/Corbado.Oidc.Server.dll" --json "$out" "${bench_options[@]}" \
      >"$work/$1$2.log" 2>&1; then
    cat "$work/$1$2.log" >&2
    echo "error: run $(tr 'ab' 'AB' <<<"$1") of pair $2 failed" >&2
    exit 1
  fi
}
bench_options=("$@")
for i in $(seq 1 "$pairs"); do
  run a "$i"
  run b "$i"
done

a_runs=(); b_runs=()
for i in $(seq 1 "$pairs"); do a_runs+=("$work/a$i.json"); b_runs+=("$work/b$i.json"); done
echo
dotnet "$work/bench/Corbado.Oidc.Bench.dll" ab-summary --base-label "$base_ref ($(git rev-parse --short "$base_sha"))" --head-label "$head_label" \
  --base "${a_runs[@]}" --head "${b_runs[@]}"
echo "options: ${bench_options[*]:-(defaults)}"
