#!/usr/bin/env bash
# Builds, with no image registry, the base images that deploy/Dockerfile and docker-compose.yml
# need, as local stand-ins for the public ones:
#
#   tessera-local/debian:bookworm-slim    debootstrap (minbase) + `docker import`, slimmed like the
#                                         official debian:bookworm-slim
#   tessera-local/node:20-bookworm-slim   for node:20-bookworm-slim: the official Node.js 20 binary
#                                         and npm 10, taken from the npm registry (node/Dockerfile)
#   tessera-local/postgres:15-bookworm    for postgres:15-bookworm: Debian's PostgreSQL 15 with the
#                                         official image's POSTGRES_* environment (postgres/)
#   tessera-local/nats:2.9-bookworm       for nats:2.10-alpine: Debian's nats-server with JetStream,
#                                         monitoring on 8222, wget for the healthcheck (nats/)
#
# It needs root (debootstrap), a running Docker engine, and Debian's apt mirror and the npm
# registry (both reached from inside `docker build` too). It is idempotent: every image carries a
# label with a hash of its recipe (and of its base image), and an image whose label matches is
# skipped, so a rerun takes about a second; a changed recipe rebuilds that image and those on it.
#
#   deploy/images/build-base-images.sh            build what is missing or out of date
#   deploy/images/build-base-images.sh --force    rebuild everything
#   deploy/images/build-base-images.sh --env      only print the Compose variables (see below)
#
# Then point Compose at them (docs/deployment.md, "Without registry access"):
#   TESSERA_NODE_IMAGE=tessera-local/node:20-bookworm-slim
#   TESSERA_POSTGRES_IMAGE=tessera-local/postgres:15-bookworm
#   TESSERA_NATS_IMAGE=tessera-local/nats:2.9-bookworm
#
# Environment: DEBIAN_MIRROR (default http://deb.debian.org/debian), NPM_REGISTRY (default
# https://registry.npmjs.org), TESSERA_LOCAL_PREFIX (default tessera-local), EXTRA_CA_CERTS (a
# folder of *.crt or one PEM file; default: the machine's /usr/local/share/ca-certificates): CA
# certificates npm in the node image trusts, for a TLS-inspecting proxy in front of the registry.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix="${TESSERA_LOCAL_PREFIX:-tessera-local}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
registry="${NPM_REGISTRY:-https://registry.npmjs.org}"
extra_ca="${EXTRA_CA_CERTS-/usr/local/share/ca-certificates}"
suite=bookworm

debian_image="$prefix/debian:bookworm-slim"
node_image="$prefix/node:20-bookworm-slim"
postgres_image="$prefix/postgres:15-bookworm"
nats_image="$prefix/nats:2.9-bookworm"
label=org.tessera.recipe

print_env() {
  printf 'TESSERA_NODE_IMAGE=%s\nTESSERA_POSTGRES_IMAGE=%s\nTESSERA_NATS_IMAGE=%s\n' \
    "$node_image" "$postgres_image" "$nats_image"
}

force=0
case "${1:-}" in
  --force) force=1 ;;
  --env)
    print_env
    exit 0
    ;;
  '') ;;
  *)
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
    exit 2
    ;;
esac

log() { printf '== %s\n' "$*" >&2; }
die() {
  printf 'build-base-images: %s\n' "$*" >&2
  exit 1
}

docker info >/dev/null 2>&1 || die "no Docker engine answers (start one: dockerd >/tmp/dockerd.log 2>&1 &)"

# The recipe label of an image, or nothing when the image is absent.
recipe_of() { docker image inspect -f "{{ index .Config.Labels \"$label\" }}" "$1" 2>/dev/null || true; }
image_id() { docker image inspect -f '{{ .Id }}' "$1"; }

# up_to_date IMAGE HASH: true when IMAGE exists with this recipe hash (and --force was not given).
up_to_date() {
  [ "$force" = 0 ] && [ "$(recipe_of "$1")" = "$2" ]
}

# The Debian root filesystem: debootstrap minbase, then what makes the official image "slim" (no
# docs, man pages or translations installed by later apt-get calls; no apt caches kept) and a
# policy-rc.d so package installs inside builds never try to start daemons.
make_debian_rootfs() {
  local root="$1"
  debootstrap --variant=minbase --merged-usr "$suite" "$root" "$mirror" >&2
  cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  printf 'Acquire::Languages "none";\n' >"$root/etc/apt/apt.conf.d/docker-no-languages"
  printf 'Acquire::GzipIndexes "true";\n' >"$root/etc/apt/apt.conf.d/docker-gzip-indexes"
  printf 'APT::AutoRemove::SuggestsImportant "false";\n' >"$root/etc/apt/apt.conf.d/docker-autoremove-suggests"
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod +x "$root/usr/sbin/policy-rc.d"
  rm -f "$root/etc/apt/sources.list"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # What debootstrap leaves behind from the building machine or its own run.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/* \
    "$root"/var/log/* "$root"/tmp/* "$root"/root/.bash_history
  find "$root/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/groff/* "$root"/usr/share/lintian/*
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  : >"$root/etc/resolv.conf"
  : >"$root/etc/hostname"
  : >"$root/etc/machine-id"
}

build_debian() {
  local hash
  hash="$(
    {
      declare -f make_debian_rootfs
      echo "$suite $mirror"
    } | sha256sum | cut -c1-16
  )"
  if up_to_date "$debian_image" "$hash"; then
    log "$debian_image is up to date"
    return
  fi
  command -v debootstrap >/dev/null || {
    [ "$(id -u)" = 0 ] || die "debootstrap is missing (apt-get install -y debootstrap)"
    log "installing debootstrap"
    apt-get install -y -qq debootstrap >/dev/null
  }
  [ "$(id -u)" = 0 ] || die "debootstrap needs root"
  local work
  work="$(mktemp -d /tmp/tessera-rootfs.XXXXXX)"
  # shellcheck disable=SC2064 # expand now: $work is local
  trap "rm -rf '$work'" EXIT
  log "$debian_image: debootstrap $suite from $mirror"
  make_debian_rootfs "$work/rootfs"
  tar -C "$work/rootfs" --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -c . |
    docker import \
      --change "LABEL $label=$hash" \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["bash"]' \
      - "$debian_image" >/dev/null
  rm -rf "$work"
  trap - EXIT
}

# build_on_debian IMAGE DIR [BUILD ARGS...]: docker build DIR on the Debian base. The context is a
# copy of DIR plus extra-ca/ (the extra CA certificates; only node/Dockerfile uses them).
build_on_debian() {
  local image="$1" dir="$2" hash ctx
  shift 2
  ctx="$(mktemp -d /tmp/tessera-image.XXXXXX)"
  # shellcheck disable=SC2064 # expand now: $ctx is local
  trap "rm -rf '$ctx'" EXIT
  cp -r "$here/$dir/." "$ctx/"
  mkdir -p "$ctx/extra-ca"
  if [ "$dir" = node ] && [ -n "$extra_ca" ]; then
    if [ -d "$extra_ca" ]; then
      find "$extra_ca" -maxdepth 2 -name '*.crt' -type f -exec cp {} "$ctx/extra-ca/" \;
    elif [ -f "$extra_ca" ]; then
      cp "$extra_ca" "$ctx/extra-ca/extra.crt"
    fi
  fi
  hash="$(
    {
      image_id "$debian_image"
      printf '%s\n' "$@"
      (cd "$ctx" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
    } | sha256sum | cut -c1-16
  )"
  if up_to_date "$image" "$hash"; then
    log "$image is up to date"
  else
    local cas=''
    [ "$dir" = node ] && cas=" (npm trusts $(find "$ctx/extra-ca" -name '*.crt' | wc -l) extra CA certificates)"
    log "$image: building $dir/Dockerfile$cas"
    local args=(--build-arg "BASE_IMAGE=$debian_image" --label "$label=$hash" -t "$image")
    for a in "$@"; do args+=(--build-arg "$a"); done
    docker build --rm --force-rm "${args[@]}" "$ctx" >&2
  fi
  rm -rf "$ctx"
  trap - EXIT
}

SECONDS=0
build_debian
build_on_debian "$node_image" node "NPM_REGISTRY=$registry"
build_on_debian "$postgres_image" postgres
build_on_debian "$nats_image" nats
# Dangling layers of replaced images and the node fetch stage; never touches tagged images.
docker image prune -f --filter "label=$label" >/dev/null 2>&1 || true
log "done in ${SECONDS}s:"
docker image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' | grep "^$prefix/" | sed 's/^/   /' >&2 || true
log "use them with these lines in .env (or the environment) beside docker-compose.yml:"
print_env
