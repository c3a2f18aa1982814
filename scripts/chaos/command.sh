#!/bin/sh
# The chaos campaign's command (scripts/chaos.ts): records what it does as lines of
# "$CHAOS_DIR/effects.log", keyed to the run jobnet gives it (JOBNET_RUN_ID), so the ledger can
# count what ran, what took effect and what a kill interrupted:
#   <ms> start  <run id> <mode> <attempt> <pid>    every execution, first thing
#   <ms> fail   <run id> <mode> <attempt> <pid>    a failure the mode asks for
#   <ms> effect <run id> <mode> <attempt> <pid>    the run's keyed effect: once per run id (mkdir marker);
#                                                 written by the next execution when the one that took
#                                                 the marker was killed before it wrote the line
#   <ms> end    <run id> <mode> <attempt> <pid>    the command finished its work
#   <ms> stopped <run id> <mode> <attempt> <pid>   SIGTERM (a dead worker's reaper stopping its commands,
#                                                 or a time-out): the command ends here without its work
# A line is one short append (O_APPEND), so processes writing at once never mix lines.
#
# usage: command.sh <mode> <seconds>
#   plain       sleep, then the keyed effect
#   fail-first  exit 3 on a step's first run (no "#n" in its run id), succeed on an operator's retry
#   delayed     exit 5 until 6 s after the run's first execution (so only its delayed retry succeeds)
set -u
mode=$1
seconds=$2
log="$CHAOS_DIR/effects.log"
now() { date +%s%3N; }
note() { echo "$(now) $1 $JOBNET_RUN_ID $mode $JOBNET_ATTEMPT $$" >>"$log"; }
# A run id as one file name: '/' and '#' are the only characters of one that a file name cannot take well.
key=$(printf '%s' "$JOBNET_RUN_ID" | tr '/#' '%+')
# A command the killer's process list missed (forked at the instant its worker died) is
# stopped by that worker's reaper with SIGTERM to its group: its hold of a lock ends here.
trap 'note stopped; exit 143' TERM
note start
case $mode in
  fail-first)
    case $JOBNET_RUN_ID in
      *'#'*) ;;
      *) note fail; exit 3 ;;
    esac ;;
  delayed)
    first="$CHAOS_DIR/first/$key"
    [ -e "$first" ] || { now >"$first.new" && mv "$first.new" "$first"; }
    if [ $(( $(now) - $(cat "$first") )) -lt 6000 ]; then note fail; exit 5; fi ;;
esac
sleep "$seconds"
# mkdir is atomic: of two executions of one run, exactly one takes the effect.
if mkdir "$CHAOS_DIR/effects/$key" 2>/dev/null; then
  note effect
elif ! grep -q " effect $JOBNET_RUN_ID " "$log"; then
  # The effect was taken (its marker is there) by an execution killed before it could write its
  # line (a SIGKILL between mkdir and the append, seen once in 100 kills): the effect happened
  # once; this execution writes its record, marked as such, so the ledger does not count it lost.
  note effect
fi
note end
