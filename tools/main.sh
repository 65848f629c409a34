#!/usr/bin/env bash
# The main job: set up, build, install the `rawconv` command (a .NET global tool built from this checkout),
# list the devices, then write the demo report of what the shipped default model (weights/default.h5,
# RawConv's own mini-AlexNet trained on Fashion-MNIST) sees: test-set accuracy, classifications, deconvnet
# projections, top-9 grids, saliency, occlusion, invariance curves and feature evolution — out/report/index.html
# plus PNGs with JSON sidecars naming the command that made each.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
dotnet build RawConv.sln -c Release -nologo -v quiet
tools/pack.sh
R="$HOME/.dotnet/tools/rawconv"
$R devices
$R report --out out/report
echo "open out/report/index.html"
