#!/usr/bin/env bash
# The real kubectl for test/standins/real-kubectl.test.ts: Debian trixie's kubectl package
# (kubectl 1.32.3, a static Go binary that runs on any release), downloaded from the Debian mirror
# by the controller's apt pointed at trixie alone (its own sources list and package lists, as
# test/lab/release-apt.ts does for the lab), unpacked with dpkg-deb -x: nothing is installed.
# Run by .ci/run; idempotent, and a no-op once the binary is in the cache.
#   test/standins/fetch-real-kubectl.sh [CACHE_DIR]     # default /var/cache/play-lab/real-kubectl
set -euo pipefail
dir="${1:-/var/cache/play-lab/real-kubectl}"
release=trixie
package=kubectl   # kubernetes-client is only a transitional package that depends on it
kubectl="$dir/root/usr/bin/kubectl"
if [ -x "$kubectl" ]; then
  echo "real kubectl: $kubectl (cached)"
  exit 0
fi
mkdir -p "$dir/apt/sources.list.d" "$dir/apt/preferences.d" "$dir/apt/lists/partial" "$dir/apt/archives/partial" "$dir/debs"
: > "$dir/apt/status"
mirror=http://deb.debian.org/debian
printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s-security %s-security main\n' \
  "$mirror" "$release" "$mirror" "$release" "$mirror" "$release" > "$dir/apt/sources.list"
apt_options=(
  -o "Dir::Etc::SourceList=$dir/apt/sources.list"
  -o "Dir::Etc::SourceParts=$dir/apt/sources.list.d"
  -o "Dir::Etc::PreferencesParts=$dir/apt/preferences.d"
  -o "Dir::State::Lists=$dir/apt/lists"
  -o "Dir::State::status=$dir/apt/status"   # empty: what this machine has installed plays no part
  -o "Dir::Cache::Archives=$dir/apt/archives"
  -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
  -o "APT::Sandbox::User=root"
  -o "Acquire::Languages=none"
)
LC_ALL=C apt-get update -q "${apt_options[@]}" >/dev/null
(cd "$dir/debs" && LC_ALL=C apt-get download -q "${apt_options[@]}" "$package" >/dev/null)
deb=$(ls -t "$dir"/debs/${package}_*.deb | head -1)
rm -rf "$dir/root.tmp"
dpkg-deb -x "$deb" "$dir/root.tmp"
"$dir/root.tmp/usr/bin/kubectl" version --client >/dev/null
rm -rf "$dir/root"
mv "$dir/root.tmp" "$dir/root"
echo "real kubectl: $kubectl from $(basename "$deb")"
