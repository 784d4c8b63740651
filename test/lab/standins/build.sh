#!/usr/bin/env bash
# Build the lab's stand-in packages for what Debian does not ship (kubeadm, kubelet,
# kubectl, cri-tools, cri-o, kubernetes-cni) as .debs with the real names and the
# pkgs.k8s.io version scheme (kubeadm_1.30.2-1.1), plus play-standin-lib, the Python
# code they share.
#
#   test/lab/standins/build.sh OUTDIR            # KUBE_VERSIONS="1.30.2 1.30.5 1.31.14 1.32.3" by default
#   KUBE_VERSIONS="1.29.6 1.30.2 1.31.0" test/lab/standins/build.sh OUTDIR
#
# kubectl of REAL_KUBECTL_VERSION (1.32.3) is not a stand-in: it is the real client, Debian
# trixie's kubectl package unpacked by test/standins/fetch-real-kubectl.sh into REAL_KUBECTL_ROOT
# (default /var/cache/play-lab/real-kubectl/root), repackaged under pkgs.k8s.io's name and version.
# Building that version without it fails (no stand-in is put in its place).
#
# No network, deterministic (fixed mtimes, root ownership, sorted by dpkg-deb): the
# same sources give the same bytes, so rebuilding is harmless.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)

# Two patches of one minor (patch upgrades), one minor behind and the inventory's 1.32.3 (the
# real kubectl's version): the lab's upgrade paths 1.30 -> 1.31 -> 1.32 and 1.30.2 -> 1.30.5.
kube_versions=${KUBE_VERSIONS:-1.30.2 1.30.5 1.31.14 1.32.3}
real_kubectl_version=${REAL_KUBECTL_VERSION:-1.32.3}
real_kubectl_root=${REAL_KUBECTL_ROOT:-/var/cache/play-lab/real-kubectl/root}
revision=1.1                 # pkgs.k8s.io's Debian revision
lib_version=1.0.0
cni_version=1.4.0
arch=$(dpkg --print-architecture)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1718064000}   # dpkg-deb uses it for ar timestamps
maintainer="play lab stand-ins <play-lab@localhost.invalid>"
stage="$out/.stage"
rm -rf "$stage"
mkdir -p "$stage"

# new_root NAME VERSION -> prints the staging directory of that package
new_root() {
  local root="$stage/$1_$2"
  mkdir -p "$root/DEBIAN"
  echo "$root"
}

# control ROOT NAME VERSION ARCH DEPENDS DESCRIPTION
control() {
  local root=$1 name=$2 version=$3 pkg_arch=$4 depends=$5 description=$6
  {
    echo "Package: $name"
    echo "Version: $version"
    echo "Architecture: $pkg_arch"
    echo "Maintainer: $maintainer"
    [ -n "$depends" ] && echo "Depends: $depends"
    echo "Section: admin"
    echo "Priority: optional"
    echo "Description: $description"
    echo " Lab stand-in for the play project: keeps the real program's commands,"
    echo " flags, output, files and failures on hosts where Kubernetes cannot run."
  } >"$root/DEBIAN/control"
}

# script ROOT NAME BODY: a maintainer script (postinst, prerm, ...)
script() {
  printf '#!/bin/sh\nset -e\n%s\n' "$3" >"$1/DEBIAN/$2"
  chmod 0755 "$1/DEBIAN/$2"
}

# wrapper ROOT PROGRAM MODULE VERSION: /usr/bin/PROGRAM calling playstandin.MODULE.main
wrapper() {
  local root=$1 program=$2 module=$3 version=$4
  mkdir -p "$root/usr/bin"
  cat >"$root/usr/bin/$program" <<EOF
#!/usr/bin/python3
# $program $version: play lab stand-in (see play-standin-lib's README).
import sys

from playstandin.$module import main

sys.exit(main("$version", sys.argv[1:]))
EOF
  chmod 0755 "$root/usr/bin/$program"
}

# copy_tree SRC ROOT: static files of a package (units, configs)
copy_tree() {
  cp -R "$1/." "$2/"
}

# build ROOT FILE: fixed modes and mtimes, then dpkg-deb
build() {
  local root=$1 file=$2
  find "$root" -type d -exec chmod 0755 {} +
  find "$root" -type f ! -perm -u+x -exec chmod 0644 {} +
  find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  dpkg-deb --root-owner-group -Zgzip --build "$root" "$out/$file" >/dev/null
  echo "$file"
}

systemd_reload='if [ -d /run/systemd/system ]; then systemctl daemon-reload >/dev/null || true; fi'

# -- play-standin-lib: the shared Python package ----------------------------------------
root=$(new_root play-standin-lib "$lib_version")
lib="$root/usr/lib/python3/dist-packages"
mkdir -p "$lib" "$root/usr/share/doc/play-standin-lib"
(cd "$here/src" && find playstandin -name '*.py' -print0 | xargs -0 -I{} install -D -m 0644 {} "$lib/{}")
cp "$here/README.md" "$root/usr/share/doc/play-standin-lib/README.md"
wrapper "$root" play-standin-age-certs agecerts "$lib_version"   # the lab's certificate clock knob (README)
control "$root" play-standin-lib "$lib_version" all "python3 (>= 3.9), python3-yaml, openssl" \
  "Shared code of the play lab's Kubernetes stand-ins"
script "$root" postinst 'python3 -m compileall -q /usr/lib/python3/dist-packages/playstandin >/dev/null 2>&1 || true'
script "$root" prerm 'find /usr/lib/python3/dist-packages/playstandin -name __pycache__ -type d -exec rm -rf {} + 2>/dev/null || true'
build "$root" "play-standin-lib_${lib_version}_all.deb"

# -- play-standin-etcd: the etcd "image" (see README: why a package and not an image) ------
# The real kubelet's runtime pulls registry.k8s.io/etcd, which holds etcd and etcdctl; the lab
# has no registry, so the real binaries come from Debian's etcd-server and etcd-client. Debian
# starts its own etcd.service on install (localhost:2379, data in /var/lib/etcd/default): that
# would fail kubeadm's Port-2379 and DirAvailable--var-lib-etcd checks, so it is stopped and
# masked here; etcd runs only as kubeadm's static pod.
root=$(new_root play-standin-etcd "$lib_version")
control "$root" play-standin-etcd "$lib_version" all "etcd-server (>= 3.3), etcd-client (>= 3.3)" \
  "The etcd image of the play lab: Debian's etcd for kubeadm's static pod"
script "$root" postinst 'if [ -d /run/systemd/system ]; then
  systemctl stop etcd.service >/dev/null 2>&1 || true
  systemctl mask etcd.service >/dev/null 2>&1 || true
fi
rm -rf /var/lib/etcd/default'
script "$root" postrm 'if [ "$1" = remove ] && [ -d /run/systemd/system ]; then systemctl unmask etcd.service >/dev/null 2>&1 || true; fi'
build "$root" "play-standin-etcd_${lib_version}_all.deb"

# -- kubernetes-cni: /opt/cni/bin plugins that answer VERSION and refuse to run -----------
root=$(new_root kubernetes-cni "$cni_version")
mkdir -p "$root/opt/cni/bin"
for plugin in bandwidth bridge host-local loopback portmap; do
  cat >"$root/opt/cni/bin/$plugin" <<'EOF'
#!/bin/sh
# CNI plugin stand-in (play lab): reports its version; no pod networking happens in the lab.
if [ "$CNI_COMMAND" = "VERSION" ]; then
  echo '{"cniVersion":"1.0.0","supportedVersions":["0.1.0","0.2.0","0.3.0","0.3.1","0.4.0","1.0.0"]}'
  exit 0
fi
echo '{"cniVersion":"1.0.0","code":100,"msg":"play lab stand-in: CNI plugins do not run in the lab"}'
exit 1
EOF
  chmod 0755 "$root/opt/cni/bin/$plugin"
done
control "$root" kubernetes-cni "$cni_version-$revision" "$arch" "" "Binaries required to provision kubernetes container networking"
build "$root" "kubernetes-cni_${cni_version}-${revision}_${arch}.deb"

# kubelet_depends VERSION: the real kubelet package's Depends for that release. pkgs.k8s.io
# builds every release from kubernetes/release's cmd/krel/templates/latest/kubelet/kubelet.spec
# as it was on the release day, so the Depends follow the spec's history, not the minor:
#   up to 2024-08-21: iptables, iproute2, mount, socat, util-linux, ethtool, ebtables, conntrack
#   2024-08-22 (98122cf8, socat and ebtables dropped) to 2025-09-03: ... conntrack, ethtool, iproute2
#   from 2025-09-04 (d2a7ae37, #4106: conntrack, iproute2, ethtool dropped): iptables, mount, util-linux
# plus kubernetes-cni (>= 1.2.0) from cmd/krel/templates/latest/metadata.yaml for >= 1.28.
kubelet_depends() {
  local cni="kubernetes-cni (>= 1.2.0)"
  case "$1" in
    1.29.6|1.30.2|1.31.0)     # released 2024-06-11 / 2024-06-11 / 2024-08-13
      echo "iptables (>= 1.4.21), $cni, iproute2, mount, socat, util-linux, ethtool, ebtables, conntrack" ;;
    1.29.15|1.30.5|1.31.13|1.32.3)   # released 2025-03-12 / 2024-09-10 / in the 98122cf8 window / 2025-03-11; the Depends as
                              # `apt-cache depends kubelet` shows them for 1.31.13 in kubernetes/kubernetes#135306
      echo "iptables (>= 1.4.21), $cni, iproute2, mount, conntrack, util-linux, ethtool" ;;
    1.31.14)                  # released 2025-11-12, after d2a7ae37 (kubernetes/kubernetes#135306)
      echo "iptables (>= 1.4.21), $cni, mount, util-linux" ;;
    *) echo "build.sh: no kubelet Depends recorded for $1 (add its release date's spec)" >&2; return 1 ;;
  esac
}

# kubeadm_depends VERSION: cmd/krel/templates/latest/metadata.yaml's kubeadm dependencies
# (ce9afc7d removed kubelet/kubectl/kubernetes-cni from >= 1.30; every release up to 2026-04-24
# built >= 1.32 with the >= 1.30 entry too, 0ffd6e1f).
kubeadm_depends() {
  local minor=${1%.*}; minor=${minor#*.}
  if [ "$minor" -lt 30 ]; then
    echo "kubelet (>= 1.19.0), kubectl (>= 1.19.0), kubernetes-cni (>= 1.2.0), cri-tools (>= 1.28.0)"
  else
    echo "cri-tools (>= 1.30.0)"
  fi
}

# real_kubectl ROOT VERSION: the kubectl package of VERSION made of Debian's real kubectl, as
# dpkg-deb -x left it in real_kubectl_root: /usr/bin/kubectl, its bash, zsh and fish completions,
# man page and copyright, i.e. everything Debian's package ships. Refuses a missing binary and one
# whose `version --client` is not VERSION: a kubectl_X package holds kubectl X. No Depends:
# pkgs.k8s.io's kubectl has none (a static binary); Debian's binary wants libc6 (>= 2.34), which
# bookworm and trixie have and bullseye (2.31) lacks, so it does not run on a bullseye host
# (the lab's --mix puts bullseye on lb1 and worker2 only, and no role runs kubectl on a worker).
real_kubectl() {
  local root=$1 version=$2 binary="$real_kubectl_root/usr/bin/kubectl" shown debian_version
  if [ ! -x "$binary" ]; then
    echo "build.sh: the real kubectl $version is missing: no $binary (run test/standins/fetch-real-kubectl.sh," >&2
    echo "  or set REAL_KUBECTL_ROOT to the root of Debian's kubectl package unpacked with dpkg-deb -x)" >&2
    return 1
  fi
  shown=$("$binary" version --client 2>&1 | sed -n 's/^Client Version: //p')
  if [ "$shown" != "v$version" ]; then
    echo "build.sh: $binary is kubectl '${shown:-unknown}', not v$version: a kubectl_$version package must hold kubectl $version" >&2
    return 1
  fi
  # Debian's version of the build, from its changelog (kubernetes (1.32.3+ds-2) unstable; ...)
  debian_version=$(zcat "$real_kubectl_root/usr/share/doc/kubectl/changelog.Debian.gz" 2>/dev/null | sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p')
  cp -R "$real_kubectl_root/." "$root/"
  rm -rf "$root/DEBIAN"; mkdir -p "$root/DEBIAN"
  {
    echo "Package: kubectl"
    echo "Version: $version-$revision"
    echo "Architecture: $arch"
    echo "Maintainer: $maintainer"
    echo "Section: admin"
    echo "Priority: optional"
    echo "Description: Command-line utility for interacting with a Kubernetes cluster"
    echo " The real kubectl $version, not a stand-in: Debian's build (the kubectl package"
    echo " ${debian_version:-of unknown version}), repackaged for the play lab under pkgs.k8s.io's"
    echo " name and version. Needs libc6 (>= 2.34)."
  } >"$root/DEBIAN/control"
}

# -- per Kubernetes version ------------------------------------------------------------------
built_crictl=" "
for version in $kube_versions; do
  full="$version-$revision"
  minor=${version%.*}
  kubelet_deps=$(kubelet_depends "$version")
  kubeadm_deps=$(kubeadm_depends "$version")

  root=$(new_root kubelet "$full")
  wrapper "$root" kubelet kubelet "$version"
  copy_tree "$here/pkg/kubelet" "$root"
  mkdir -p "$root/etc/kubernetes/manifests"
  control "$root" kubelet "$full" "$arch" "play-standin-lib (>= $lib_version), play-standin-etcd, $kubelet_deps" \
    "Node agent for Kubernetes clusters"
  script "$root" postinst 'if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null || true
  systemctl enable kubelet.service >/dev/null 2>&1 || true
  systemctl restart kubelet.service >/dev/null 2>&1 || true
fi'
  script "$root" prerm 'if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
  systemctl stop kubelet.service >/dev/null 2>&1 || true
  systemctl disable kubelet.service >/dev/null 2>&1 || true
fi'
  build "$root" "kubelet_${full}_${arch}.deb"

  root=$(new_root kubectl "$full")
  if [ "$version" = "$real_kubectl_version" ]; then
    real_kubectl "$root" "$version"
  else
    wrapper "$root" kubectl kubectl "$version"
    control "$root" kubectl "$full" "$arch" "play-standin-lib (>= $lib_version)" \
      "Command-line utility for interacting with a Kubernetes cluster"
  fi
  build "$root" "kubectl_${full}_${arch}.deb"

  root=$(new_root kubeadm "$full")
  wrapper "$root" kubeadm kubeadm.cli "$version"
  copy_tree "$here/pkg/kubeadm" "$root"
  control "$root" kubeadm "$full" "$arch" "play-standin-lib (>= $lib_version), $kubeadm_deps" \
    "Command-line utility for administering a Kubernetes cluster"
  script "$root" postinst "$systemd_reload"
  build "$root" "kubeadm_${full}_${arch}.deb"

  root=$(new_root cri-o "$full")
  wrapper "$root" crio crio "$version"
  copy_tree "$here/pkg/cri-o" "$root"
  echo "/etc/crio/crio.conf" >"$root/DEBIAN/conffiles"
  control "$root" cri-o "$full" "$arch" "play-standin-lib (>= $lib_version), python3 (>= 3.11) | python3-toml" \
    "Open Container Initiative-based implementation of Kubernetes Container Runtime Interface"
  script "$root" postinst "$systemd_reload"
  build "$root" "cri-o_${full}_${arch}.deb"

  # cri-tools follows Kubernetes minors (crictl v1.30.0 for 1.30.x): once per minor
  if [[ "$built_crictl" != *" $minor "* ]]; then
    built_crictl+="$minor "
    crictl_version="$minor.0-$revision"
    root=$(new_root cri-tools "$crictl_version")
    wrapper "$root" crictl crictl "$version"
    control "$root" cri-tools "$crictl_version" "$arch" "play-standin-lib (>= $lib_version)" \
      "Command-line utility for interacting with a container runtime"
    build "$root" "cri-tools_${crictl_version}_${arch}.deb"
  fi
done

rm -rf "$stage"
