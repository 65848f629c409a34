#!/usr/bin/env bash
# Packs the built command line as a .NET tool (kernels and shipped weights inside) into artifacts/packages and
# installs or updates it as the global tool `rawconv`. Each pack gets a fresh prerelease version so NuGet's cache
# never serves an older build. The .NET tools folder goes on PATH for login shells through /etc/profile.d,
# as the .NET SDK documents for Linux. Run after `dotnet build RawConv.sln -c Release`.
set -euo pipefail
cd "$(dirname "$0")/.."
version="0.1.0-local.$(date -u +%Y%m%d%H%M%S)"
dotnet pack src/RawConv.Cli -c Release --no-build -nologo -v quiet -o artifacts/packages -p:PackageVersion="$version"
dotnet tool update --global RawConv.Cli --add-source artifacts/packages --version "$version" >/dev/null
profile=/etc/profile.d/dotnet-cli-tools-bin-path.sh
if [ ! -f "$profile" ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo 'export PATH="$PATH:$HOME/.dotnet/tools"' | $SUDO tee "$profile" >/dev/null
fi
echo "installed: rawconv $version (in ~/.dotnet/tools; new login shells have it on PATH)"
