#!/usr/bin/env bash
# Installs the Debian packages RawConv needs, only those missing. Idempotent; run as root (or with sudo).
#   tools/setup.sh           what RawConv needs to build and run: PoCL and the OpenCL ICD loader, libhdf5,
#                            clang-14 (compiles the kernels to PTX at build time), Fashion-MNIST (the default
#                            model's data set), DejaVu fonts (chart text), and the report's sample photographs for
#                            textures and style transfer (scikit-image's brick, grass, gravel, astronaut, chelsea,
#                            coffee; darknet's scream.jpg)
#   tools/setup.sh --peers   also the test and benchmark peers: PyTorch (with OpenBLAS, not the reference
#                            BLAS), ONNX, h5py, scikit-image, Pillow, darknet's photos, the ONNX conformance data
# Further arguments name extra packages.
set -euo pipefail
packages=(pocl-opencl-icd ocl-icd-libopencl1 clinfo clang-14 libhdf5-103-1 dataset-fashion-mnist fonts-dejavu-core python3-skimage darknet)
if [ "${1:-}" = "--peers" ]; then
  shift
  packages+=(libonnx-testdata python3-numpy python3-pil python3-scipy python3-torch python3-torchvision
             python3-onnx python3-h5py libopenblas0-pthread)
fi
packages+=("$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK (dotnet) is required and not on PATH" >&2; exit 1; }
