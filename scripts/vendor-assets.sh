#!/usr/bin/env bash
# Copy the pinned front-end packages from the npm registry into static/vendor/, each with its license.
# Run by `make vendor` after changing frontend/package.json; the result is committed, so a new machine needs no npm.
set -euo pipefail
cd "$(dirname "$0")/../frontend"
npm ci --no-audit --no-fund --ignore-scripts
out=../static/vendor
rm -rf "$out" && mkdir -p "$out/designsystemet" "$out/htmx" "$out/inter"

ds=node_modules/@digdir/designsystemet-css
cp "$ds/dist/src/index.css" "$out/designsystemet/designsystemet.css"
cp "$ds/dist/theme/designsystemet.css" "$out/designsystemet/theme.css"
cp "$ds/LICENSE" "$out/designsystemet/LICENSE"

cp node_modules/htmx.org/dist/htmx.min.js "$out/htmx/htmx.min.js"
cp node_modules/htmx.org/LICENSE "$out/htmx/LICENSE"

inter=node_modules/@fontsource/inter
for weight in 400 500 600 700; do
  cp "$inter/files/inter-latin-$weight-normal.woff2" "$inter/files/inter-latin-$weight-normal.woff" "$out/inter/"
done
cp "$inter/files/inter-latin-400-italic.woff2" "$inter/files/inter-latin-400-italic.woff" "$out/inter/"
cp "$inter/LICENSE" "$out/inter/LICENSE"

# Fallback fonts for the PDF reports, so that any text a user can type prints (Cyrillic, Greek, Arabic, Chinese,
# emoji …): the regular weight's slices, each listed with the characters it has (needs the project's .venv).
../.venv/bin/python ../scripts/fallback_fonts.py node_modules

node -e '
const lock = require("./package-lock.json");
for (const [path, info] of Object.entries(lock.packages)) {
  if (path) console.log(`${path.replace("node_modules/", "")} ${info.version} ${info.license || ""}`);
}' > "$out/VERSIONS.txt"
echo "Vendored into static/vendor:"; cat "$out/VERSIONS.txt"
