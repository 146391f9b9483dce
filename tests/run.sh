#!/usr/bin/env bash
# The whole test suite, as a fresh machine runs it (README's test command; .ci/run calls it).
set -euo pipefail
cd "$(dirname "$0")/.."

# model/ must build for the browser: make sure the wasm32 standard library is there.
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo "installing the wasm32-unknown-unknown target ..."
  rustup target add wasm32-unknown-unknown
fi

# Browser tests need Debian's Chromium (and its driver) and npm (for axe-core); they never skip here.
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
# The certificate check's test makes its certificates and TLS server with openssl.
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# The Prometheus source's end-to-end test scrapes a real exporter.
command -v prometheus-node-exporter >/dev/null 2>&1 || need+=(prometheus-node-exporter)
# The mail tests' SMTP server is Python's smtpd (in the standard library up to 3.11).
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} with apt-get ..."
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "error: ${need[*]} missing and not root; run: apt-get install -y ${need[*]}" >&2
      exit 1
    fi
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
export LOOKOUT_REQUIRE_BROWSER=1

# wasm-bindgen-test-runner runs the widgets' unit tests in headless Chromium; it must be the
# version of the wasm-bindgen crate. Built once into target/ (not --locked: one of its locked
# dependencies is no longer on the registry).
runner=target/test-tools/wbg/bin/wasm-bindgen-test-runner
wbg_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)
if ! "$runner" --version 2>/dev/null | grep -q "$wbg_version"; then
  echo "building wasm-bindgen-test-runner $wbg_version ..."
  cargo install --quiet wasm-bindgen-cli --version "=$wbg_version" --root target/test-tools/wbg
fi

# The TLS mail test's server: aiosmtpd (STARTTLS, implicit TLS, AUTH), from PyPI into target/.
if [ ! -d target/test-tools/py/aiosmtpd ]; then
  if ! python3 -m pip --version >/dev/null 2>&1; then
    echo "installing python3-pip with apt-get ..."
    $([ "$(id -u)" -ne 0 ] && echo sudo) apt-get install -y -qq --no-install-recommends python3-pip >/dev/null
  fi
  echo "installing aiosmtpd into target/test-tools/py ..."
  python3 -m pip install --quiet --disable-pip-version-check --target target/test-tools/py aiosmtpd==1.4.6
fi

echo "== model builds for wasm32"
cargo build --locked -p lookout-model --target wasm32-unknown-unknown

echo "== formatting and lints"
cargo fmt --all --check
cargo clippy --locked --workspace --all-targets -- -D warnings
cargo clippy --locked -p widgets --target wasm32-unknown-unknown --all-targets --features operator --target-dir target/wasm-check -- -D warnings

echo "== tests"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --locked --workspace 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
echo "== widget unit tests in headless Chromium"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER="$PWD/$runner" CHROMEDRIVER="$(command -v chromedriver)" \
  cargo test --locked -p widgets --target wasm32-unknown-unknown --target-dir target/wasm-check 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
set -e
# One closing line for the whole run, summed over every test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
