#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler, etcd and kwok from their Go modules, once per machine, into a
# cache keyed by version.
# Prints the cache directory on the last line. Safe to run concurrently (a lock serialises builders).
set -euo pipefail

K8S_VERSION="${IM_K8S_VERSION:-v1.36.3}"
ETCD_VERSION="${IM_ETCD_VERSION:-v3.6.8}"
KWOK_VERSION="${IM_KWOK_VERSION:-v0.8.0}"
LOG_LABEL=testbed-build
# shellcheck source=local/testbed/build-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/build-common.sh"
BIN_DIR="$CACHE_ROOT/bin/k8s-$K8S_VERSION-etcd-$ETCD_VERSION"
APISERVER="$BIN_DIR/kube-apiserver"
ETCD="$BIN_DIR/etcd"
CONTROLLER_MANAGER="$BIN_DIR/kube-controller-manager"
SCHEDULER="$BIN_DIR/kube-scheduler"
KWOK="$BIN_DIR/kwok-$KWOK_VERSION"
KWOK_STAGES="$BIN_DIR/kwok-$KWOK_VERSION-stages.yaml"

lock_bin_dir "$BIN_DIR"

export GOFLAGS="-mod=mod"
export GONOSUMDB="${GONOSUMDB:-k8s.io,go.etcd.io}"
export CGO_ENABLED=0

build_etcd() {
  [ -x "$ETCD" ] && return 0
  log "building etcd $ETCD_VERSION (first run only)"
  build_go_command etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION" go.etcd.io/etcd/server/v3 "$ETCD" no-tidy
}

build_kubernetes() {
  [ -x "$APISERVER" ] && [ -x "$CONTROLLER_MANAGER" ] && [ -x "$SCHEDULER" ] && return 0
  local work; work=$(mktemp -d)
  log "building kube-apiserver, kube-controller-manager and kube-scheduler $K8S_VERSION (first run only; 10-20 minutes on 2 cores)"
  local minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  local staging="v0.${K8S_VERSION#v1.}"
  go mod download -json "k8s.io/kubernetes@$K8S_VERSION" >"$work/dl.json"
  local upstream_mod
  upstream_mod=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["GoMod"])' "$work/dl.json")
  (
    cd "$work"
    {
      echo "module local/kube-apiserver-build"
      echo
      grep -E '^go |^godebug ' "$upstream_mod"
      echo
      echo "require k8s.io/kubernetes $K8S_VERSION"
      echo
      grep -E '^\s*k8s.io/[a-z0-9-]+ => \./staging/' "$upstream_mod" \
        | awk -v v="$staging" '{print "replace " $1 " => " $1 " " v}'
    } >go.mod
    write_tools_go k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler
    go mod tidy >&2 || go mod download >&2
    local pkg=k8s.io/component-base/version
    local ldflags="-s -w -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    local binary
    for binary in "$APISERVER" "$CONTROLLER_MANAGER" "$SCHEDULER"; do
      [ -x "$binary" ] && continue
      go build -trimpath -ldflags "$ldflags" -o "$binary.tmp" "k8s.io/kubernetes/cmd/$(basename "$binary")"
      mv "$binary.tmp" "$binary"
    done
  )
  rm -rf "$work"
}

# kwok keeps registered Nodes Ready and runs the pods bound to them; it does not create Nodes itself. kwok itself
# has no built-in behaviour: it runs the Stage documents it is given, so the module's own default stages (the ones
# kwokctl uses: node initialise + heartbeat with lease, pod ready/complete/delete) are copied next to the binary.
build_kwok() {
  [ -x "$KWOK" ] && [ -s "$KWOK_STAGES" ] && return 0
  log "building kwok $KWOK_VERSION (first run only)"
  build_go_command kwok sigs.k8s.io/kwok "$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok "$KWOK" tidy copy_kwok_stages
  mv "$KWOK_STAGES.tmp" "$KWOK_STAGES"
}

# Runs in kwok's build module: the module's default stages, from the module cache, as $KWOK_STAGES.tmp.
copy_kwok_stages() {
  local src; src=$(go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
  local f
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
    pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    echo "---"
    cat "$src/kustomize/stage/$f"
  done >"$KWOK_STAGES.tmp"
}

start=$(date +%s)
build_etcd
build_kubernetes
build_kwok
log "binaries ready in $(( $(date +%s) - start ))s: $BIN_DIR"
echo "$BIN_DIR"
