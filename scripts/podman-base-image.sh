#!/usr/bin/env bash
# Makes the base image docker.io/library/debian:bookworm-slim for Podman when no image registry is reachable:
# a debootstrap'ed minimal bookworm, imported with `podman import`. Idempotent: does nothing if the image exists.
#
# Usage: scripts/podman-base-image.sh            (needs root, debootstrap and podman; see deploy/Dockerfile)
# Env:   PODMAN_RUNTIME  OCI runtime for podman (default /usr/sbin/runc; crun fails on this kernel's cgroups)
#        DEBIAN_MIRROR   mirror to debootstrap from (default: first URIs: line of apt's debian.sources)
#        DEBIAN_SUITE    suite (default bookworm)
set -euo pipefail

IMAGE=docker.io/library/debian:bookworm-slim
PODMAN_RUNTIME=${PODMAN_RUNTIME:-/usr/sbin/runc}
DEBIAN_SUITE=${DEBIAN_SUITE:-bookworm}
SOURCES=/etc/apt/sources.list.d/debian.sources

podman() { command podman --runtime "$PODMAN_RUNTIME" "$@"; }

if podman image exists "$IMAGE"; then
    echo "podman-base-image: $IMAGE already exists"
    exit 0
fi

for tool in debootstrap podman; do
    command -v "$tool" >/dev/null || { echo "podman-base-image: '$tool' not found (apt-get install -y podman runc debootstrap)" >&2; exit 1; }
done
if [[ $(id -u) -ne 0 ]]; then
    echo "podman-base-image: debootstrap needs root" >&2
    exit 1
fi

mirror=${DEBIAN_MIRROR:-}
if [[ -z $mirror && -r $SOURCES ]]; then
    mirror=$(awk '/^URIs:/ { print $2; exit }' "$SOURCES")
fi
mirror=${mirror:-http://deb.debian.org/debian}

rootfs=$(mktemp -d /tmp/podman-base-image.XXXXXX)
trap 'rm -rf -- "$rootfs" "$rootfs.log"' EXIT

echo "podman-base-image: debootstrap --variant=minbase $DEBIAN_SUITE from $mirror"
debootstrap --variant=minbase "$DEBIAN_SUITE" "$rootfs" "$mirror" >"$rootfs.log" 2>&1 || {
    tail -n 30 "$rootfs.log" >&2
    echo "podman-base-image: debootstrap failed" >&2
    exit 1
}

# Same apt sources as this host (the official image also has bookworm-updates and bookworm-security), so
# packages installed in image builds match the host's versions; debootstrap itself only wrote the base suite.
if [[ -z ${DEBIAN_MIRROR:-} && $DEBIAN_SUITE == bookworm && -r $SOURCES ]]; then
    install -m 0644 "$SOURCES" "$rootfs/etc/apt/sources.list.d/debian.sources"
    rm -f -- "$rootfs/etc/apt/sources.list"
fi

# Slim like the official -slim images: dpkg leaves out docs (but keeps copyright files), man pages and
# translations, and apt keeps neither its binary caches nor downloaded .debs. Written before the upgrade below
# so that it already obeys them, and inherited by every image built FROM this one.
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
CFG
cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CFG
echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
echo 'APT::AutoRemove::SuggestsImportant "false";' >"$rootfs/etc/apt/apt.conf.d/docker-autoremove-suggests"

# Point-release and security updates from those sources (an official image is rebuilt with them).
if ! chroot "$rootfs" /bin/sh -c 'export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get upgrade -y -qq' \
        >"$rootfs.log" 2>&1; then
    tail -n 30 "$rootfs.log" >&2
    echo "podman-base-image: apt-get upgrade in the new root failed" >&2
    exit 1
fi
chroot "$rootfs" apt-get clean

# What debootstrap installed before those rules existed, and the apt lists (an image build runs apt-get update).
find "$rootfs/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$rootfs"/usr/share/{groff,info,linda,locale,man}/* "$rootfs"/usr/share/lintian/overrides/* \
    "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
    "$rootfs"/var/cache/debconf/*-old "$rootfs"/var/log/bootstrap.log

echo "podman-base-image: importing as $IMAGE"
tar -C "$rootfs" --numeric-owner -c . | podman import \
    --change 'CMD ["bash"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - "$IMAGE"
podman images "$IMAGE"
