#!/usr/bin/env bash
# Set-up for the benchmarks (`make bench`), on top of what serving needs: Apertium's own HTTP
# service (Debian's apertium-apy) as the baseline of benchmarks/vs_apy.py, and py-spy for
# profiling. Idempotent: dpkg and pip are asked first; nothing is installed when present.
# Not part of `make serve`: a server never needs APY.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh
if ! dpkg-query -W -f='${Status}' apertium-apy 2>/dev/null | grep -q "install ok installed"; then
  echo "Installing apertium-apy (the benchmark's baseline)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  # its recommends (python3-streamparser, chardet) are what /translateDoc and /translate use;
  # policy-rc.d keeps the package's own service from starting: the benchmark starts APY itself
  # (one we put there is taken away again; an administrator's own is left alone)
  own_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    own_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq apertium-apy >/dev/null
  if [ -n "$own_policy" ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi
fi
if ! .venv/bin/python -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('py_spy') is None)" 2>/dev/null \
   && [ ! -x .venv/bin/py-spy ]; then
  .venv/bin/pip install -q -e '.[bench]'
fi
