#!/usr/bin/env bash
# Runs CMD... in a private network namespace that has only loopback, so the control plane, kwok and the tests
# cannot dial any other address (webhooks, Service IPs, node IPs fail fast instead of reaching the network).
# Needs root and unshare(1) + ip(8); elsewhere (a laptop, an unprivileged CI runner) it runs CMD as is and
# everything still binds 127.0.0.1. Build the Go binaries BEFORE calling this: the namespace has no network.
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: in-netns.sh CMD [ARGS...]" >&2
  exit 2
fi

if [[ "${KFP_UPGRADE_NETNS:-}" == "1" ]]; then
  exec "$@"
fi

if [[ "$(id -u)" == "0" ]] && command -v unshare >/dev/null && command -v ip >/dev/null \
  && unshare -n true 2>/dev/null; then
  export KFP_UPGRADE_NETNS=1
  echo "in-netns: running in a private network namespace (loopback only): $*" >&2
  # shellcheck disable=SC2016 # expanded by the inner shell
  exec unshare -n -- bash -c 'ip link set lo up && exec "$@"' in-netns "$@"
fi

echo "in-netns: not isolating (needs root, unshare and ip); binding loopback only: $*" >&2
exec "$@"
