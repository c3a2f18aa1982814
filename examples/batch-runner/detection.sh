#!/bin/sh
# batch_runner's hourly_detection: here it counts the observation files that arrived since the
# last run (any *.jpg under .data/observations), and reports the count to jobnet.
set -eu
dir=.data/observations
mkdir -p "$dir"
count=$(find "$dir" -name '*.jpg' -newer "$dir" 2>/dev/null | wc -l)
touch "$dir"
echo "detection at $(date -Iseconds): $count new observation(s)"
echo "JOBNET_RECORD_COUNT=$count"
