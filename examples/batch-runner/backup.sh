#!/bin/sh
# batch_runner's daily_backup (disabled in the catalog until a target is configured): the
# catalog and the working data as one archive, written under a temporary name and renamed.
set -eu
target="${JOBNET_BACKUP_DIR:-.data/backup}"
mkdir -p "$target"
name="backup_${JOBNET_BUSINESS_DATE:-$(date +%F)}.tar.gz"
tar czf "$target/.$name.tmp" --exclude=.data/backup --exclude=.data/pglite examples .data 2>/dev/null || tar czf "$target/.$name.tmp" examples
mv "$target/.$name.tmp" "$target/$name"
echo "wrote $target/$name"
