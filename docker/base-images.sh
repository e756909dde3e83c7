#!/usr/bin/env bash
# Makes the base images docker/Dockerfile and docker/prometheus/Dockerfile build on, from local parts
# only, for machines that reach Debian's package mirror but no image registry:
#   tern-base/build:bookworm-jdk25    Debian bookworm (minbase) + this machine's JDK 25, for the Maven stage
#   tern-base/runtime:bookworm-jre25  Debian bookworm (minbase) + a jlinked Java runtime, for running Tern
#   tern-base/debian:bookworm         Debian bookworm (minbase) alone, for Prometheus from Debian's package
# As in Debian's official images, packages installed in them never start services (policy-rc.d).
# Both put Java in /opt/java/openjdk and on PATH, as the eclipse-temurin images do, so the Dockerfile
# builds on either. Both trust the certificate authorities this machine trusts (its Java cacerts), so
# Maven in the build stage reaches Maven Central through whatever this machine's TLS setup needs.
#
# Usage: docker/base-images.sh [--force]      (makes only the images that do not exist, unless --force)
# Environment: JDK (default: the newest JDK >= 25 under /usr/lib/jvm), DEBIAN_MIRROR,
#              BUILD_TAG, RUNTIME_TAG, DEBIAN_TAG.
set -euo pipefail

BUILD_TAG=${BUILD_TAG:-tern-base/build:bookworm-jdk25}
RUNTIME_TAG=${RUNTIME_TAG:-tern-base/runtime:bookworm-jre25}
DEBIAN_TAG=${DEBIAN_TAG:-tern-base/debian:bookworm}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# What Tern's jar needs (jdeps --print-module-deps), plus DNS and EC crypto providers it loads by name.
MODULES=java.base,java.desktop,java.management,java.naming,java.sql,jdk.crypto.ec,jdk.jfr,jdk.management,jdk.naming.dns,jdk.unsupported,jdk.zipfs

force=0
[ "${1:-}" = --force ] && force=1

have() { docker image inspect "$1" >/dev/null 2>&1; }
# wanted TAG: whether to make it
wanted() { [ $force = 1 ] || ! have "$1"; }
if ! wanted "$BUILD_TAG" && ! wanted "$RUNTIME_TAG" && ! wanted "$DEBIAN_TAG"; then
  echo "base-images: $BUILD_TAG, $RUNTIME_TAG and $DEBIAN_TAG exist"
  exit 0
fi

if [ -z "${JDK:-}" ]; then
  for dir in /usr/lib/jvm/*; do
    [ -x "$dir/bin/jlink" ] || continue
    major=$("$dir/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1)
    if [ "${major:-0}" -ge 25 ] && [ "$major" -gt "${best_major:-0}" ]; then JDK=$dir; best_major=$major; fi
  done
fi
[ -n "${JDK:-}" ] || { echo "base-images: no JDK >= 25 with jlink under /usr/lib/jvm (set JDK)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "base-images: needs debootstrap (apt-get install debootstrap)" >&2; exit 1; }

work=$(mktemp -d /tmp/tern-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "base-images: debootstrap bookworm (minbase) from $DEBIAN_MIRROR ..."
debootstrap --variant=minbase bookworm "$work/root" "$DEBIAN_MIRROR" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"*
printf '#!/bin/sh\n# Packages installed in a container image never start services.\nexit 101\n' \
  >"$work/root/usr/sbin/policy-rc.d"
chmod 755 "$work/root/usr/sbin/policy-rc.d"

# The Java keystore this machine trusts, as a plain file (the JDK's own is often a symlink into /etc).
cacerts=$(readlink -f "$JDK/lib/security/cacerts")

# import ROOT TAG: one layer, with the environment the eclipse-temurin images also set.
import() {
  tar -C "$1" -c . | docker import \
    -c 'ENV JAVA_HOME=/opt/java/openjdk' \
    -c 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV LANG=C.UTF-8' \
    -c 'CMD ["bash"]' \
    - "$2" >/dev/null
  echo "base-images: made $2"
}

if wanted "$DEBIAN_TAG"; then
  echo "base-images: plain Debian image ..."
  tar -C "$work/root" -c . | docker import -c 'ENV LANG=C.UTF-8' -c 'CMD ["bash"]' - "$DEBIAN_TAG" >/dev/null
  echo "base-images: made $DEBIAN_TAG"
fi

if wanted "$RUNTIME_TAG"; then
  echo "base-images: runtime image with a jlinked Java from $JDK ..."
  cp -a "$work/root" "$work/runtime"
  mkdir -p "$work/runtime/opt/java"
  "$JDK/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages \
    --output "$work/runtime/opt/java/openjdk"
  cp --remove-destination "$cacerts" "$work/runtime/opt/java/openjdk/lib/security/cacerts"
  import "$work/runtime" "$RUNTIME_TAG"
fi

if wanted "$BUILD_TAG"; then
  echo "base-images: build image with the JDK from $JDK ..."
  mkdir -p "$work/root/opt/java"
  cp -a "$JDK" "$work/root/opt/java/openjdk"
  cp --remove-destination "$cacerts" "$work/root/opt/java/openjdk/lib/security/cacerts"
  import "$work/root" "$BUILD_TAG"
fi
