#!/usr/bin/env bash
# Runs the whole test suite. On a fresh Debian machine it first installs what the suite needs:
# PostgreSQL (a throwaway cluster is started by the tests), Chromium (browser test), the npm
# packages of the JavaScript relying party, and the checkers of deploy/ (docker-compose, systemd-analyze,
# yamllint, promtool and Prometheus, amtool, nginx, and the Kubernetes schemas from npm). Ends with one line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
# docs/operations.md backup and restore (tests/Corbado.Oidc.Server.Tests/Process/OperationsDocTests): sqlite3, pg_dump.
command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
# docs/operations.md audit trail query (tests/Corbado.Oidc.Server.Tests/Operations/OperationsTests): jq, openssl.
command -v jq >/dev/null 2>&1 || missing+=(jq)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
# Checks of deploy/ (tests/Corbado.Oidc.Server.Tests/Deployment): compose file, systemd unit, YAML.
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
command -v yamllint >/dev/null 2>&1 || missing+=(yamllint)
# Prometheus and Alertmanager (promtool, amtool, a real Prometheus against two replicas) and nginx (nginx -t, a real
# nginx with TLS in front of two replicas): tests/Corbado.Oidc.Server.Tests/Deployment.
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v amtool >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  apt_log=$(mktemp)
  if ! { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$apt_log" 2>&1; then
    cat "$apt_log"; exit 1
  fi
  rm -f "$apt_log"
fi

# npm ci, unless node_modules was installed by this script from the same package-lock.json (a stamp inside it).
npm_ci() {
  local stamp="$1/node_modules/.installed-from-lock.sha256" sum
  sum=$(sha256sum "$1/package-lock.json" | cut -d' ' -f1)
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && return 0
  npm ci --prefix "$1" --no-audit --no-fund --loglevel=error
  echo "$sum" >"$stamp"
}
if [ -f tests/Corbado.Oidc.EndToEnd.Tests/js/package-lock.json ]; then
  npm_ci tests/Corbado.Oidc.EndToEnd.Tests/js
fi
npm_ci tests/Corbado.Oidc.Server.Tests/Deployment/schema

dotnet tool restore >/dev/null
dotnet build Corbado.Oidc.sln -c Release -warnaserror --nologo -v quiet

log=$(mktemp)
status=0
dotnet test Corbado.Oidc.sln -c Release --no-build --nologo --blame-hang-timeout 5m 2>&1 | tee "$log" || status=$?

# Benchmark smoke runs are not tests: they report on their own line, and only the test runner's counts make the last one.
smoke=()
if [ -d bench/Corbado.Oidc.Bench ]; then
  # Smoke runs of the benchmark (shipped configuration): a few hundred operations, asserting zero errors, never speed;
  # every entry point with the parameters in the query, and the browser login with an HS256 request object, as Okta
  # sends them by default.
  for request_object in none hs256; do
    entry=browser
    [ "$request_object" = none ] && entry=all
    if dotnet run --project bench/Corbado.Oidc.Bench -c Release --no-build -- --logins 300 --concurrency 8 --duration-limit 120 \
      --request-object "$request_object" --entry "$entry" --smoke; then
      smoke+=("$request_object: completed without errors")
    else
      smoke+=("$request_object: FAILED")
      status=1
    fi
  done
fi

passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
[ ${#smoke[@]} -gt 0 ] && echo "Benchmark smoke runs (${#smoke[@]}): $(IFS=';'; echo "${smoke[*]}")"
echo "${passed} passed, ${failed} failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
