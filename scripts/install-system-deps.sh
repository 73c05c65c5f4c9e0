#!/usr/bin/env bash
# Installs the Debian packages the tests and demos need: Chromium (Playwright drives it through
# executable_path; no browser is ever downloaded), etcd for the cluster, and the real servers
# the processors talk to (mosquitto, redis, nats, PostgreSQL).
# Idempotent: a quick no-op when every package is already installed.
set -euo pipefail

PACKAGES=(chromium fonts-dejavu-core etcd-server etcd-client mosquitto redis-server nats-server postgresql curl iproute2)

missing=()
for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
# Packages are installed to be started by the tests themselves, never as system services.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    REMOVE_POLICY=1
fi
echo "installing Debian packages: ${missing[*]}"
if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "${REMOVE_POLICY:-0}" = 1 ]; then
    $SUDO rm -f /usr/sbin/policy-rc.d
fi
/usr/bin/chromium --version
