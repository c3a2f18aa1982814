/**
 * The process reaper: a tiny companion process of each worker, so that a command never
 * outlives its worker. The worker writes "+<pgid>" when it starts a command and "-<pgid>" when
 * the command has ended. When the worker dies — even by SIGKILL, which it cannot catch — the
 * pipe closes, and the reaper kills every process group still registered, then exits.
 *
 * It runs in its own process group, so a Ctrl-C meant for the worker does not reach it first.
 */
import { createInterface } from 'node:readline';
import { killProcessTree } from './process-tree';

const GRACE_MS = Number(process.env.JOBNET_REAPER_GRACE_MS ?? 5_000);
const tracked = new Set<number>();

// The worker decides when we stop: only the end of our stdin does.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const pgid = Number(line.slice(1));
  if (!Number.isInteger(pgid) || pgid <= 0) return;
  if (line.startsWith('+')) tracked.add(pgid);
  else if (line.startsWith('-')) tracked.delete(pgid);
});
lines.on('close', () => {
  if (tracked.size > 0) {
    process.stderr.write(`jobnet reaper: worker ${process.ppid === 1 ? 'gone' : 'stopping'}; stopping process group(s) ${[...tracked].join(', ')}\n`);
  }
  // killProcessTree's timers do not hold a process open; this does, until every group is gone
  // (a command that ignores TERM must still get its KILL after the grace).
  const keepAlive = setInterval(() => undefined, 1_000);
  void Promise.allSettled([...tracked].map((pgid) => killProcessTree(pgid, GRACE_MS))).finally(() => {
    clearInterval(keepAlive);
    process.exit(0);
  });
});
