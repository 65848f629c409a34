#!/usr/bin/env bash
# The main job: set up, build, list the devices RawConv can use.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
dotnet build RawConv.sln -c Release -nologo -v quiet
dotnet src/RawConv.Cli/bin/Release/net10.0/rawconv.dll devices
