#!/usr/bin/env bash
# npm run demo: from a fresh clone, as root on Debian, build the whole HA cluster in the local
# lab and show it: installs what it needs, boots the lab on fresh hosts, runs `play site.yml`
# twice (the second run changes nothing), then shows `kubectl get nodes` and checks, with the
# admin.conf fetched to this machine, that every node is Ready through the VIP.
# .ci/run runs it after the test suite, so the README's first command cannot break unnoticed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
INVENTORY=inventories/lab
PLAY=(node dist/engine/cli/main.js)
LAB=(node dist/test/lab/cli.js)

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
  die "the lab runs real hosts (systemd-nspawn containers, a bridge, an apt repository): run it as root, e.g. sudo npm run demo"
fi
[ -r /etc/debian_version ] || die "the lab needs a Debian (or Debian-based) controller: debootstrap, systemd-nspawn and apt build it"
command -v node >/dev/null || die "node is not installed: install Node.js 20 or later, then run npm run demo again"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || die "node $(node --version) is too old: play needs Node.js 20 or later"

say "Installing the lab's tools (apt)"
read -r -a wanted <<<"$(tr '\n' ' ' < test/lab/APT_PACKAGES)"
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null | grep -q '^ii' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q "${missing[@]}"
else
  echo "all there: ${wanted[*]}"
fi

say "Building play"
if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi
npx tsc -p tsconfig.json

# Fresh hosts every time: whatever an earlier demo, test suite or experiment left on them is
# gone, so the first run below really builds the cluster. `down` keeps the caches (base image,
# apt repository), so this costs about half a minute once they exist.
say "Booting the lab on fresh hosts (the first time: debootstrap and the apt repository, a few minutes)"
"${LAB[@]}" down
"${LAB[@]}" up

say "play site.yml -i $INVENTORY"
start=$(date +%s)
"${PLAY[@]}" site.yml -i "$INVENTORY"
echo "first run: $(( $(date +%s) - start )) s"

say "play site.yml -i $INVENTORY again: nothing left to change (changed=0 on every host)"
second_log=$(mktemp /tmp/play-demo-second-run.XXXXXX.log)
start=$(date +%s)
"${PLAY[@]}" site.yml -i "$INVENTORY" > "$second_log" || { cat "$second_log"; die "the second run failed (log: $second_log)"; }
sed -n '/PLAY RECAP/,$p' "$second_log"
echo "second run: $(( $(date +%s) - start )) s"

say "kubectl get nodes on master1"
"${LAB[@]}" ssh master1 kubectl get nodes -o wide

say "The cluster from this machine: the fetched admin.conf, through the VIP"
"${PLAY[@]}" inventory -i "$INVENTORY" --list | node dist/test/lab/demo-verify.js "$second_log"
rm -f "$second_log"
