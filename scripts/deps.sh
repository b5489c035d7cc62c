#!/usr/bin/env bash
# deps.sh: installs the Debian packages this project needs that are missing.
#   deps.sh run    what building and running the app needs (`make run`)
#   deps.sh build  that plus cmocka, for the unit tests `make` builds too
#   deps.sh        that plus what the tests and benchmarks drive (`make
#                  deps`, `make test`, `make bench`): Chromium, Prometheus...
#   deps.sh fuzz   build plus clang and its libFuzzer runtime (`make fuzz`)
# Fast when everything is there: it only asks dpkg.
set -euo pipefail
mode=${1:-test}

# Build: compiler tools and the libraries we link.
build_pkgs=(gcc make pkg-config protobuf-c-compiler libprotobuf-c-dev
  libgrpc-dev libcurl4-openssl-dev libcjson-dev libcivetweb-dev zlib1g-dev
  libproj-dev libgeonames-dev libssl-dev)
# Test: unit test framework and the tools the integration tests drive
# (docker.io + debootstrap: docker_images.sh builds and runs the images;
# openssl: otlp_tls.sh makes its certificates).
test_pkgs=(libcmocka-dev curl python3 python3-yaml python3-sgp4 python3-geopy prometheus
  chromium wrk bc valgrind openssl docker.io debootstrap)
# Fuzz: clang and the runtime of -fsanitize=fuzzer (libclang_rt.fuzzer).
fuzz_pkgs=(clang libclang-rt-14-dev)

missing=()
wanted=("${build_pkgs[@]}")
case "$mode" in
  run) ;;
  build) wanted+=(libcmocka-dev) ;;
  test) wanted+=("${test_pkgs[@]}") ;;
  fuzz) wanted+=("${fuzz_pkgs[@]}") ;;
  *) echo "deps.sh: unknown mode '$mode' (run, build, test or fuzz)" >&2; exit 2 ;;
esac
for p in "${wanted[@]}" ${EXTRA_DEB_PACKAGES:-}; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "deps: installing missing Debian packages: ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then sudo="sudo"; else
    echo "deps: not root and no sudo: please install as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"; then
  echo "deps: first attempt failed, refreshing the package lists" >&2
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" || {
    echo "deps: could not install: ${missing[*]} (is the Debian mirror reachable?)" >&2
    exit 1
  }
fi
