#!/usr/bin/env bash
# Build every escala image on the controller, FROM the local Debian base, and save each
# service image as an archive for the roles' `archive` image source. Docker's layer cache
# makes a second run cheap; an archive is written again only when its image changed.
set -euo pipefail
cd "$(dirname "$0")/.."

LABEL=io.escala.project=escala
BUILD=build
PIP=${PIP:-.venv/bin/pip}
mkdir -p "$BUILD/images" "$BUILD/context"

scripts/build-base.sh

# The app's wheelhouse, rebuilt only when app/requirements.txt changes.
wheels="$BUILD/wheelhouse"
wheelhouse() {
  local stamp
  stamp="wheels-v2-$(sha256sum app/requirements.txt | cut -c1-16)"
  if [ "$(cat "$wheels/.stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "build-images: downloading the app's wheelhouse"
    rm -rf "$wheels" && mkdir -p "$wheels"
    # The file pins every dependency; markers are dropped because they are decided by the
    # image's Python (Debian 12's 3.11.2), not by the controller's.
    sed 's/;.*$//' app/requirements.txt > "$BUILD/requirements.all.txt"
    "$PIP" download -q --no-deps --only-binary=:all: --python-version 3.11 \
      --platform manylinux2014_x86_64 --platform any -d "$wheels" -r "$BUILD/requirements.all.txt"
    echo "$stamp" > "$wheels/.stamp"
  fi
}

# build NAME TAG DIR: build images/DIR with a staged context and save the archive.
build() {
  local name=$1 tag=$2 dir=$3 ctx="$BUILD/context/$1"
  rm -rf "$ctx" && mkdir -p "$ctx"
  cp -a "images/$dir/." "$ctx/"
  if [ "$name" = app ]; then
    wheelhouse
    cp -a "$wheels" "$ctx/wheels"
    tar -c --exclude=__pycache__ --exclude='*.pyc' app | tar -C "$ctx" -x
  fi
  local old id
  old=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
  if ! docker build -q --force-rm --label "$LABEL" -t "$tag" "$ctx" >"$ctx.log" 2>&1; then
    cat "$ctx.log" >&2
    echo "build-images: building $tag failed" >&2
    return 1
  fi
  id=$(docker image inspect -f '{{.Id}}' "$tag")
  # The image this build replaced, now untagged: removed unless a container still uses it
  # (docker refuses then, and it stays).
  if [ -n "$old" ] && [ "$old" != "$id" ]; then
    docker rmi "$old" >/dev/null 2>&1 \
      && echo "build-images: removed the replaced image ${old:7:12}" || true
  fi
  if [ "$name" != host ]; then
    if [ "$(cat "$BUILD/images/$name.id" 2>/dev/null)" != "$id" ] \
        || [ ! -s "$BUILD/images/$name.tar" ]; then
      docker save -o "$BUILD/images/$name.tar.tmp" "$tag"
      mv "$BUILD/images/$name.tar.tmp" "$BUILD/images/$name.tar"
      echo "$id" > "$BUILD/images/$name.id"
      echo "build-images: saved $tag to $BUILD/images/$name.tar"
    fi
  fi
  echo "build-images: $tag ${id:7:12}"
}

build host escala/host:bookworm host
build redis escala/redis:7.0 redis
build nginx escala/nginx:1.22 nginx
[ -d app/escala_app ] && build app escala/app:0.1.0 app
