#!/usr/bin/env bash
# Packs the Release build into NuGet packages in artifacts/packages — the libraries (RawConv.Core, .OpenCL,
# .Cuda, .Ops, .Graph, .Imaging, .Algorithms, kernels and XML docs inside) and the command line as the .NET tool
# RawConv.Cli (shipped weights inside) — then installs or updates `rawconv` as a global tool. Each pack gets a
# fresh prerelease version (0.1.0-local.<UTC time>) so NuGet's cache never serves an older build; samples/
# reference 0.1.0-local.* and so take the newest. The .NET tools folder goes on PATH for login shells through
# /etc/profile.d, as the .NET SDK documents for Linux. Run after `dotnet build RawConv.sln -c Release`.
set -euo pipefail
cd "$(dirname "$0")/.."
version="0.1.0-local.$(date -u +%Y%m%d%H%M%S)"
dotnet pack RawConv.sln -c Release --no-build -nologo -v quiet -o artifacts/packages -p:PackageVersion="$version"
dotnet tool update --global RawConv.Cli --add-source artifacts/packages --version "$version" >/dev/null
profile=/etc/profile.d/dotnet-cli-tools-bin-path.sh
if [ ! -f "$profile" ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo 'export PATH="$PATH:$HOME/.dotnet/tools"' | $SUDO tee "$profile" >/dev/null
fi
echo "packed $version into artifacts/packages; installed rawconv (in ~/.dotnet/tools; new login shells have it on PATH)"
