#!/usr/bin/env bash
# Prepare the Python environment of the trainer (services/trainer-orchestrator/trainer).
#
# Idempotent: every step is skipped when its result is already there, so `npm test` and
# `npm start` may call it each time. Steps:
#   1. Debian packages python3-torch + python3-venv + libopenblas0-openmp (installed when running as
#      root, otherwise the missing ones are printed and the script fails). Debian's CPU torch is
#      ~150 MB against ~3 GB of CUDA wheels from PyPI; the platform runs on CPU only. OpenBLAS
#      matters: without it torch falls back to the reference BLAS (libblas3) and trains ~50x slower
#      (python3-torch only "recommends" a fast BLAS, which --no-install-recommends skips).
#   2. A virtual environment at <repo>/.venv that sees the system site-packages (for torch).
#   3. pip install -r trainer/requirements.txt (cache under ~/.cache/pip), only when the
#      requirements changed since the last successful install.
#   4. A .pth file so that `python -m zhner_trainer` works from any directory.
# Prints the venv's python path as the last line of stdout.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${ROOT}/.venv"
TRAINER="${ROOT}/services/trainer-orchestrator/trainer"
REQ="${TRAINER}/requirements.txt"
SYS_PY=/usr/bin/python3

log() { echo "[setup-python] $*" >&2; }

# 1. Debian packages -----------------------------------------------------------------------
missing=()
for pkg in python3-torch python3-venv libopenblas0-openmp; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then
    log "installing ${missing[*]} with apt-get"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2
  else
    log "missing Debian packages: ${missing[*]}"
    log "run: sudo apt-get install -y --no-install-recommends ${missing[*]}"
    exit 1
  fi
fi

# 2. Virtual environment -------------------------------------------------------------------
if [ ! -x "${VENV}/bin/python" ]; then
  log "creating ${VENV}"
  "${SYS_PY}" -m venv --system-site-packages "${VENV}"
fi
PY="${VENV}/bin/python"

# 3. Requirements (skipped when unchanged since the last successful install) ----------------
STAMP="${VENV}/.zhner-requirements.sha256"
want="$(sha256sum "${REQ}" | cut -d' ' -f1)"
have="$(cat "${STAMP}" 2>/dev/null || true)"
if [ "${want}" != "${have}" ]; then
  log "pip install -r ${REQ}"
  PIP_CACHE_DIR="${PIP_CACHE_DIR:-${HOME}/.cache/pip}" "${PY}" -m pip install -q -r "${REQ}" >&2
  echo "${want}" > "${STAMP}"
fi

# 4. Make the trainer package importable from anywhere -------------------------------------
SITE="$("${PY}" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
PTH="${SITE}/zhner_trainer.pth"
if [ "$(cat "${PTH}" 2>/dev/null || true)" != "${TRAINER}" ]; then
  echo "${TRAINER}" > "${PTH}"
fi

"${PY}" -c 'import torch, numpy, onnx, onnxruntime, jieba' 2>/dev/null || {
  log "the environment at ${VENV} cannot import torch/numpy/onnx/onnxruntime/jieba"; exit 1; }
echo "${PY}"
