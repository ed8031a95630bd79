#!/usr/bin/env bash
# Debian's chromium for the browser test, unpacked into .ci/chromium/ beside the system
# rather than installed: chromium links HarfBuzz's subsetter (libharfbuzz-subset0), which
# the suite must run without (see .ci/run), so that library goes into .ci/chromium/ only,
# where chromium's wrapper finds it and WeasyPrint does not. chromium's other libraries
# are installed as usual (none of them needs the subsetter). Nothing here when chromium
# cannot be had: the browser test is then skipped, with the reason.
set -euo pipefail
cd "$(dirname "$0")"
target=chromium
if [ -x "$target/chromium" ] || ! command -v apt-get >/dev/null; then
    exit 0
fi
depends() {
    apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
        --no-enhances chromium chromium-common | awk '$1 ~ /Depends:$/ {print $2}' \
        | grep -v -x -e chromium -e chromium-common -e libharfbuzz-subset0 | grep -v '^<' \
        | sort -u
}
apt-get update -qq || true
# shellcheck disable=SC2046
if ! apt-get install -y -qq --no-install-recommends --no-upgrade $(depends) >/dev/null; then
    echo "chromium's libraries could not be installed: the browser test is skipped" >&2
    exit 0
fi
debs=$(mktemp -d)
trap 'rm -rf "$debs" "$target.partial"' EXIT
if ! (cd "$debs" && apt-get download -qq chromium chromium-common libharfbuzz-subset0); then
    echo "chromium could not be downloaded: the browser test is skipped" >&2
    exit 0
fi
mkdir -p "$target.partial"
for deb in "$debs"/*.deb; do
    dpkg-deb -x "$deb" "$target.partial"
done
libs=$(dirname "$(find "$target.partial" -name 'libharfbuzz-subset.so.0' | head -1)")
libs=${libs#"$target.partial/"}
cat > "$target.partial/chromium" <<WRAPPER
#!/bin/sh
here=\$(dirname "\$(readlink -f "\$0")")
LD_LIBRARY_PATH="\$here/$libs\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "\$here/usr/lib/chromium/chromium" "\$@"
WRAPPER
chmod +x "$target.partial/chromium"
mv "$target.partial" "$target"
