#!/bin/sh
# batch_runner's daily_analysis: summarises the previous day's run log (one JSON line per run).
set -eu
log_dir="${JOBNET_LOG_DIR:-logs/batch}"
day=$(date -d "${JOBNET_BUSINESS_DATE:-today} -1 day" +%Y%m%d)
file="$log_dir/batch_$day.jsonl"
if [ ! -f "$file" ]; then echo "no run log for $day"; echo "JOBNET_RECORD_COUNT=0"; exit 0; fi
runs=$(wc -l < "$file")
failed=$(grep -c '"status":"error"\|"status":"timeout"' "$file" || true)
echo "$day: $runs run(s), $failed failed"
echo "JOBNET_RECORD_COUNT=$runs"
