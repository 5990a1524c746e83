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
# The legacy wire: real brokers for the STOMP tests (started privately on loopback ports), the Ruby daemon, mco and
# their STOMP gem as the other side.
legacy=()
[ -f /usr/share/activemq/bin/activemq.jar ] || legacy+=(activemq)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || legacy+=(rabbitmq-server)
[ -x /usr/sbin/mcollectived ] || legacy+=(mcollective)
[ -x /usr/bin/mco ] || legacy+=(mcollective-client)
[ -f /usr/lib/ruby/vendor_ruby/stomp.rb ] || legacy+=(ruby-stomp)
# keytool makes the Java key stores for ActiveMQ's STOMP+SSL port.
command -v keytool >/dev/null 2>&1 || need+=(default-jre-headless)
need+=("${legacy[@]}")

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "mcompat needs the Debian packages: ${need[*]} (run as root, or install them with apt-get)" >&2
    exit 1
  fi
  echo "==> installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Packages must not start their system-wide services (ActiveMQ, RabbitMQ on 5672 + epmd 4369, mcollectived):
  # tests run their own brokers. policy-rc.d 101 = "action forbidden" for invoke-rc.d and deb-systemd-invoke.
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get install -y -qq "${need[@]}" >/dev/null
  [ -z "$policy" ] || rm -f "$policy"
  # Whatever started anyway is stopped and kept from starting at boot; only for packages installed just now.
  for pkg in "${legacy[@]}"; do
    case "$pkg" in activemq | rabbitmq-server | mcollective) ;; *) continue ;; esac
    if [ -d /run/systemd/system ]; then
      systemctl disable --now "$pkg" >/dev/null 2>&1 || true
    else
      service "$pkg" stop >/dev/null 2>&1 || true
      update-rc.d "$pkg" disable >/dev/null 2>&1 || true
    fi
  done
fi

# npm ci when node_modules is missing or older than the lock file; its prepare script builds dist/.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund --loglevel=error
elif [ ! -f dist/mco/mco.js ]; then
  npm run build
fi
