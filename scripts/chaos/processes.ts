/**
 * Which processes run under a worker (Linux /proc): the killer records the commands a worker
 * kill takes down, so the ledger knows which attempts it interrupted and when they ended.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Parent pid of every process, from /proc/<pid>/stat (its 4th field, after the command's parentheses). */
function parents(): Map<number, number> {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // The process ended while we read.
    }
  }
  return parentOf;
}

/** Every process below `root` (children, their children, …). */
export function descendants(root: number): number[] {
  const parentOf = parents();
  const found: number[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const pid = frontier.pop()!;
    for (const [child, parent] of parentOf) {
      if (parent === pid) {
        found.push(child);
        frontier.push(child);
      }
    }
  }
  return found;
}
