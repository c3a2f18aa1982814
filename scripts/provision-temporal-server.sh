#!/usr/bin/env bash
# Provides a production-shaped Temporal server (frontend, history, matching and worker services
# over SQL persistence) and its SQL schema tool, built from the Go module proxy at the version
# the dev server embeds (go.temporal.io/server v1.29.1, whose go.mod has no replace directive),
# with the PostgreSQL schemas of that version beside them. For `npm run cluster` (scripts/cluster.ts).
#
# Cached outside the checkout like the other servers (idempotent; quiet when cached, progress
# when building). Prints the cache directory as the last line on stdout; messages go to stderr:
#   <dir>/temporal-server   <dir>/temporal-sql-tool   <dir>/schema/postgresql/v12/{temporal,visibility}
#   --check   resolve only; fail instead of building
set -euo pipefail

VERSION="${JOBNET_TEMPORAL_SERVER_VERSION:-v1.29.1}"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/jobnet"
CACHE_DIR="$CACHE_ROOT/temporal-server-$VERSION"
say() { printf 'temporal server: %s\n' "$*" >&2; }

if [[ -x "$CACHE_DIR/temporal-server" && -x "$CACHE_DIR/temporal-sql-tool" && -d "$CACHE_DIR/schema/postgresql/v12" ]]; then
  echo "$CACHE_DIR"; exit 0
fi
if [[ "${1:-}" == "--check" ]]; then
  say "not provisioned; run: bash scripts/provision-temporal-server.sh"; exit 1
fi
command -v go >/dev/null 2>&1 || { say "Go is needed to build the Temporal server $VERSION"; exit 1; }

say "building go.temporal.io/server $VERSION (cmd/server, cmd/tools/sql) with $(go version | cut -d' ' -f3); a cold build takes several minutes on 2 cores…"
mkdir -p "$CACHE_ROOT"
staging="$(mktemp -d "$CACHE_ROOT/.temporal-server-build.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
started=$SECONDS
GOBIN="$staging/bin" GOFLAGS="${GOFLAGS:-} -trimpath" go install "go.temporal.io/server/cmd/server@$VERSION" "go.temporal.io/server/cmd/tools/sql@$VERSION" >&2
mkdir -p "$staging/final/schema/postgresql"
mv "$staging/bin/server" "$staging/final/temporal-server"
mv "$staging/bin/sql" "$staging/final/temporal-sql-tool"
# The schemas ship in the module; copied so the cache does not depend on the module cache staying.
module="$(go env GOMODCACHE)/go.temporal.io/server@$VERSION"
cp -r "$module/schema/postgresql/v12" "$staging/final/schema/postgresql/v12"
chmod -R u+w "$staging/final/schema"
"$staging/final/temporal-server" --help >/dev/null
# Moved into place whole, so an interrupted build never looks like a finished cache.
rm -rf "$CACHE_DIR" && mv "$staging/final" "$CACHE_DIR"
say "ready at $CACHE_DIR (took $((SECONDS - started)) s)"
echo "$CACHE_DIR"
