#!/usr/bin/env bash
# Build krew, the kubectl plugin manager, and its validate-krew-manifest from their published Go module
# (for the krew e2e test).
#
# Prints the path of the krew binary; validate-krew-manifest is next to it. Both are cached under the
# same directory as hack/testbin.sh's servers, keyed by version, so only the first run compiles.
set -euo pipefail

KREW_VERSION=${KREW_VERSION:-0.4.3}

cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-imagerepo/testbin
out=$cache_root/krew-$KREW_VERSION
mkdir -p "$out"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

# build_cmd NAME: sigs.k8s.io/krew/cmd/NAME into $out/NAME.
build_cmd() {
  echo "krew: building $1 v$KREW_VERSION" >&2
  GOBIN=$out/.gobin go install -trimpath \
    -ldflags "-s -w -X sigs.k8s.io/krew/internal/version.gitTag=v$KREW_VERSION" \
    "sigs.k8s.io/krew/cmd/$1@v$KREW_VERSION"
  mv "$out/.gobin/$1" "$out/$1" && rmdir "$out/.gobin"
}

[ -x "$out/krew" ] || (build_cmd krew)
[ -x "$out/validate-krew-manifest" ] || (build_cmd validate-krew-manifest)
echo "$out/krew"
