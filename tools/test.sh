#!/usr/bin/env bash
# The test command: all setup on a fresh Debian machine, a Release build, every test.
# Prints "tests: N passed, N failed, N skipped" and exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh --peers
dotnet build RawConv.sln -c Release -nologo -v quiet
log=$(mktemp)
set +e
dotnet test tests/RawConv.Tests/RawConv.Tests.csproj -c Release --no-build -nologo "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
line=$(grep -E "^(Passed|Failed)!" "$log" | tail -1 || true)
num() { echo "$line" | sed -nE "s/.*$1: *([0-9]+).*/\1/p"; }
echo "tests: $(num Passed) passed, $(num Failed) failed, $(num Skipped) skipped"
rm -f "$log"
exit "$rc"
