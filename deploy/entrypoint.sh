#!/bin/sh
# The container's start (deploy/Containerfile): install the ja→en model from the mounted file
# the first time, then run the worker and the feed's HTTP server in one process. `exec`: the
# process gets the container's SIGTERM itself, finishes the current item and exits 0.
set -eu

model_file="${KAKEHASHI_MODEL_FILE:-/models/translate-ja_en-1_1.argosmodel}"
if ! kakehashi models list --offline | grep -q '^translate-ja_en[[:space:]]'; then
    if [ ! -f "$model_file" ]; then
        echo "kakehashi: no ja→en model installed and no file at $model_file: mount the" \
             "folder holding translate-ja_en-1_1.argosmodel at /models" >&2
        exit 1
    fi
    kakehashi models install --file "$model_file"
fi
exec kakehashi run --serve --host "${KAKEHASHI_HOST:-0.0.0.0}" \
    --port "${KAKEHASHI_PORT:-8080}" "$@"
