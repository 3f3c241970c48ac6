#!/usr/bin/env bash
# Refactor check: write every output of every shipped scenario (one simulated hour, no plots)
# and of a replay of each trace into DIR; compare two such folders with `diff -r A B`.
#   bench/outputs_cmp.sh DIR            # write the outputs of this checkout into DIR
#   bench/outputs_cmp.sh DIR BASELINE   # ... and compare them byte for byte with BASELINE
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1
sim=${SIM:-.venv/bin/sim}
mkdir -p "$out"
for sc in scenarios/*.toml; do
    name=$(basename "$sc" .toml)
    "$sim" run "$sc" --set run.horizon=3600 --no-plots --out "$out/$name" --overwrite >/dev/null
    "$sim" replay "$out/$name/events.jsonl" --objects "$out/$name/objects.toml" \
        --out "$out/$name-replay" --overwrite >/dev/null || [ $? -eq 1 ]
done
if [ $# -ge 2 ]; then
    diff -r "$2" "$out" && echo "outputs byte-identical: $(find "$out" -type f | wc -l) files"
fi
