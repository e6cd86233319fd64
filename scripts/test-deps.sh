#!/bin/sh
# Installs the system tools the tests need and that Go cannot fetch:
# promtool and prometheus (Debian package: prometheus), for the alert rule
# tests and the Prometheus scrape test in internal/e2e. Quick when they are
# there already. Without root or apt-get it only says what is missing; the
# tests then skip, except under CI=true, where they fail.
set -eu

missing=""
for tool in promtool prometheus; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "test-deps: missing$missing; install them with: apt-get install -y prometheus" >&2
	exit 0
fi
echo "test-deps: installing prometheus (for$missing)" >&2
export DEBIAN_FRONTEND=noninteractive
# The package lists may be missing or stale on a fresh machine.
apt-get install -y -qq --no-install-recommends prometheus >/dev/null 2>&1 || {
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends prometheus >/dev/null
}
