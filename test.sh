#!/usr/bin/env bash
# Runs every Breakwater test on a fresh machine: installs what the tests need (PostgreSQL, Node packages, Chromium),
# starts a throwaway PostgreSQL server on a loopback port, runs the .NET test suite and stops the server again.
# Usage: ./test.sh [extra dotnet test arguments, for example --filter FullyQualifiedName~Journal]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"

log() { printf '[test.sh] %s\n' "$*" >&2; }

apt_updated=false
# Package installs need root; a non-root user needs passwordless sudo for them (only when something is missing).
sudo=""
if [[ "$(id -u)" != 0 ]]; then
    sudo="sudo -n"
fi
apt_install() {
    if ! $apt_updated; then
        log "apt-get update"
        $sudo apt-get update -qq >/dev/null
        apt_updated=true
    fi
    log "apt-get install $*"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

find_pg_bin() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            printf '%s\n' "$dir"
        fi
    done | sort -V | tail -n 1
}

ensure_postgres() {
    pg_bin="$(find_pg_bin)"
    if [[ -z "$pg_bin" ]]; then
        apt_install postgresql
        pg_bin="$(find_pg_bin)"
    fi
    if [[ -z "$pg_bin" ]]; then
        log "PostgreSQL server binaries not found after installing the postgresql package"
        exit 1
    fi
}

ensure_node_packages() {
    local manifest dir
    if ! command -v npm >/dev/null; then
        apt_install nodejs npm
    fi
    while IFS= read -r manifest; do
        dir="$(dirname "$manifest")"
        log "npm install in $dir"
        if [[ -f "$dir/package-lock.json" ]]; then
            (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
        else
            (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
        fi
    done < <(find tests -name package.json -not -path '*/node_modules/*')
}

ensure_chromium() {
    if [[ ! -x /usr/bin/chromium ]]; then
        apt_install chromium
    fi
}

# PostgreSQL refuses to run as root, so the throwaway cluster belongs to an unprivileged account.
start_postgres() {
    local user
    user="$(id -un)"
    pg_dir="$(mktemp -d /tmp/breakwater-pg.XXXXXX)"
    if [[ "$(id -u)" == 0 ]]; then
        user=postgres
        if ! id "$user" >/dev/null 2>&1; then
            useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
        fi
        chown "$user" "$pg_dir"
    fi
    pg_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' \
        2>/dev/null || shuf -i 20000-40000 -n 1)"
    if [[ "$(id -u)" == 0 ]]; then
        as_pg=(runuser -u "$user" --)
    else
        as_pg=()
    fi
    "${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U breakwater --auth=trust -E UTF8 --no-sync >/dev/null
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c max_connections=200 -c fsync=on" start >/dev/null
    export BREAKWATER_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=breakwater;Database=postgres"
    # The outage test stops and starts this server; it needs the same binaries, directory and account.
    export BREAKWATER_TEST_POSTGRES_BIN="$pg_bin"
    export BREAKWATER_TEST_POSTGRES_DATA="$pg_dir/data"
    export BREAKWATER_TEST_POSTGRES_USER="$user"
    export BREAKWATER_TEST_POSTGRES_OPTIONS="-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c max_connections=200"
    log "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') listening on 127.0.0.1:$pg_port"
}

stop_postgres() {
    if [[ -n "${pg_dir:-}" && -d "$pg_dir/data" ]]; then
        "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$pg_dir"
    fi
}

ensure_postgres
ensure_node_packages
ensure_chromium
trap stop_postgres EXIT
start_postgres

results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
export BREAKWATER_TEST_ARTIFACTS="$root/artifacts"

log "dotnet test"
set +e
dotnet test Breakwater.slnx --configuration Release \
    --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@" | tee "$results/console.log"
status=${PIPESTATUS[0]}
set -e

# One closing line for the whole run, summed over the test projects' TRX files.
python3 - "$results" <<'PY' || true
import sys, glob, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    counters = ET.parse(path).getroot().find(".//{*}Counters")
    if counters is not None:
        passed += int(counters.get("passed", 0))
        failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0))
        skipped += int(counters.get("notExecuted", 0))
print(f"Tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
exit "$status"
