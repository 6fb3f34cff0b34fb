#!/usr/bin/env bash
# Installs what the workbench and its tests need, idempotently:
#   system packages (Debian/Ubuntu): a C++ toolchain for better-sqlite3, chromium + xvfb for the
#   browser tests, PyTorch (python3-torch) for the torch engine and the tests that check our numbers
#   against it, black (the torch engine's Python formatting), the
#   real Fashion-MNIST dataset, and a Vulkan driver for the webgpu tests (Mesa's lavapipe when
#   there is no GPU); then the npm dependencies (npm ci).
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }

apt_packages=()
command -v g++ >/dev/null 2>&1 || apt_packages+=(build-essential)
command -v python3 >/dev/null 2>&1 || apt_packages+=(python3)
# PyTorch for the tests that check our numbers against it (test/unit/sgd-recipe-torch.test.ts).
# Also the torch engine's Python (engine-torch/), whose formatting black checks.
/usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || apt_packages+=(python3-torch)
command -v black >/dev/null 2>&1 || apt_packages+=(black)
command -v chromium >/dev/null 2>&1 || apt_packages+=(chromium)
command -v xvfb-run >/dev/null 2>&1 || apt_packages+=(xvfb)
[ -d /usr/share/datasets/fashion-mnist ] || apt_packages+=(dataset-fashion-mnist)

if [ ${#apt_packages[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=''
    [ "$(id -u)" -eq 0 ] || sudo='sudo'
    say "installing system packages: ${apt_packages[*]}"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
  else
    say "not a Debian-like system: please install yourself: ${apt_packages[*]}"
  fi
fi

# WebGPU (Dawn, the `webgpu` npm package) needs libvulkan1 and a Vulkan driver. Without a GPU, Mesa's
# software one (lavapipe) runs the webgpu tests; Debian 12's own Mesa 22.3 is too old for Dawn, so
# on bookworm it comes from bookworm-backports (the source is added only when missing).
mesa_version=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)
mesa_major=${mesa_version%%.*}
mesa_major=${mesa_major##*:}
if command -v apt-get >/dev/null 2>&1 && { ! dpkg -s libvulkan1 >/dev/null 2>&1 || [ -z "$mesa_version" ] || [ "${mesa_major:-0}" -lt 23 ]; }; then
  sudo=''
  [ "$(id -u)" -eq 0 ] || sudo='sudo'
  codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
  if [ "$codename" = bookworm ]; then
    if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
      say "adding bookworm-backports (for Mesa's Vulkan driver, which Dawn needs)"
      echo 'deb http://deb.debian.org/debian bookworm-backports main' | $sudo tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
    fi
    say "installing libvulkan1 and mesa-vulkan-drivers from bookworm-backports"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -t bookworm-backports libvulkan1 mesa-vulkan-drivers >/dev/null \
      || say "could not install Mesa's Vulkan driver: the webgpu tests will report themselves as not run"
  else
    say "installing libvulkan1 and mesa-vulkan-drivers"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libvulkan1 mesa-vulkan-drivers >/dev/null \
      || say "could not install Mesa's Vulkan driver: the webgpu tests will report themselves as not run"
  fi
fi

stamp=node_modules/.glif-setup-stamp
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
  touch "$stamp"
else
  say "npm dependencies are up to date"
fi

node -e "require('better-sqlite3')" 2>/dev/null || { say "better-sqlite3 did not build; run: npm rebuild better-sqlite3"; exit 1; }
say "ready"
