#!/usr/bin/env bash
# Builds the canvas (canvas_ui/) into canvas_ui/dist, which the engine serves at /nifi/.
# Skips the work when dist/ is newer than every source file, package.json and the lock file.
set -euo pipefail

cd "$(dirname "$0")/../canvas_ui"

if [ "${1:-}" != "--force" ] && [ -f dist/index.html ] && [ -d node_modules ] \
    && [ -z "$(find src index.html package.json package-lock.json vite.config.ts tsconfig.json -newer dist/index.html -print -quit)" ]; then
    exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "build-canvas: npm is not installed; install Node.js 20+ to build the canvas" >&2
    exit 1
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
npm run build --silent
