/**
 * CPU time of processes and of the whole machine, read from Linux's /proc — for benchmarks
 * that want to say where the time of a run went (worker, server, or other programs on a
 * shared machine). On other systems every reading is null and the benches print no CPU
 * figures rather than wrong ones.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc's times; 100 on every Linux we run, asked once. */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcessCpu {
  /** The process's own user + system CPU, in ms. */
  ownMs: number;
  /** CPU of its children that exited and were waited for (spawned commands), in ms. */
  reapedChildrenMs: number;
  /** CPU of its descendants still alive now (the reaper, a command in flight), in ms. */
  liveDescendantsMs: number;
}

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** utime, stime, cutime, cstime of /proc/<pid>/stat in ms; the command name may hold spaces, so fields count after its ")". */
function statTimes(pid: number): { own: number; reaped: number } | null {
  const stat = readOrNull(`/proc/${pid}/stat`);
  if (stat === null) return null;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name: state is field 3 of stat(5), so utime (field 14) is index 11 here.
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number) as [number, number, number, number];
  const ms = 1000 / TICKS_PER_SECOND;
  return { own: (utime + stime) * ms, reaped: (cutime + cstime) * ms };
}

function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const task of tasks) {
    const list = readOrNull(`/proc/${pid}/task/${task}/children`);
    if (list !== null) children.push(...list.trim().split(/\s+/).filter(Boolean).map(Number));
  }
  return children;
}

/** The CPU a process and its descendants have used so far; null when /proc has no such process. */
export function processCpu(pid: number): ProcessCpu | null {
  const self = statTimes(pid);
  if (self === null) return null;
  let live = 0;
  const pending = childrenOf(pid);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const times = statTimes(next);
    if (times === null) continue;
    live += times.own + times.reaped;
    pending.push(...childrenOf(next));
  }
  return { ownMs: self.own, reapedChildrenMs: self.reaped, liveDescendantsMs: live };
}

/**
 * The CPU of several processes together (a cluster's nodes; a shape's worker processes); null
 * when there are none, or /proc cannot say for one of them (unknown or gone).
 */
export function processesCpu(pids: readonly (number | undefined)[]): ProcessCpu | null {
  const readings = pids.map((pid) => (pid === undefined ? null : processCpu(pid)));
  if (readings.length === 0 || readings.some((reading) => reading === null)) return null;
  return readings.reduce((sum, reading) => ({
    ownMs: sum!.ownMs + reading!.ownMs,
    reapedChildrenMs: sum!.reapedChildrenMs + reading!.reapedChildrenMs,
    liveDescendantsMs: sum!.liveDescendantsMs + reading!.liveDescendantsMs,
  }));
}

/**
 * Busy CPU time of the whole machine (all cores, all processes), in ms: user, nice, system and
 * interrupts — not idle, iowait, or steal (time the hypervisor gave to other guests).
 */
export function machineBusyMs(): number | null {
  const stat = readOrNull('/proc/stat');
  const line = stat?.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) return null;
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq) * (1000 / TICKS_PER_SECOND);
}
