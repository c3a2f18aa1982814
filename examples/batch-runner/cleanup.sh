#!/bin/sh
# batch_runner's weekly_cleanup: run logs older than 30 days are removed.
set -eu
log_dir="${JOBNET_LOG_DIR:-logs/batch}"
mkdir -p "$log_dir"
removed=$(find "$log_dir" -name 'batch_*.jsonl' -mtime +30 -print -delete | wc -l)
echo "removed $removed run log file(s) older than 30 days from $log_dir"
echo "JOBNET_RECORD_COUNT=$removed"
