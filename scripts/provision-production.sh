#!/usr/bin/env bash
# Installs what the production stack (npm run start:production) runs on, beside what
# scripts/provision.sh installs. Safe to run again: each part is skipped when its pinned version
# is already there, so a second run takes seconds.
#   - PostgreSQL 15 server             Debian's postgresql-15 (apt-get, when the binaries are missing)
#   - Temporal Server + schema tool    built from the pinned Go module (about 5 minutes on 2 cores)
#   - Temporal Web UI server           built from the pinned Go module; optional (see below)
set -euo pipefail

TEMPORAL_SERVER_VERSION=v1.32.0
# Temporal Server v1.32.0's go.mod asks for Go 1.26.8; ui-server v2.56+ ask for 1.26.9+, so the
# newest UI that builds with the same Go is v2.55.0 (go 1.26.5)
TEMPORAL_UI_VERSION=v2.55.0
PG_MAJOR=15

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${TOOLS_DIR:-$ROOT/.tools}"
BIN="$TOOLS/bin"
PG_BIN="${PG_BIN_DIR:-/usr/lib/postgresql/$PG_MAJOR/bin}"
mkdir -p "$BIN"

step=""
fail() {
  echo "provision-production: step '$step' failed." >&2
  echo "  try instead: $1" >&2
  exit 1
}
have() { [ -x "$BIN/$1" ] && [ "$(cat "$BIN/$1.version" 2>/dev/null)" = "$2" ]; }
# a pinned module may ask for a newer Go than the machine's; never fetch a toolchain behind our back
export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:--buildvcs=false}"

step="PostgreSQL $PG_MAJOR server binaries"
if [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ] || [ ! -x "$PG_BIN/postgres" ]; then
  echo "provision-production: postgresql-$PG_MAJOR -> $PG_BIN"
  [ "$(id -u)" = 0 ] || command -v sudo >/dev/null || fail "install postgresql-$PG_MAJOR as root (apt-get install -y postgresql-$PG_MAJOR), or set PG_BIN_DIR to a PostgreSQL $PG_MAJOR bin directory"
  as_root=""; [ "$(id -u)" = 0 ] || as_root="sudo -n"
  # the Debian package would also create and start its own cluster on 5432; ours lives in $DATA_DIR
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "postgresql-$PG_MAJOR" \
    || { $as_root apt-get update -q && $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "postgresql-$PG_MAJOR"; } \
    || fail "apt-get install -y postgresql-$PG_MAJOR by hand (Debian 12 ships 15), or set PG_BIN_DIR to a PostgreSQL $PG_MAJOR bin directory"
fi
"$PG_BIN/postgres" --version | grep -q "PostgreSQL) $PG_MAJOR\." || fail "PG_BIN_DIR=$PG_BIN is not PostgreSQL $PG_MAJOR; point PG_BIN_DIR at one"
step="an unprivileged user for PostgreSQL"
# PostgreSQL refuses to run as root; the Debian package creates 'postgres', and so do we if it is missing
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres \
    || fail "create a system user 'postgres' (useradd --system postgres)"
fi
if [ "$(id -u)" = 0 ]; then command -v runuser >/dev/null || fail "install util-linux (runuser runs PostgreSQL as 'postgres')"; fi

# `go install` of both commands at once shares the module download and the compile of their common
# packages. Both binaries are called `server`/`sql` by Go; we rename them.
step="Temporal Server $TEMPORAL_SERVER_VERSION (go install, about 5 minutes on 2 cores)"
if ! have temporal-server "$TEMPORAL_SERVER_VERSION" || ! have temporal-sql-tool "$TEMPORAL_SERVER_VERSION"; then
  command -v go >/dev/null || fail "install Go >= 1.26.8 (the go line of Temporal Server $TEMPORAL_SERVER_VERSION's go.mod)"
  echo "provision-production: Temporal Server $TEMPORAL_SERVER_VERSION -> $BIN/temporal-server, $BIN/temporal-sql-tool (about 5 minutes on 2 cores)"
  gobin="$TOOLS/gobin-temporal"
  rm -rf "$gobin" && mkdir -p "$gobin"
  started=$(date +%s)
  GOBIN="$gobin" go install -trimpath "go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION" "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_SERVER_VERSION" \
    || fail "check GOPROXY reaches the Go module proxy and 'go version' is >= the go line of go.temporal.io/server@$TEMPORAL_SERVER_VERSION's go.mod; or use a Temporal Server release binary / Temporal Cloud and set TEMPORAL_ADDRESS"
  mv "$gobin/server" "$BIN/temporal-server"
  mv "$gobin/sql" "$BIN/temporal-sql-tool"
  rm -rf "$gobin"
  echo "$TEMPORAL_SERVER_VERSION" > "$BIN/temporal-server.version"
  echo "$TEMPORAL_SERVER_VERSION" > "$BIN/temporal-sql-tool.version"
  echo "provision-production: Temporal Server built in $(( $(date +%s) - started )) s"
fi
step="Temporal Server $TEMPORAL_SERVER_VERSION (check)"
server_version_output="$("$BIN/temporal-server" --version 2>&1 || true)"
[[ "$server_version_output" == *"${TEMPORAL_SERVER_VERSION#v}"* ]] || fail "remove $BIN/temporal-server* and run again"

# The Web UI is a convenience for operators, not part of the system: when it does not build, the
# stack starts without it (the temporal CLI does the same work, see the README) and this step is
# not tried again on every start; PROVISION_RETRY_UI=1 tries again.
step="Temporal Web UI server $TEMPORAL_UI_VERSION (optional)"
if ! have temporal-ui-server "$TEMPORAL_UI_VERSION"; then
  if [ "$(cat "$BIN/temporal-ui-server.failed" 2>/dev/null)" = "$TEMPORAL_UI_VERSION" ] && [ -z "${PROVISION_RETRY_UI:-}" ]; then
    echo "provision-production: Web UI $TEMPORAL_UI_VERSION did not build before; skipped (PROVISION_RETRY_UI=1 tries again)"
  else
    echo "provision-production: Temporal Web UI server $TEMPORAL_UI_VERSION -> $BIN/temporal-ui-server"
    gobin="$TOOLS/gobin-ui"
    rm -rf "$gobin" && mkdir -p "$gobin"
    if GOBIN="$gobin" go install -trimpath "github.com/temporalio/ui-server/v2/cmd/server@$TEMPORAL_UI_VERSION"; then
      mv "$gobin/server" "$BIN/temporal-ui-server"
      echo "$TEMPORAL_UI_VERSION" > "$BIN/temporal-ui-server.version"
      rm -f "$BIN/temporal-ui-server.failed"
    else
      echo "$TEMPORAL_UI_VERSION" > "$BIN/temporal-ui-server.failed"
      echo "provision-production: the Web UI did not build; the stack runs without it (use the temporal CLI, README 'Production')" >&2
    fi
    rm -rf "$gobin"
  fi
fi

echo "provision-production: ok (postgresql $PG_MAJOR, temporal server $TEMPORAL_SERVER_VERSION, web ui $(cat "$BIN/temporal-ui-server.version" 2>/dev/null || echo none)) in $BIN"
