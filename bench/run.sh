#!/usr/bin/env bash
# Benchmark harness: interleaved wrk runs against several hello-world servers.
# See bench/README.md.  Usage: npm run bench   (env: DURATION, ROUNDS, ...)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."   # repository root

DURATION="${DURATION:-5}"        # seconds per wrk run
ROUNDS="${ROUNDS:-3}"            # interleaved rounds (A B C, A B C, ...)
THREADS="${THREADS:-1}"          # wrk -t
CONNECTIONS="${CONNECTIONS:-64}" # wrk -c
BASE_PORT="${BASE_PORT:-18431}"  # target i listens on BASE_PORT + i
HOST=127.0.0.1
BASELINE="node:http"
RESULTS_DIR=bench/results

# Targets: "name|file[|command[|port]]".  The file must exist or the target is
# skipped.  Without a command the server is started as `node --import tsx FILE`.
# Every server must listen on 127.0.0.1:$PORT (PORT is set in its env).
TARGETS=(
  "node:http|bench/anchors/node-http-hello.ts"
  "raw-net|bench/anchors/raw-net.ts"
  "scheme-http (ts)|examples/hello-server.ts"
  # The seed's Scheme program, unchanged: it listens on 4242 itself (needs `npm run build`).
  "scheme-http (scm)|examples/hello-server.scm|node bin/scheme-http.js examples/hello-server.scm|4242"
)

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ "$DURATION" =~ ^[1-9][0-9]*$ ]] || die "DURATION must be a positive integer (seconds), got '$DURATION'"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer, got '$ROUNDS'"

# --- tools -----------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
  log "wrk not found; installing it with apt-get"
  SUDO=()
  if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "wrk is missing and we are not root; install wrk"
    SUDO=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! "${SUDO[@]}" apt-get install -y wrk >&2; then
    log "apt-get install failed; running apt-get update and retrying"
    "${SUDO[@]}" apt-get update >&2
    "${SUDO[@]}" apt-get install -y wrk >&2
  fi
fi
command -v curl >/dev/null 2>&1 || die "curl is required"
command -v node >/dev/null 2>&1 || die "node is required"

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# --- cleanup ---------------------------------------------------------------
WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/scheme-http-bench.XXXXXX")"
PIDS=()
STARTED_PORTS=()
cleanup() {
  local pid port
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 20); do   # up to ~2 s for a graceful exit
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "server pid $pid ignored SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  for port in "${STARTED_PORTS[@]}"; do
    if port_in_use "$port"; then
      log "warning: something still listens on $HOST:$port after cleanup"
    fi
  done
  rm -rf "$WORK_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- start servers ---------------------------------------------------------
SAMPLES="$WORK_DIR/samples.tsv"
: >"$SAMPLES"
{
  echo "# scheme-http benchmark, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  commit="$(git rev-parse --short HEAD 2>/dev/null || echo 'none')"
  [[ -z "$(git status --porcelain 2>/dev/null)" ]] || commit="$commit (uncommitted changes)"
  echo "# commit $commit, node $(node --version), $(wrk --version 2>&1 | head -n1 | awk '{print $1, $2}')"
  echo "# host: $(uname -sr), $(nproc) cpus"
  echo "# wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s http://$HOST:PORT/, $ROUNDS interleaved rounds, median quoted"
} >>"$SAMPLES"

# Declare targets up front so the report keeps the TARGETS order.
for entry in "${TARGETS[@]}"; do
  printf 'target\t%s\n' "${entry%%|*}" >>"$SAMPLES"
done

ACTIVE_NAMES=()
ACTIVE_PORTS=()
EXPECTED_BODY='<h1>Hello, world!</h1>'

i=0
for entry in "${TARGETS[@]}"; do
  IFS='|' read -r name file cmd fixed_port <<<"$entry"
  port=${fixed_port:-$((BASE_PORT + i))}
  i=$((i + 1))
  if [[ ! -f "$file" ]]; then
    log "skipping $name: $file does not exist (yet)"
    printf 'skip\t%s\t%s not found\n' "$name" "$file" >>"$SAMPLES"
    continue
  fi
  if port_in_use "$port"; then
    die "port $port (for $name) is already in use; set BASE_PORT to a free range"
  fi
  [[ -n "${cmd:-}" ]] || cmd="node --import tsx $file"
  server_log="$WORK_DIR/server-$i.log"
  log "starting $name on $HOST:$port: $cmd"
  PORT="$port" HOST="$HOST" bash -c "exec $cmd" >"$server_log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  STARTED_PORTS+=("$port")

  ready=0
  for _ in $(seq 100); do   # ~10 s
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    if curl -s -o /dev/null --max-time 1 "http://$HOST:$port/"; then ready=1; break; fi
    sleep 0.1
  done
  if [[ "$ready" != 1 ]]; then
    if kill -0 "$pid" 2>/dev/null; then
      log "$name did not answer on port $port within ~10 s; its output:"
    else
      status=0; wait "$pid" || status=$?
      log "$name exited with status $status before answering on port $port; its output:"
    fi
    sed 's/^/    /' "$server_log" >&2 || true
    printf 'fail\t%s\tserver did not start (see the run log)\n' "$name" >>"$SAMPLES"
    continue
  fi
  # Sanity check: a fast 404 or an empty body must not pass for a fast server.
  code="$(curl -s -o "$WORK_DIR/body" -w '%{http_code}' --max-time 2 "http://$HOST:$port/" || true)"
  if [[ "$code" != 200 ]] || ! grep -qF "$EXPECTED_BODY" "$WORK_DIR/body"; then
    log "warning: $name answered status '$code' with a body other than the hello page"
  fi
  ACTIVE_NAMES+=("$name")
  ACTIVE_PORTS+=("$port")
done

[[ ${#ACTIVE_NAMES[@]} -gt 0 ]] || die "no target could be started"

# --- interleaved runs ------------------------------------------------------
for round in $(seq "$ROUNDS"); do
  for j in "${!ACTIVE_NAMES[@]}"; do
    name="${ACTIVE_NAMES[$j]}"
    port="${ACTIVE_PORTS[$j]}"
    out="$WORK_DIR/wrk-$j-$round.txt"
    log "round $round/$ROUNDS: $name (${DURATION}s)"
    if ! wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" "http://$HOST:$port/" >"$out" 2>&1; then
      log "wrk failed against $name:"; sed 's/^/    /' "$out" >&2
      printf 'fail\t%s\twrk failed in round %s\n' "$name" "$round" >>"$SAMPLES"
      continue
    fi
    rps="$(awk '/^Requests\/sec:/ {print $2}' "$out")"
    if [[ -z "$rps" ]]; then
      log "could not parse Requests/sec for $name:"; sed 's/^/    /' "$out" >&2
      printf 'fail\t%s\tno Requests/sec in wrk output (round %s)\n' "$name" "$round" >>"$SAMPLES"
      continue
    fi
    # "Socket errors: connect 0, read 0, write 0, timeout 0" and
    # "Non-2xx or 3xx responses: N" only appear when non-zero.
    errors="$(awk '
      /Socket errors:/ { gsub(/,/, ""); s += $4 + $6 + $8 + $10 }
      /Non-2xx or 3xx responses:/ { s += $5 }
      END { print s + 0 }' "$out")"
    if [[ "$errors" != 0 ]]; then
      log "  $name: $rps req/s, $errors socket errors / non-2xx responses"
    else
      log "  $name: $rps req/s"
    fi
    printf 'sample\t%s\t%s\t%s\t%s\n' "$name" "$round" "$rps" "$errors" >>"$SAMPLES"
  done
done

# --- report ----------------------------------------------------------------
mkdir -p "$RESULTS_DIR"
node --import tsx bench/report.ts "$SAMPLES" "$BASELINE" >"$WORK_DIR/report.txt"
cp "$WORK_DIR/report.txt" "$RESULTS_DIR/latest.txt"
echo
cat "$WORK_DIR/report.txt"
echo
log "written to $RESULTS_DIR/latest.txt"
