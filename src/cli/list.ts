import type { Command } from 'commander';
import { jobKindOf } from '../catalog/schema/catalog-job-schema';
import type { Schedule } from '../catalog/schema/schedule-schema';
import { isoInZone } from '../planning/format-time';
import { consecutiveFailures, listRecentRuns } from '../visibility/list-recent-runs';
import { describeSchedule } from '../schedules/describe';
import { describeServerSchedule, scheduleIdOf } from '../sync/owned';
import type { CliContext } from './context';

export interface ListedEntry {
  name: string;
  kind: string;
  schedule: string | null;
  /** enabled | paused (with the note) | not synced | null when unscheduled. */
  state: string | null;
  lastRun: string | null;
  lastStatus: string | null;
  consecutiveFailures: number;
  nextRun: string | null;
}

/** batch_runner's `list`: every job and jobnet with what Temporal knows of it. */
export async function listCatalog(context: CliContext): Promise<ListedEntry[]> {
  const catalog = context.catalog();
  const client = await context.client();
  const entries: Array<{ name: string; kind: string; schedule?: Schedule }> = [
    ...Object.entries(catalog.jobs).map(([name, job]) => ({ name, kind: jobKindOf(job), schedule: job.schedule })),
    ...Object.entries(catalog.jobnets).map(([name, jobnet]) => ({ name, kind: 'jobnet', schedule: jobnet.schedule })),
  ];
  const listed: ListedEntry[] = [];
  for (const entry of entries) {
    const runs = await listRecentRuns(client, entry.name, 50);
    const server = entry.schedule ? await describeServerSchedule(client, scheduleIdOf(entry.name)) : undefined;
    const next = server?.info.nextActionTimes[0];
    listed.push({
      name: entry.name,
      kind: entry.kind,
      schedule: entry.schedule ? describeSchedule(entry.schedule, { timezone: catalog.timezone }) : null,
      state: !entry.schedule ? null : !server ? 'not synced' : server.state.paused ? `paused${server.state.note ? `: ${server.state.note}` : ''}` : 'enabled',
      lastRun: runs[0] ? isoInZone(runs[0].startTime, catalog.timezone) : null,
      lastStatus: runs[0]?.status ?? null,
      consecutiveFailures: consecutiveFailures(runs),
      nextRun: next && !server?.state.paused ? isoInZone(next, catalog.timezone) : null,
    });
  }
  return listed;
}

export function renderList(entries: readonly ListedEntry[]): string {
  const header = ['NAME', 'KIND', 'SCHEDULE', 'STATE', 'LAST RUN', 'STATUS', 'FAILS', 'NEXT RUN'];
  const rows = entries.map((e) => [
    e.name,
    e.kind,
    e.schedule ?? '-',
    e.state ?? '-',
    e.lastRun ?? '-',
    e.lastStatus ?? '-',
    String(e.consecutiveFailures),
    e.nextRun ?? '-',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function registerList(program: Command, context: () => CliContext): void {
  program
    .command('list')
    .description('every job and jobnet: kind, schedule, state, last run and status, consecutive failures, next run — read from Temporal')
    .action(async () => {
      const ctx = context();
      const entries = await listCatalog(ctx);
      if (ctx.options.json) ctx.json(entries);
      else ctx.output.out(renderList(entries));
    });
}
