#!/usr/bin/env bash
# Installs what loadhost needs to build and test on Debian 12, then
# configures and builds it into ./build. Run as root (or with sudo).
# Idempotent: packages already there are left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake clang pkg-config ca-certificates
  dpkg-dev  # dpkg-shlibdeps: the .deb's dependencies (cpack -G DEB; build-essential brings it today)
  libboost-dev libssl-dev libcli11-dev nlohmann-json3-dev libfmt-dev libgtest-dev
  nginx-light   # the real server of the integration tests
  libpaho-mqttpp-dev libpaho-mqtt-dev mosquitto mosquitto-clients  # the mqtt plugin; mosquitto for its tests
  libnghttp2-dev nghttp2-server nghttp2-client  # the http2 plugin; nghttpd and h2load for its tests
  libwebsocketpp-dev  # the websocket plugin and its echo server
  libpq-dev postgresql postgresql-contrib  # the postgres plugin; a server and pgbench for its tests
  libgrpc++-dev libprotobuf-dev libprotoc-dev protobuf-compiler protobuf-compiler-grpc openssl  # the grpc plugin and its test server
  libjs-chart.js  # the web UI's charts, embedded into the binary
  chromium nodejs  # the web UI's browser tests (playwright-core from npm drives Debian's chromium)
  python3-locust  # the real Locust: its web API and its master/worker wire protocol
  libzmq3-dev cppzmq-dev libmsgpack-cxx-dev  # master/worker: ZeroMQ and msgpack, as Locust
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing packages: ${missing[*]}; run as root or with sudo" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The packages start a system nginx, PostgreSQL and mosquitto; loadhost's
  # tests start their own on free ports and do not need them.
  if command -v service >/dev/null; then
    for s in nginx postgresql mosquitto; do service "$s" stop >/dev/null 2>&1 || true; done
  fi
fi

# npm may come with the machine's Node.js rather than as Debian's package.
if ! command -v npm >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
# The browser tests' driver, pinned by tests/web/package-lock.json.
if [ -f tests/web/package-lock.json ] && [ ! -d tests/web/node_modules/playwright-core ]; then
  (cd tests/web && npm ci --no-audit --no-fund --loglevel=error)
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
