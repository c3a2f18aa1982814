#!/usr/bin/env bash
# Provisions both Temporal servers into the cache outside the checkout (idempotent; quiet and
# fast when cached, progress when building). See DESIGN.md §7.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/provision-temporal-cli.sh" >/dev/null
bash "$here/provision-test-server.sh" >/dev/null
