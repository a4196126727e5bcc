#!/usr/bin/env bash
# Build the real servers the test suite runs against, from their published Go modules.
#
# Prints the directory holding kube-apiserver, kubectl, etcd and registry. Binaries are cached under
# the user cache directory, keyed by version, so only the first run compiles. When KUBEBUILDER_ASSETS
# is set, kube-apiserver, etcd and kubectl are taken from there instead (the envtest convention).
set -euo pipefail

K8S_VERSION=${K8S_VERSION:-1.36.3}
ETCD_VERSION=${ETCD_VERSION:-3.6.16}
REGISTRY_VERSION=${REGISTRY_VERSION:-3.1.1}

cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-imagerepo/testbin
out=$cache_root/k8s-$K8S_VERSION-etcd-$ETCD_VERSION-registry-$REGISTRY_VERSION
mkdir -p "$out"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

log() { echo "testbin: $*" >&2; }

# new_module DIR NAME: an empty Go module in DIR, so each tool's dependency graph stays its own.
new_module() {
  rm -rf "$1" && mkdir -p "$1"
  (cd "$1" && go mod init "$2" >/dev/null 2>&1)
}

build_kube() {
  local work=$cache_root/src/kube-$K8S_VERSION minor gomod
  minor=$(echo "$K8S_VERSION" | cut -d. -f2)
  new_module "$work" testenv.invalid/kube
  cd "$work"
  gomod=$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')
  # Every staging module k8s.io/kubernetes replaces with a local path is pinned to its published twin.
  for m in $(sed -n 's#^[[:space:]]*k8s.io/\([^ ]*\) => ./staging/.*#\1#p' "$gomod"); do
    go mod edit -replace="k8s.io/$m=k8s.io/$m@v0.${K8S_VERSION#1.}"
  done
  go get "k8s.io/kubernetes@v$K8S_VERSION" >/dev/null
  local ld="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $pkg.gitVersion=v$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  done
  printf 'package tools\nimport (\n\t_ "k8s.io/kubernetes/cmd/kube-apiserver"\n\t_ "k8s.io/kubernetes/cmd/kubectl"\n)\n' > tools.go
  go mod tidy >/dev/null 2>&1 || true
  log "building kube-apiserver v$K8S_VERSION"
  go build -trimpath -ldflags "$ld" -o "$out/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver
  log "building kubectl v$K8S_VERSION"
  go build -trimpath -ldflags "$ld" -o "$out/kubectl.tmp" k8s.io/kubernetes/cmd/kubectl
  mv "$out/kube-apiserver.tmp" "$out/kube-apiserver"
  mv "$out/kubectl.tmp" "$out/kubectl"
}

build_etcd() {
  local work=$cache_root/src/etcd-$ETCD_VERSION
  new_module "$work" testenv.invalid/etcd
  cd "$work"
  go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" >/dev/null
  log "building etcd v$ETCD_VERSION"
  go build -trimpath -ldflags "-s -w" -o "$out/etcd.tmp" go.etcd.io/etcd/server/v3
  mv "$out/etcd.tmp" "$out/etcd"
}

build_registry() {
  log "building registry v$REGISTRY_VERSION"
  GOBIN=$out/.gobin go install -trimpath -ldflags "-s -w" \
    "github.com/distribution/distribution/v3/cmd/registry@v$REGISTRY_VERSION"
  mv "$out/.gobin/registry" "$out/registry" && rmdir "$out/.gobin"
}

if [ -n "${KUBEBUILDER_ASSETS:-}" ]; then
  for b in kube-apiserver etcd kubectl; do
    [ -x "$KUBEBUILDER_ASSETS/$b" ] || { log "KUBEBUILDER_ASSETS has no $b"; exit 1; }
    ln -sf "$KUBEBUILDER_ASSETS/$b" "$out/$b"
  done
fi
[ -x "$out/kube-apiserver" ] && [ -x "$out/kubectl" ] || (build_kube)
[ -x "$out/etcd" ] || (build_etcd)
[ -x "$out/registry" ] || (build_registry)
echo "$out"
