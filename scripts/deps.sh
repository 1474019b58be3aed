#!/usr/bin/env bash
# Install the build/test dependencies of sigv4 on Debian/Ubuntu.
# Idempotent: only touches apt when something is missing.
set -euo pipefail

PACKAGES=(
  cmake g++ clang make pkg-config python3 curl
  libssl-dev libfmt-dev catch2 libbenchmark-dev nlohmann-json3-dev
  libcurl4-openssl-dev libcpp-httplib-dev
  doxygen  # the API reference: scripts/test.sh builds the docs target with warnings as errors
  man-db bsdutils  # cli_docs renders sigv4(1) with man; examples_test gives upload_worker a tty with script
)
# Extra packages can be requested by the caller, e.g. deps.sh python3-botocore
PACKAGES+=("$@")

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "deps.sh: not a Debian-based system; please install: ${PACKAGES[*]}" >&2
  exit 0
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "deps.sh: missing packages (${missing[*]}) and not root / no sudo" >&2
  exit 1
fi

echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
