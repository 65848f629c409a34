#!/usr/bin/env bash
# Publishes the command line as one self-contained linux-x64 executable, for machines without the .NET SDK: the
# .NET runtime, the OpenCL kernels and the shipped weights are inside; the OpenCL ICD loader (with PoCL or a GPU
# driver) and libhdf5 stay the target system's. Usage: tools/publish.sh [output folder] (default
# artifacts/publish/linux-x64). The build goes to artifacts/publish-build, apart from the normal bin/ and obj/, so
# publishing for one runtime never disturbs `dotnet build`. Prints the executable's path and size.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-artifacts/publish/linux-x64}"
dotnet publish src/RawConv.Cli/RawConv.Cli.csproj -c Release -r linux-x64 -p:PublishSingleFile=true -p:DebugType=none \
  --artifacts-path artifacts/publish-build -o "$out" -nologo -v quiet
exe="$(realpath "$out/rawconv")"
bytes=$(stat -c %s "$exe")
echo "$exe $bytes bytes ($(( (bytes + 524288) / 1048576 )) MiB)"
