#!/usr/bin/env bash
# Provides Temporal's Java time-skipping test server without the SDK's own download, which cannot
# reach its host from our build machines (DESIGN.md §7). The SDK runs it from
# `{ type: 'existing-path', path }` as `<path> <port> [extraArgs]` and drives time skipping over
# gRPC, as it does its own download.
#
# Resolution order: $JOBNET_TEST_SERVER, `temporal-test-server` on PATH, the cache, a build from
# Maven Central with `mvn` into ${XDG_CACHE_HOME:-~/.cache}/jobnet/test-server-<version>/.
# Prints the absolute path of the launcher as the last line on stdout; messages go to stderr.
#   --check   resolve only; fail instead of downloading (tests use this: tests never download)
#
# Env: JOBNET_TEST_SERVER_VERSION (default 1.38.0); JAVA (default: java on PATH);
#      JAVA_OPTS (extra JVM flags, read by the launcher at every start, after its own).
set -euo pipefail

VERSION="${JOBNET_TEST_SERVER_VERSION:-1.38.0}"
ARTIFACT="io.temporal:temporal-test-server:$VERSION"
CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/jobnet"
CACHE_DIR="$CACHE_ROOT/test-server-$VERSION"
LAUNCHER="$CACHE_DIR/temporal-test-server"
ARCHIVE="$CACHE_DIR/classes.jsa"
MARKER="$CACHE_DIR/.complete"
JAVA_BIN="${JAVA:-java}"

# The SDK gives the server 5 s to answer gRPC, and tests start it while the worker may be busy
# bundling workflows on the same 2 cores, so start-up time is what these flags are for. The
# class-data archive (build_archive) gives most of it; measured additions on top of it:
#  - TieredStopAtLevel=1: C1 only. C2 compiler threads compete for the cores during start-up,
#    and a test server never runs long enough for C2 code to pay off.
#  - UseSerialGC: no parallel or concurrent GC threads to start or to take CPU; the heap is small.
#  - -UsePerfData: no hsperfdata file to create and map at every start.
#  - Xms64m/Xmx512m: no effect on start time (measured); bounds the footprint, as the default
#    maximum is a quarter of RAM. The server keeps all histories in memory: ample for a suite.
JVM_FLAGS=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xms64m -Xmx512m)

say() { printf 'test server: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
absolute() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }

if [[ -n "${JOBNET_TEST_SERVER:-}" ]]; then
  [[ -f "$JOBNET_TEST_SERVER" && -x "$JOBNET_TEST_SERVER" ]] ||
    die "JOBNET_TEST_SERVER=$JOBNET_TEST_SERVER is not an executable file"
  say "using \$JOBNET_TEST_SERVER"
  absolute "$JOBNET_TEST_SERVER"
  exit 0
fi
if on_path="$(command -v temporal-test-server 2>/dev/null)"; then
  say "using $on_path from PATH"
  absolute "$on_path"
  exit 0
fi
command -v "$JAVA_BIN" >/dev/null 2>&1 || die "Java is needed to run the test server (set JAVA or put java on PATH)"

# An archive from another JVM build (e.g. after an OpenJDK security update) would be skipped,
# silently losing most of the start-up margin; a truncated one crashes the JVM. With -Xshare:on
# both make `-version` fail (~0.1 s), so the cache is checked on every run.
archive_ok() {
  [[ -s "$1" ]] && "$JAVA_BIN" -Xshare:on -XX:SharedArchiveFile="$1" -XX:ErrorFile=/dev/null \
    -XX:-CreateCoredumpOnCrash -cp "$(<"$CACHE_DIR/class-path")" -version >/dev/null 2>&1
}

cache_complete() { [[ -f "$MARKER" && -x "$LAUNCHER" ]]; }

use_cache() {
  say "using cache $CACHE_DIR"
  echo "$LAUNCHER"
  exit 0
}

free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  die "no free local port for the archive run"
}

# AppCDS: one run with -XX:ArchiveClassesAtExit records the ~2,400 classes the server loads from
# its 40 jars up to answering gRPC; later starts map them instead of reading and verifying them.
# That more than halves start-to-first-answer, idle and under CPU load. The JVM writes the archive
# at a normal exit, which SIGTERM gives (the SDK stops the server with SIGKILL, which would not).
# Failing here is only a warning: the server works without the archive, more slowly, and the
# next run of this script tries again.
train_pid=""
build_archive() {
  local port up=0 deadline log="$CACHE_DIR/archive.log" dump="$ARCHIVE.$$.tmp"
  say "building class-data archive…"
  port="$(free_port)"
  # Arguments as the SDK passes them.
  JOBNET_TEST_SERVER_CDS_DUMP="$dump" "$LAUNCHER" "$port" >"$log" 2>&1 </dev/null &
  train_pid=$!
  deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)) && kill -0 "$train_pid" 2>/dev/null; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then up=1; break; fi
    sleep 0.1
  done
  if ((up)) && command -v curl >/dev/null 2>&1; then
    # Load the request path too: GetSystemInfo is the call of the SDK's readiness probe. An empty
    # gRPC message over h2c is its 5-byte frame header. Measured: ~50 ms more off the first answer.
    for method in temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo \
      temporal.api.testservice.v1.TestService/GetCurrentTime; do
      printf '\0\0\0\0\0' | curl -s --http2-prior-knowledge --max-time 10 -o /dev/null \
        -H 'content-type: application/grpc' -H 'te: trailers' --data-binary @- \
        "http://127.0.0.1:$port/$method" || true
    done
  fi
  kill -TERM "$train_pid" 2>/dev/null || true
  wait "$train_pid" 2>/dev/null || true
  train_pid=""
  # Dumped under another name and checked before it is moved in: never a half-written archive.
  if ((up)) && archive_ok "$dump"; then
    mv -f "$dump" "$ARCHIVE"
    rm -f "$log"
  else
    rm -f "$dump"
    say "warning: no class-data archive (see $log); the server will start without it, more slowly"
  fi
}

staging=""
cleanup() {
  [[ -z "$train_pid" ]] || kill -KILL "$train_pid" 2>/dev/null || true
  [[ -z "$staging" ]] || rm -rf "$staging"
  rm -f "$ARCHIVE".$$.tmp
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if cache_complete && archive_ok "$ARCHIVE"; then use_cache; fi
if ! cache_complete && [[ "${1:-}" == "--check" ]]; then
  say "not provisioned; run: npm run provision"
  exit 1
fi

mkdir -p "$CACHE_ROOT"
# Concurrent runs (parallel CI jobs, two terminals) wait for one build instead of racing it.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE_ROOT/.test-server-$VERSION.lock"
  flock 9
fi
if cache_complete; then
  # Only the archive is missing or stale: local work, no download, so --check does it too.
  if ! archive_ok "$ARCHIVE"; then
    say "class-data archive missing or unusable with this JVM"
    build_archive
  fi
  use_cache
fi

command -v mvn >/dev/null 2>&1 ||
  die "Maven (mvn) is needed to fetch $ARTIFACT (or put temporal-test-server on PATH, or set JOBNET_TEST_SERVER)"
started=$SECONDS
staging="$(mktemp -d "$CACHE_ROOT/.test-server-$VERSION.XXXXXX")"

say "resolving $ARTIFACT from Maven Central…"
# slf4j-nop: the server logs nothing we use, and without a binding slf4j prints a 3-line warning
# into the output of every test. Its version matches the server's slf4j-api (1.7.x).
cat >"$staging/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.jobnet</groupId>
  <artifactId>test-server-runtime</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>$VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-nop</artifactId>
      <version>1.7.36</version>
    </dependency>
  </dependencies>
</project>
EOF
# The plugin version is pinned: Maven 3.8 would otherwise pick maven-dependency-plugin 2.8 (2013).
if ! mvn -B -q -Dstyle.color=never -f "$staging/pom.xml" \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$staging/out/lib" >"$staging/mvn.log" 2>&1; then
  tail -n 40 "$staging/mvn.log" >&2
  die "mvn could not resolve $ARTIFACT and its dependencies"
fi
[[ -f "$staging/out/lib/temporal-test-server-$VERSION.jar" ]] ||
  die "mvn succeeded but temporal-test-server-$VERSION.jar is missing"

# JDK 17 maps a dynamic archive only if the class path is the very string it was dumped with, so
# the launcher and archive_ok both read it from this file, with the final paths in it.
class_path=""
for jar in "$staging"/out/lib/*.jar; do class_path+="$CACHE_DIR/lib/${jar##*/}:"; done
printf '%s\n' "${class_path%:}" >"$staging/out/class-path"
{
  echo '#!/usr/bin/env bash'
  echo "# Temporal Java test server $VERSION, generated by jobnet's scripts/provision-test-server.sh."
  echo '# Usage: temporal-test-server <port> [--enable-time-skipping]   (the SDK passes only <port>)'
  echo 'set -euo pipefail'
  printf 'archive=%q\n' "$ARCHIVE"
  printf 'read -r class_path <%q\n' "$CACHE_DIR/class-path"
  flags="$(printf '%q ' "${JVM_FLAGS[@]}")"
  printf 'flags=(%s)\n' "${flags% }"
  cat <<'EOF'
# JOBNET_TEST_SERVER_CDS_DUMP is set only by the provisioning script, to make the archive.
if [[ -n "${JOBNET_TEST_SERVER_CDS_DUMP:-}" ]]; then
  flags+=(-XX:ArchiveClassesAtExit="$JOBNET_TEST_SERVER_CDS_DUMP")
elif [[ -f "$archive" ]]; then
  # Only if present: naming a missing file turns off the JDK's own base archive as well.
  # -Xshare:auto (the default, stated for the reader): an archive from another JVM build is
  # skipped with a warning rather than failing the start.
  flags+=(-XX:SharedArchiveFile="$archive" -Xshare:auto)
fi
read -r -a extra <<<"${JAVA_OPTS:-}"
exec "${JAVA:-java}" "${flags[@]}" ${extra[@]+"${extra[@]}"} -cp "$class_path" \
  io.temporal.testserver.TestServer "$@"
EOF
} >"$staging/out/temporal-test-server"
chmod +x "$staging/out/temporal-test-server"

# Moved into place whole; the marker, written last, is what makes the cache count as complete,
# so an interrupted run is redone next time rather than trusted.
rm -rf "$CACHE_DIR"
mv "$staging/out" "$CACHE_DIR"
build_archive
printf '%s\n' "$ARTIFACT" >"$MARKER"
say "ready at $LAUNCHER (took $((SECONDS - started)) s)"
echo "$LAUNCHER"
