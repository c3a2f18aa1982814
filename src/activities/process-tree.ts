import { execFile } from 'node:child_process';

/**
 * Stopping a command means stopping everything it started. Commands are spawned as leaders of
 * their own process group (POSIX) so one signal reaches children and grandchildren alike.
 */

function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    // ESRCH: the whole group is already gone, which is what we wanted.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

export function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** TERM, then KILL after `graceMs` if anything of the group is left; resolves when it is gone. */
export async function killProcessTree(pgid: number, graceMs: number): Promise<void> {
  if (process.platform === 'win32') {
    // No process groups on Windows: taskkill walks the tree from the root process.
    await new Promise<void>((resolve) => execFile('taskkill', ['/T', '/F', '/PID', String(pgid)], () => resolve()));
    return;
  }
  if (!signalGroup(pgid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await sleep(Math.min(100, graceMs));
    if (!processGroupAlive(pgid)) return;
  }
  signalGroup(pgid, 'SIGKILL');
  // SIGKILL cannot be ignored; give the kernel a moment to reap before we report "gone".
  for (let i = 0; i < 50 && processGroupAlive(pgid); i++) await sleep(20);
}
