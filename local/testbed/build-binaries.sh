#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler, etcd and kwok from their Go modules, once per machine, into a
# cache keyed by version.
# Prints the cache directory on the last line. Safe to run concurrently (a lock serialises builders).
set -euo pipefail

K8S_VERSION="${IM_K8S_VERSION:-v1.36.3}"
ETCD_VERSION="${IM_ETCD_VERSION:-v3.6.8}"
KWOK_VERSION="${IM_KWOK_VERSION:-v0.8.0}"
CACHE_ROOT="${IM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/instance-manager}"
BIN_DIR="$CACHE_ROOT/bin/k8s-$K8S_VERSION-etcd-$ETCD_VERSION"
APISERVER="$BIN_DIR/kube-apiserver"
ETCD="$BIN_DIR/etcd"
CONTROLLER_MANAGER="$BIN_DIR/kube-controller-manager"
SCHEDULER="$BIN_DIR/kube-scheduler"
KWOK="$BIN_DIR/kwok-$KWOK_VERSION"
KWOK_STAGES="$BIN_DIR/kwok-$KWOK_VERSION-stages.yaml"

log() { printf '[testbed-build] %s\n' "$*" >&2; }

mkdir -p "$BIN_DIR"
exec 9>"$BIN_DIR/.lock"
flock 9

export GOFLAGS="-mod=mod"
export GONOSUMDB="${GONOSUMDB:-k8s.io,go.etcd.io}"
export CGO_ENABLED=0

build_etcd() {
  [ -x "$ETCD" ] && return 0
  local work; work=$(mktemp -d)
  log "building etcd $ETCD_VERSION (first run only)"
  (
    cd "$work"
    cat >go.mod <<MOD
module local/etcd-build

go 1.24
MOD
    cat >tools.go <<'SRC'
//go:build tools

package tools

import _ "go.etcd.io/etcd/server/v3"
SRC
    go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >&2
    go build -trimpath -ldflags "-s -w" -o "$ETCD.tmp" go.etcd.io/etcd/server/v3
  )
  mv "$ETCD.tmp" "$ETCD"
  rm -rf "$work"
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
    cat >tools.go <<'SRC'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
SRC
    go mod tidy >&2 || go mod download >&2
    local pkg=k8s.io/component-base/version
    local ldflags="-s -w -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    if [ ! -x "$APISERVER" ]; then
      go build -trimpath -ldflags "$ldflags" -o "$APISERVER.tmp" k8s.io/kubernetes/cmd/kube-apiserver
      mv "$APISERVER.tmp" "$APISERVER"
    fi
    if [ ! -x "$CONTROLLER_MANAGER" ]; then
      go build -trimpath -ldflags "$ldflags" -o "$CONTROLLER_MANAGER.tmp" k8s.io/kubernetes/cmd/kube-controller-manager
      mv "$CONTROLLER_MANAGER.tmp" "$CONTROLLER_MANAGER"
    fi
    if [ ! -x "$SCHEDULER" ]; then
      go build -trimpath -ldflags "$ldflags" -o "$SCHEDULER.tmp" k8s.io/kubernetes/cmd/kube-scheduler
      mv "$SCHEDULER.tmp" "$SCHEDULER"
    fi
  )
  rm -rf "$work"
}

# kwok keeps registered Nodes Ready and runs the pods bound to them; it does not create Nodes itself. kwok itself
# has no built-in behaviour: it runs the Stage documents it is given, so the module's own default stages (the ones
# kwokctl uses: node initialise + heartbeat with lease, pod ready/complete/delete) are copied next to the binary.
build_kwok() {
  [ -x "$KWOK" ] && [ -s "$KWOK_STAGES" ] && return 0
  local work; work=$(mktemp -d)
  log "building kwok $KWOK_VERSION (first run only)"
  (
    cd "$work"
    cat >go.mod <<MOD
module local/kwok-build

go 1.24
MOD
    cat >tools.go <<'SRC'
//go:build tools

package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
SRC
    go get "sigs.k8s.io/kwok@$KWOK_VERSION" >&2
    go mod tidy >&2 || true
    go build -trimpath -ldflags "-s -w" -o "$KWOK.tmp" sigs.k8s.io/kwok/cmd/kwok
    local src; src=$(go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
    local f
    for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
      pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
      echo "---"
      cat "$src/kustomize/stage/$f"
    done >"$KWOK_STAGES.tmp"
  )
  mv "$KWOK.tmp" "$KWOK"
  mv "$KWOK_STAGES.tmp" "$KWOK_STAGES"
  rm -rf "$work"
}

start=$(date +%s)
build_etcd
build_kubernetes
build_kwok
log "binaries ready in $(( $(date +%s) - start ))s: $BIN_DIR"
echo "$BIN_DIR"
