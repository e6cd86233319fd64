#!/bin/sh
# Renders a sample session report to a PNG for a person to look at (not CI).
# It trades a short session on the in-process simulated exchange in a
# throw-away data directory, writes `gambler report --html`, and screenshots
# the page with headless Chromium (Debian package: chromium).
#
# The simulated market runs at the default --sim-speed (60 times wall
# time), as a first run does: a wall minute is a market hour, and loose
# momentum thresholds with tight exits make it a hundred or so trades. The
# page is drawn against market time, the fills' clock; the curve has a
# point at every fill and checkpoint and the entry/exit markers sit on it.
# The script fails when the session closed fewer than 20 trades.
#
#   BIN       gambler binary (default bin/gambler)
#   OUT       PNG to write (default bin/report.png); the HTML goes next to it
#   DURATION  how long to trade (default 1m)
set -eu

BIN=${BIN:-bin/gambler}
OUT=${OUT:-bin/report.png}
DURATION=${DURATION:-1m}
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ]; then
	echo "report-screenshot: chromium not found; install it with: apt-get install -y chromium" >&2
	exit 1
fi

root=$(pwd)
mkdir -p "$(dirname "$OUT")"
html="$root/${OUT%.png}.html"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A clean environment: the default SQLite store under the temp dir, no
# config file, no Alpaca keys (so the simulated exchange is used).
run() {
	(cd "$work" && env -u GAMBLER_DATABASE_URL -u GAMBLER_CONFIG -u APCA_API_KEY_ID -u APCA_API_SECRET_KEY \
		XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" "$root/$BIN" "$@")
}

echo "report-screenshot: trading a $DURATION sample session in $work" >&2
run trade --broker sim --symbols AAPL,MSFT,TSLA,NVDA,GOOGL,AMZN --duration "$DURATION" \
	--interval 2s --checkpoint-interval 2s --timeframe 1Min \
	--min-price-change-pct 0.1 --min-volume-ratio 0.5 --take-profit-pct 0.15 --stop-loss-pct 0.15 \
	--close-on-exit --log-level warn
run sessions show >&2
trades=$(run sessions show -o json | sed -n 's/^    "trades": \([0-9]*\),$/\1/p')
if [ "${trades:-0}" -lt 20 ]; then
	echo "report-screenshot: the sample session closed ${trades:-no} trades, fewer than 20" >&2
	exit 1
fi
run report --html "$html"

"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
	--disable-sync --no-first-run --hide-scrollbars --user-data-dir="$work/chromium" \
	--screenshot="$root/$OUT" --window-size=1280,2000 "file://$html" 2>"$work/chromium.log" ||
	{ cat "$work/chromium.log" >&2; exit 1; }
echo "report-screenshot: wrote $OUT and $html" >&2
