#!/usr/bin/env bash
# Build the reference tools the benchmarks compare against, from their published Go modules.
#
# Prints the directory holding crane, regctl, oras and image-reflector-controller. Binaries are cached
# under the user cache directory, keyed by version, so only the first run compiles; the seconds each cold
# build took are kept in build-times.txt next to them (the benchmarks report them).
set -euo pipefail

CRANE_VERSION=${CRANE_VERSION:-0.22.1}
REGCTL_VERSION=${REGCTL_VERSION:-0.11.7}
ORAS_VERSION=${ORAS_VERSION:-1.3.6}
IRC_VERSION=${IRC_VERSION:-1.2.0}

cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-imagerepo/benchbin
out=$cache_root/crane-$CRANE_VERSION-regctl-$REGCTL_VERSION-oras-$ORAS_VERSION-irc-$IRC_VERSION
mkdir -p "$out"
# One build at a time: a second caller waits for the first and then finds the binaries cached.
exec 9>"$cache_root/.lock"
flock 9
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

log() { echo "benchbin: $*" >&2; }

# timed NAME COMMAND...: run COMMAND and append "NAME <seconds>" to build-times.txt.
timed() {
  local name=$1 started
  shift
  started=$(date +%s)
  "$@"
  echo "$name $(($(date +%s) - started))" >> "$out/build-times.txt"
}

# go_install NAME MODULE/PATH@VERSION: `go install` one command into the cache directory.
go_install() {
  log "building $1 from $2"
  GOBIN=$out/.gobin-$1 go install -trimpath -ldflags "-s -w" "$2"
  mv "$out/.gobin-$1/$1" "$out/$1" && rmdir "$out/.gobin-$1"
}

# The controller's go.mod replaces its api module with ./api, so `go install` refuses it: build it as a
# dependency of an empty module instead (its require block already pins the published api module).
build_irc() (
  local work=$cache_root/src/irc-$IRC_VERSION
  rm -rf "$work" && mkdir -p "$work"
  cd "$work"
  go mod init benchbin.invalid/irc >/dev/null 2>&1
  # The checksum database has no entry for this module (the proxy answers 404), so that one module is
  # taken from the proxy unverified; go.sum then pins what was downloaded.
  GONOSUMDB=github.com/fluxcd/image-reflector-controller \
    go get "github.com/fluxcd/image-reflector-controller@v$IRC_VERSION" >/dev/null
  log "building image-reflector-controller v$IRC_VERSION"
  go build -trimpath -ldflags "-s -w" -o "$out/image-reflector-controller.tmp" \
    github.com/fluxcd/image-reflector-controller
  mv "$out/image-reflector-controller.tmp" "$out/image-reflector-controller"
)

[ -x "$out/crane" ] || timed crane go_install crane \
  "github.com/google/go-containerregistry/cmd/crane@v$CRANE_VERSION"
[ -x "$out/regctl" ] || timed regctl go_install regctl \
  "github.com/regclient/regclient/cmd/regctl@v$REGCTL_VERSION"
[ -x "$out/oras" ] || timed oras go_install oras "oras.land/oras/cmd/oras@v$ORAS_VERSION"
[ -x "$out/image-reflector-controller" ] || timed image-reflector-controller build_irc
# The controller also needs the ImagePolicy CRD; the benchmark installs it from the module cache.
GONOSUMDB=github.com/fluxcd/image-reflector-controller \
  go mod download -json "github.com/fluxcd/image-reflector-controller@v$IRC_VERSION" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])' > "$out/irc-module-dir"
echo "$out"
