#!/usr/bin/env bash
# Provides the Temporal CLI (dev server + embedded Web UI) without the SDK's own download,
# which cannot reach its host from our build machines (DESIGN.md §7).
#
# Resolution order: $JOBNET_TEMPORAL_CLI, `temporal` on PATH, the cache, a build with `go install`.
# Prints the absolute path of the binary as the last line on stdout; messages go to stderr.
#   --check   resolve only; fail instead of building (tests use this: tests never download)
set -euo pipefail

VERSION="${JOBNET_TEMPORAL_CLI_VERSION:-v1.5.1}"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/jobnet"
CACHE_DIR="$CACHE_ROOT/temporal-cli-$VERSION"
say() { printf 'temporal cli: %s\n' "$*" >&2; }

if [[ -n "${JOBNET_TEMPORAL_CLI:-}" ]]; then
  [[ -x "$JOBNET_TEMPORAL_CLI" ]] || { say "JOBNET_TEMPORAL_CLI=$JOBNET_TEMPORAL_CLI is not an executable file"; exit 1; }
  say "using \$JOBNET_TEMPORAL_CLI"
  echo "$JOBNET_TEMPORAL_CLI"; exit 0
fi
if on_path="$(command -v temporal 2>/dev/null)"; then
  say "using $on_path from PATH"
  echo "$on_path"; exit 0
fi
if [[ -x "$CACHE_DIR/temporal" ]]; then
  say "using cache $CACHE_DIR"
  echo "$CACHE_DIR/temporal"; exit 0
fi
if [[ "${1:-}" == "--check" ]]; then
  say "not provisioned; run: npm run provision"; exit 1
fi
command -v go >/dev/null 2>&1 || {
  say "Go is needed to build the Temporal CLI $VERSION (or put 'temporal' on PATH, or set JOBNET_TEMPORAL_CLI)"
  exit 1
}

# v1.5.1 is the newest release whose module has no replace directive, so `go install` accepts
# it; go.sum of the module pins every dependency. A cold build takes minutes on 2 cores.
say "building github.com/temporalio/cli/cmd/temporal@$VERSION with $(go version | cut -d' ' -f3) (a cold build takes ~5 min)…"
mkdir -p "$CACHE_ROOT"
staging="$(mktemp -d "$CACHE_ROOT/.temporal-cli-build.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
started=$SECONDS
GOBIN="$staging/bin" GOFLAGS="${GOFLAGS:-} -trimpath" go install "github.com/temporalio/cli/cmd/temporal@$VERSION" >&2
"$staging/bin/temporal" --version >/dev/null
# Moved into place whole, so an interrupted build never looks like a finished cache.
mkdir -p "$staging/final" && mv "$staging/bin/temporal" "$staging/final/temporal"
rm -rf "$CACHE_DIR" && mv "$staging/final" "$CACHE_DIR"
say "ready at $CACHE_DIR/temporal (took $((SECONDS - started)) s)"
echo "$CACHE_DIR/temporal"
