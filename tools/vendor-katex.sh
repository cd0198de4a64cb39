#!/usr/bin/env bash
# Re-fetches the pinned KaTeX release from the npm registry, checks the tarball against the integrity hash the
# registry published for it, and copies what the viewer ships (minified JS and CSS, the woff2 fonts, the
# licence) into src/Amber.Viewer/Static/katex. Running it again must leave `git status` clean: the vendored
# bytes are reproducible. To move to another version, change both lines below and the version in
# src/Amber.Viewer/Pages/StaticAssets.cs (a test checks the shipped script names that version).
set -euo pipefail
version=0.19.1
integrity='sha512-jG8uKntjSEcm2EpQOh0XturpPuuC9r3Sq5HLHdsFdWZT27E672SF19QEi+of0/YeOy15lDgRhKvr5614uRrEfA=='

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/src/Amber.Viewer/Static/katex"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "katex@$version" >/dev/null)
tarball="$work/katex-$version.tgz"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$integrity" ]; then
  echo "katex-$version.tgz: integrity $actual, expected $integrity" >&2
  exit 1
fi

tar -xzf "$tarball" -C "$work"
rm -rf "$dest"
mkdir -p "$dest/fonts"
cp "$work/package/dist/katex.min.js" "$work/package/dist/katex.min.css" "$dest/"
cp "$work/package/LICENSE" "$dest/LICENSE.txt"
cp "$work/package/dist/fonts/"*.woff2 "$dest/fonts/"
echo "KaTeX $version vendored into ${dest#"$root/"} ($(find "$dest" -type f | wc -l) files)"
