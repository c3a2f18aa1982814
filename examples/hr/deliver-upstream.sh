#!/bin/sh
# Plays the upstream system of seed 000: delivers today's HR CSV into the inbox the way a
# careful writer does (a hidden temporary name, then a rename), then its done-marker.
#   sh examples/hr/deliver-upstream.sh [YYYYMMDD]
set -eu
cd "$(dirname "$0")/../.."
day="${1:-$(TZ=Asia/Tokyo date +%Y%m%d)}"
inbox=.data/hr/inbox
mkdir -p "$inbox"
cp examples/hr/employees.csv "$inbox/.employees_$day.csv.tmp"
mv "$inbox/.employees_$day.csv.tmp" "$inbox/employees_$day.csv"
touch "$inbox/employees.done"
echo "delivered $inbox/employees_$day.csv"
