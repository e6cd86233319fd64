#!/usr/bin/env bash
# make sdk-check: runs Alpaca's official JavaScript SDK (pinned by
# sdkcheck/package-lock.json) against `gambler exchange` built from this
# tree, on generated prices and on the real bars of ../shared/data. Without
# node it skips with a message, except under CI=true, where it fails; the
# same goes for the bars file.
set -euo pipefail
cd "$(dirname "$0")/.."

ci=false
[ "${CI:-}" = "true" ] && ci=true

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	if $ci; then
		echo "sdk-check: node and npm are required under CI=true" >&2
		exit 1
	fi
	echo "sdk-check: skipped: node or npm not found (install Node.js 20 or later to run Alpaca's JavaScript SDK against the exchange)"
	exit 0
fi

# The real bars: shared/data in this directory or an ancestor (../shared/data
# from the main checkout).
bars=""
dir="$PWD"
while [ "$dir" != "/" ]; do
	if [ -f "$dir/shared/data/bars_1h_2024-11_2025-11.csv" ]; then
		bars="$dir/shared/data/bars_1h_2024-11_2025-11.csv"
		break
	fi
	dir="$(dirname "$dir")"
done
if [ -z "$bars" ]; then
	if $ci; then
		echo "sdk-check: shared/data/bars_1h_2024-11_2025-11.csv not found in an ancestor directory" >&2
		exit 1
	fi
	echo "sdk-check: the bars file was not found; checking generated prices only"
fi

${GO:-go} build -trimpath -o bin/gambler ./cmd/gambler
(cd sdkcheck && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
node sdkcheck/check.mjs bin/gambler ${bars:+"$bars"}
