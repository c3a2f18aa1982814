/**
 * The process reaper: a tiny companion process of each worker, so that a command never
 * outlives its worker — and the one that starts the worker's commands.
 *
 * Reaping: the reaper registers each command's process group when it starts it, and the worker
 * deregisters it when the command has ended ("untrack"). When the worker dies — even by SIGKILL, which it cannot
 * catch — the IPC channel closes, and the reaper kills every process group still registered,
 * then exits.
 *
 * Launching: a process forks to start a program, and forking costs in proportion to the
 * memory it maps — from a worker of 500 MB, 10–20 ms of blocked event loop per command, from
 * this small process 2–3 ms (`npm run bench:jobnet`). So the worker asks, and the reaper spawns
 * the command (own process group, output piped), tracks it at once, and streams its output and
 * exit back.
 *
 * It runs in its own process group, so a Ctrl-C meant for the worker does not reach it first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { killProcessTree } from './process-tree';
import type { LauncherReply, LauncherRequest } from './launcher-protocol';

const GRACE_MS = Number(process.env.JOBNET_REAPER_GRACE_MS ?? 5_000);
const tracked = new Set<number>();
const launched = new Map<number, ChildProcess>();

// The worker decides when we stop: only the end of our channel does.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);

const reply = (message: LauncherReply) => {
  if (process.connected) process.send?.(message);
};

function launch(request: Extract<LauncherRequest, { t: 'launch' }>): void {
  const { id } = request;
  let child: ChildProcess;
  try {
    child = spawn(request.argv[0]!, request.argv.slice(1), {
      cwd: request.cwd,
      env: request.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Leader of its own process group, so that one signal stops the whole tree.
      detached: true,
      windowsHide: true,
    });
  } catch (error) {
    reply({ t: 'error', id, message: (error as Error).message, code: (error as NodeJS.ErrnoException).code });
    return;
  }
  launched.set(id, child);
  if (child.pid !== undefined) tracked.add(child.pid);
  reply({ t: 'spawned', id, pid: child.pid });
  child.stdout!.on('data', (data: Buffer) => reply({ t: 'out', id, data }));
  child.stderr!.on('data', (data: Buffer) => reply({ t: 'err', id, data }));
  child.once('error', (error: NodeJS.ErrnoException) => reply({ t: 'error', id, message: error.message, code: error.code }));
  child.once('exit', (code, signal) => reply({ t: 'exit', id, code, signal }));
  child.once('close', () => {
    launched.delete(id);
    reply({ t: 'close', id });
  });
}

process.on('message', (message: LauncherRequest) => {
  switch (message.t) {
    case 'launch':
      return launch(message);
    case 'untrack':
      return void tracked.delete(message.pgid);
    case 'abandon': {
      // The command is over but something holds its pipes open: stop reading them.
      const child = launched.get(message.id);
      child?.stdout?.destroy();
      child?.stderr?.destroy();
      return;
    }
  }
});

process.on('disconnect', () => {
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
