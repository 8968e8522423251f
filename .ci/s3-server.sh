#!/usr/bin/env bash
# A real S3-compatible server for tests and CI: versitygw, an S3 gateway with
# a POSIX backend, on 127.0.0.1:7070 with its data in a temporary directory.
#
#   bash .ci/s3-server.sh          install if missing, start unless running,
#                                  print the tests' environment on stdout
#   bash .ci/s3-server.sh stop     stop the server this script started
#
# Use: export $(bash .ci/s3-server.sh)   # then: go test ./internal/s3media/
#
# stdout carries only KEY=value lines; progress goes to stderr. It is
# idempotent: a server this script started and that still answers is reused,
# with the credentials it was started with. A cold install (nothing in the
# Go module or build cache) builds versitygw from source through the Go module
# proxy and takes about 5 minutes on 2 cores.
#
# Settings (environment): S3_SERVER_ADDR (127.0.0.1:7070),
# S3_SERVER_STATE (${TMPDIR:-/tmp}/generia-s3: pid, log, env, data),
# S3_ACCESS_KEY / S3_SECRET_KEY (test-only root credentials, defaults below).
set -euo pipefail

VERSITYGW_VERSION=v1.8.0
VERSITYGW_PKG=github.com/versity/versitygw/cmd/versitygw

addr=${S3_SERVER_ADDR:-127.0.0.1:7070}
state=${S3_SERVER_STATE:-${TMPDIR:-/tmp}/generia-s3}
pidfile=$state/versitygw.pid
envfile=$state/env
logfile=$state/versitygw.log

log() { echo "s3-server: $*" >&2; }

# answers reports whether versitygw answers HTTP at addr (any status will do:
# an anonymous request gets 403).
answers() {
  curl -s -o /dev/null -D - --max-time 2 "http://$addr/" 2>/dev/null | grep -qi '^server: *versitygw'
}

# taken reports whether anything accepts TCP connections at addr.
taken() {
  timeout 2 bash -c "exec 3<>/dev/tcp/${addr%:*}/${addr##*:}" 2>/dev/null
}

# running reports whether the server this script started is alive.
running() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

stop() {
  if running; then
    pid=$(cat "$pidfile")
    log "stopping versitygw (pid $pid)"
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
  else
    log "no versitygw started by this script is running"
  fi
  rm -f "$pidfile"
  if [ -f "$state/datadir" ]; then rm -rf "$(cat "$state/datadir")"; fi
  rm -f "$state/datadir" "$envfile"
}

# install puts versitygw $VERSITYGW_VERSION in the Go bin directory unless it
# is there already, and sets $gw to its path.
install() {
  local bindir
  bindir=$(go env GOBIN)
  if [ -z "$bindir" ]; then bindir=$(go env GOPATH | cut -d: -f1)/bin; fi
  gw=$bindir/versitygw
  # The binary's build information names its module version (its --version
  # says only "git" when built by go install).
  if [ -x "$gw" ] && go version -m "$gw" 2>/dev/null |
    grep -qE "^[[:space:]]+mod[[:space:]]+github.com/versity/versitygw[[:space:]]+${VERSITYGW_VERSION}[[:space:]]"; then
    return
  fi
  log "installing versitygw $VERSITYGW_VERSION into $bindir (cold: about 5 minutes)"
  local start=$SECONDS
  # Outside any module, so the repository's go.mod is neither read nor changed.
  (cd / && GOBIN=$bindir go install "$VERSITYGW_PKG@$VERSITYGW_VERSION") >&2
  log "installed in $((SECONDS - start))s"
}

start() {
  local access=${S3_ACCESS_KEY:-generia-test-access}
  local secret=${S3_SECRET_KEY:-generia-test-secret-key}
  local region=us-east-1
  mkdir -p "$state"
  local data
  data=$(mktemp -d "$state/data.XXXXXX")
  echo "$data" >"$state/datadir"
  log "starting versitygw on $addr, POSIX backend in $data, log in $logfile"
  # Credentials go through the environment, not the command line, so that
  # they do not show in ps. setsid and the redirections detach the server
  # from this script, its terminal and the pipe of a $(...) that runs it.
  ROOT_ACCESS_KEY="$access" ROOT_SECRET_KEY="$secret" \
    setsid "$gw" --port "$addr" --region "$region" --quiet \
    posix "$data" </dev/null >"$logfile" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 100); do
    if running && answers; then
      cat >"$envfile" <<EOF
S3_ENDPOINT=http://$addr
S3_ACCESS_KEY=$access
S3_SECRET_KEY=$secret
S3_BUCKET=generia-test
S3_REGION=$region
S3_USE_PATH_STYLE=true
EOF
      log "versitygw is up (pid $(cat "$pidfile")); stop it with: bash .ci/s3-server.sh stop"
      return
    fi
    if ! running; then
      log "versitygw exited at start; its log:"; cat "$logfile" >&2
      rm -f "$pidfile"
      exit 1
    fi
    sleep 0.1
  done
  log "versitygw did not answer on $addr within 10s; its log:"; cat "$logfile" >&2
  stop
  exit 1
}

case "${1:-start}" in
stop)
  stop
  exit 0
  ;;
start) ;;
*)
  echo "usage: $0 [start|stop]" >&2
  exit 2
  ;;
esac

if running && answers && [ -f "$envfile" ]; then
  log "reusing versitygw (pid $(cat "$pidfile")) on $addr"
  cat "$envfile"
  exit 0
fi
if running; then
  log "a versitygw started earlier (pid $(cat "$pidfile")) does not answer: restarting it"
  stop
fi
if taken; then
  log "something else already listens on $addr: stop it or set S3_SERVER_ADDR"
  exit 1
fi
install
start
cat "$envfile"
