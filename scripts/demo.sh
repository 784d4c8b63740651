#!/usr/bin/env bash
# npm run demo: from a fresh clone, as root on Debian, build the whole HA cluster in the local
# lab and show it: installs what it needs, boots the lab, runs `play site.yml` twice (the second
# run changes nothing), then shows `kubectl get nodes` and the admin.conf fetched to this machine.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
INVENTORY=inventories/lab
GROUP_VARS=inventories/lab/group_vars/all.yml
PLAY=(node dist/engine/cli/main.js)

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
wanted+=(openssh-client)
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
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi
npx tsc -p tsconfig.json

say "Booting the lab (first time: debootstrap and the apt repository, a few minutes)"
node dist/test/lab/cli.js up

# The lab's repositories are unsigned; play trusts one only when the inventory says so.
extra=()
grep -q '^kube_package_repo_unsigned:' "$GROUP_VARS" || extra+=(-e kube_package_repo_unsigned=true)
grep -q '^crio_package_repo_unsigned:' "$GROUP_VARS" || extra+=(-e crio_package_repo_unsigned=true)

# WORKAROUND (kubeadm stand-in): its preflight binds 6443 without SO_REUSEADDR, so TIME_WAIT
# connections left by an apiserver stopped less than a minute ago (e.g. by `npm test` just
# before) fail `kubeadm init` with "Port 6443 is in use". Real kubeadm (Go's net.Listen sets
# SO_REUSEADDR) does not; on the lab's throwaway hosts the entries are simply dropped.
nodes=$(awk '/^\[(masters|workers)\]/{on=1; next} /^\[/{on=0} on && NF && $1 !~ /^#/{print $1}' "$INVENTORY")
for h in $nodes; do
  node dist/test/lab/cli.js ssh "$h" "ss -K -tan state time-wait '( sport = :6443 or sport = :2379 or sport = :2380 or sport = :10250 )' >/dev/null; true" || true
done

say "play site.yml -i $INVENTORY ${extra[*]}"
start=$(date +%s)
"${PLAY[@]}" site.yml -i "$INVENTORY" "${extra[@]}"
echo "first run: $(( $(date +%s) - start )) s"

say "play site.yml again: nothing left to change (changed=0 on every host)"
start=$(date +%s)
"${PLAY[@]}" site.yml -i "$INVENTORY" "${extra[@]}" | tee /tmp/play-demo-second-run.log | sed -n '/PLAY RECAP/,$p'
echo "second run: $(( $(date +%s) - start )) s"
if grep -E '^\S+ +: ok=' /tmp/play-demo-second-run.log | grep -vq 'changed=0 '; then
  die "the second run changed something (see /tmp/play-demo-second-run.log)"
fi

say "kubectl get nodes on master1"
node dist/test/lab/cli.js ssh master1 kubectl get nodes -o wide

say "The admin kubeconfig fetched to this machine"
dir=$(sed -n 's/^kubeconfig_fetch_dir: *//p' "$GROUP_VARS" | tr -d "\"'")
dir=${dir:-artifacts}
case $dir in "~") dir=$HOME ;; "~/"*) dir=$HOME/${dir#"~/"} ;; esac
kubeconfig=$dir/admin.conf
ls -l "$kubeconfig"
grep -m1 'server:' "$kubeconfig"

# The endpoint's name (control_plane_endpoint_name) lives in the lab hosts' /etc/hosts, not in
# this machine's: reach the VIP and check the certificate against the name.
vip=$(sed -n 's/^apiserver_vip: *//p' "$GROUP_VARS" | tr -d "\"'")
read -r name port < <(sed -n 's/^ *server: *https:\/\/\([^:/]*\):\([0-9]*\).*/\1 \2/p' "$kubeconfig" | head -n 1)
creds=$(mktemp -d)
trap 'rm -rf "$creds"' EXIT
field() { sed -n "s/^ *$1: *//p" "$kubeconfig" | head -n 1 | base64 -d; }
( umask 077; field certificate-authority-data > "$creds/ca.crt"; field client-certificate-data > "$creds/client.crt"; field client-key-data > "$creds/client.key" )
echo "GET https://$name:$port/api/v1/nodes with this admin.conf, through the VIP $vip:"
curl -sS --max-time 10 --cacert "$creds/ca.crt" --cert "$creds/client.crt" --key "$creds/client.key" \
  --resolve "$name:$port:$vip" "https://$name:$port/api/v1/nodes" |
  python3 -c 'import json, sys
for n in json.load(sys.stdin)["items"]:
    ready = next((c["status"] for c in n["status"]["conditions"] if c["type"] == "Ready"), "?")
    print("  %-10s Ready=%s" % (n["metadata"]["name"], ready))'
if command -v kubectl >/dev/null; then
  echo "kubectl on this machine:"
  kubectl --kubeconfig "$kubeconfig" --server "https://$vip:$port" --tls-server-name "$name" get nodes ||
    echo "(kubectl failed: the lab's apiserver is a stand-in that serves what kubectl get nodes needs from the stand-in kubectl; a real kubectl's discovery may ask for more)"
else
  echo "(no kubectl here: with one, kubectl --kubeconfig $kubeconfig get nodes where $name resolves to $vip)"
fi
