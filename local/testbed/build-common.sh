# Sourced by the test bed's build scripts (build-binaries.sh, build-helm.sh), which set LOG_LABEL first: the cache
# every binary goes to, how they log, the lock that serialises concurrent builders, and building a Go command from
# its module in a throwaway module.
# shellcheck shell=bash

CACHE_ROOT="${IM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/instance-manager}"

log() { printf '[%s] %s\n' "$LOG_LABEL" "$*" >&2; }

# lock_bin_dir DIR: creates DIR and holds its lock (fd 9) until the script exits.
lock_bin_dir() {
  mkdir -p "$1"
  exec 9>"$1/.lock"
  flock 9
}

# write_tools_go PACKAGE...: a tools.go in the current directory that imports the commands a build needs.
write_tools_go() {
  {
    printf '//go:build tools\n\npackage tools\n\n'
    if [ $# -eq 1 ]; then
      printf 'import _ "%s"\n' "$1"
    else
      printf 'import (\n'
      printf '\t_ "%s"\n' "$@"
      printf ')\n'
    fi
  } >tools.go
}

# build_go_command NAME MODULE VERSION PACKAGE OUTPUT TIDY [AFTER]: builds PACKAGE of MODULE@VERSION into OUTPUT from a
# throwaway module local/NAME-build (with go mod tidy first when TIDY is "tidy"). AFTER, a function, then runs in that
# module: for files that go next to the binary, which it writes as *.tmp for the caller to move in place.
build_go_command() {
  local name=$1 module=$2 version=$3 package=$4 output=$5 tidy=$6 after=${7:-}
  local work; work=$(mktemp -d)
  (
    cd "$work"
    printf 'module local/%s-build\n\ngo 1.24\n' "$name" >go.mod
    write_tools_go "$package"
    go get "$module@$version" >&2
    if [ "$tidy" = tidy ]; then go mod tidy >&2 || true; fi
    go build -trimpath -ldflags "-s -w" -o "$output.tmp" "$package"
    if [ -n "$after" ]; then "$after"; fi
  )
  mv "$output.tmp" "$output"
  rm -rf "$work"
}
