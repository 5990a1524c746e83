#!/usr/bin/env bash
# Installs what mcompat needs on a Debian machine: system packages first, then npm packages and the build.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v nats-server >/dev/null 2>&1 || need+=(nats-server)
command -v ruby >/dev/null 2>&1 || need+=(ruby)
command -v puppet >/dev/null 2>&1 || need+=(puppet-agent)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# The DDL reader's conformance test walks the DDLs that Debian's MCollective ships.
[ -d /usr/lib/ruby/vendor_ruby/mcollective ] || need+=(mcollective-common)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "mcompat needs the Debian packages: ${need[*]} (run as root, or install them with apt-get)" >&2
    exit 1
  fi
  echo "==> installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

# npm ci when node_modules is missing or older than the lock file; its prepare script builds dist/.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund --loglevel=error
elif [ ! -f dist/mco/mco.js ]; then
  npm run build
fi
