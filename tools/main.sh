#!/usr/bin/env bash
# The main job: set up, build, list the devices, then time the bvlc_alexnet convolution layers on
# RawConv against PyTorch in the same run (tables in out/compare.md).
# (Grows into the demo report on the default model as the later issues land.)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
dotnet build RawConv.sln -c Release -nologo -v quiet
dotnet src/RawConv.Cli/bin/Release/net10.0/rawconv.dll devices
mkdir -p out
dotnet bench/RawConv.Bench/bin/Release/net10.0/RawConv.Bench.dll compare --batch 1,16 --reps 5 --backward --write out/compare.md
echo "wrote out/compare.md"
