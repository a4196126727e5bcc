#!/usr/bin/env bash
# Build the automation oracle: image-automation-controller's own update package, run on a directory.
#
# A program placed in a copy of the controller's module (so it may import internal/update) reads a
# directory and a JSON list of ImagePolicies, runs UpdateWithSetters in place, and prints the change
# list as JSON. Built once into the user cache, keyed by the controller's version; prints its path.
set -euo pipefail

IAC_VERSION=${IAC_VERSION:-1.2.0}
cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-imagerepo/oracles
out=$cache_root/iac-v$IAC_VERSION
bin=$out/bin/automation-oracle
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
here=$(cd "$(dirname "$0")" && pwd)

if [ ! -x "$bin" ]; then
  echo "oracle: building image-automation-controller v$IAC_VERSION's update package" >&2
  src=$(cd /tmp && go mod download -json "github.com/fluxcd/image-automation-controller@v$IAC_VERSION" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  rm -rf "$out/src" && mkdir -p "$out/bin"
  cp -r "$src" "$out/src" && chmod -R u+w "$out/src"
  cd "$out/src"
  # The api module is a directory of the repository, not of the module zip: use its published twin.
  go mod edit -dropreplace=github.com/fluxcd/image-automation-controller/api
  mkdir -p cmd/automation-oracle
  cp "$here/oracle/main.go" cmd/automation-oracle/main.go
  go build -trimpath -o "$bin.tmp" ./cmd/automation-oracle
  mv "$bin.tmp" "$bin"
  # The CRD the e2e tests apply to the API server.
  cp config/crd/bases/image.toolkit.fluxcd.io_imageupdateautomations.yaml "$out/"
fi
echo "$bin"
