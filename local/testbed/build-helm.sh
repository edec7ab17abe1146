#!/usr/bin/env bash
# Builds helm from its Go module, once per machine, into the same cache as the test bed binaries, keyed by version.
# The chart tests (helm lint, helm template | kubectl apply --dry-run=server) use it.
# Prints the path of the binary on the last line. Safe to run concurrently (a lock serialises builders).
set -euo pipefail

HELM_VERSION="${IM_HELM_VERSION:-v3.22.0}"
LOG_LABEL=helm-build
# shellcheck source=local/testbed/build-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/build-common.sh"
BIN_DIR="$CACHE_ROOT/bin/helm-$HELM_VERSION"
HELM="$BIN_DIR/helm"

lock_bin_dir "$BIN_DIR"

if [ ! -x "$HELM" ]; then
  start=$(date +%s)
  log "building helm $HELM_VERSION (first run only; a few minutes on 2 cores)"
  export CGO_ENABLED=0 GOFLAGS="-mod=mod"
  major="${HELM_VERSION%%.*}"
  # What helm's release build stamps in: its version, and the Kubernetes version `helm template` and `helm lint`
  # assume (from the client-go it is built with: v0.37 → 1.37; unstamped it would be 1.20).
  gomod=$(go mod download -json "helm.sh/helm/$major@$HELM_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')
  client_go=$(awk '$1 == "k8s.io/client-go" {print $2; exit}' "$gomod")
  k8s_minor=$(echo "$client_go" | cut -d. -f2)
  ldflags="-s -w -X helm.sh/helm/$major/internal/version.version=$HELM_VERSION"
  for pkg in pkg/lint/rules pkg/chartutil; do
    ldflags="$ldflags -X helm.sh/helm/$major/$pkg.k8sVersionMajor=1 -X helm.sh/helm/$major/$pkg.k8sVersionMinor=$k8s_minor"
  done
  GOBIN="$BIN_DIR/.gobin" go install -trimpath -ldflags "$ldflags" "helm.sh/helm/$major/cmd/helm@$HELM_VERSION"
  mv "$BIN_DIR/.gobin/helm" "$HELM"
  rmdir "$BIN_DIR/.gobin" 2>/dev/null || true
  log "helm ready in $(( $(date +%s) - start ))s"
fi
echo "$HELM"
