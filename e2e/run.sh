#!/usr/bin/env bash
# End-to-end browser tests: build hemi, make a demo database on a temporary SQLite file,
# add test accounts, start `hemi serve`, run the node:test suites against it, stop it.
# Needs cargo, curl, Node.js >= 18 (Debian 12's), Debian's chromium at /usr/bin/chromium and
# e2e/node_modules (playwright-core only: no browser download); `scripts/setup-test-env e2e`
# checks them and installs what is missing (as non-root it prints the sudo line and stops).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
"$root/scripts/setup-test-env" e2e
target="${CARGO_TARGET_DIR:-$root/target}"
port="${HEMI_E2E_PORT:-18181}"

(cd "$root" && cargo build -p hemi --quiet)
hemi="$target/debug/hemi"
work="$(mktemp -d)"
db="$work/e2e.db"
mkdir -p "$here/artifacts"

export HEMI_REGISTRY_KEY_FILE="$work/registry.keys"
"$hemi" registry keygen --out "$HEMI_REGISTRY_KEY_FILE" 2>/dev/null
"$hemi" --database-url "$db" demo --no-serve >"$work/demo.log" 2>&1
printf '%s\n' 'officer-password-1' | "$hemi" --database-url "$db" users add e2e_officer --role national_officer --country PAN --password-stdin
printf '%s\n' 'analyst-password-1' | "$hemi" --database-url "$db" users add e2e_analyst --role secretariat --password-stdin
printf '%s\n' 'registrar-password-1' | "$hemi" --database-url "$db" users add e2e_registrar --role registration_officer --office cucuta --password-stdin
printf '%s\n' 'caseworker-password-1' | "$hemi" --database-url "$db" users add e2e_caseworker --role caseworker --office cucuta --password-stdin
printf '%s\n' 'watch-password-1' | "$hemi" --database-url "$db" users add e2e_watch --role watch_officer --password-stdin
printf '%s\n' 'admin-password-1' | "$hemi" --database-url "$db" users add e2e_admin --role admin --password-stdin
printf '%s\n' 'account-password-1' | "$hemi" --database-url "$db" users add e2e_account --role secretariat --password-stdin
printf '%s\n' 'pathways-password-1' | "$hemi" --database-url "$db" users add e2e_pathways --role pathways_officer --office SMO-COL-BOG --password-stdin
printf '%s\n' 'placement-password-1' | "$hemi" --database-url "$db" users add e2e_placement --role placement_coordinator --password-stdin

# Served with the bundled pathways catalogue plus a test program with one place
# (pathways.test.mjs); the demo's caseload was loaded with the bundled one.
cp -r "$root/pathways" "$work/pathways"
cp "$here/fixtures/pathways/"*.toml "$work/pathways/programs/"
HEMI_PATHWAYS_DIR="$work/pathways" "$hemi" --database-url "$db" serve --bind "127.0.0.1:$port" >"$here/artifacts/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null

cd "$here"
HEMI_URL="http://127.0.0.1:$port" node --test --test-concurrency=1 tests/
