#!/usr/bin/env bash
# The standard login benchmark (docs/benchmarks.md): builds Release, starts the server pinned to CPU 0,
# drives it from CPU 1 with 32 concurrent logins, and rewrites the results block of docs/benchmarks.md
# and bench/results/latest.json. Exit code 0 only when every login succeeded. Hints for the whole run are minted
# first, on both cores (about 20 s for 100,000); see docs/benchmarks.md for --hint-lifetime on longer runs.
#
#   scripts/bench.sh                                  # 100,000 logins on SQLite (stops at the 600 s limit)
#   LOGINS=20000 DURATION_LIMIT=240 scripts/bench.sh  # a shorter run
#   scripts/bench.sh --database postgresql            # extra options go to the benchmark as they are
set -euo pipefail
cd "$(dirname "$0")/.."

logins=${LOGINS:-100000}
duration_limit=${DURATION_LIMIT:-600}
concurrency=${CONCURRENCY:-32}
server_cpu=${SERVER_CPU:-0}
driver_cpu=${DRIVER_CPU:-1}

dotnet build Corbado.Oidc.sln -c Release -warnaserror --nologo -v quiet

dotnet run --project bench/Corbado.Oidc.Bench -c Release --no-build -- \
  --logins "$logins" --concurrency "$concurrency" --duration-limit "$duration_limit" \
  --server-cpu "$server_cpu" --driver-cpu "$driver_cpu" \
  --markdown docs/benchmarks.md --json bench/results/latest.json "$@"
