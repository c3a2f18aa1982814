import type { Command } from 'commander';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { durationToMs } from '../time/duration';
import { jobNameSchema } from '../catalog/schema/job-schema';
import { InvalidInputError, parseOrThrow } from '../validation/validation-error';
import { aggregateRuns, dayOf, MEAN_DURATION_DAYS, type ReportData } from '../report/aggregate';
import { listReportRuns } from '../visibility/list-report-runs';
import { renderReportHtml } from '../report/render-html';
import { addDays, isIsoDate } from '../time/plain-date';
import type { CliContext } from './context';

/** The first business date of the report: `--since` as a date, or that long before today. */
export function sinceDate(since: string, now: Date): string {
  if (isIsoDate(since)) return since;
  const ms = durationToMs(since);
  if (ms === undefined || ms <= 0) {
    throw new InvalidInputError([{ path: '--since', message: `"${since}" is neither a date (YYYY-MM-DD) nor a duration (90d, 12h, …)` }], 'arguments');
  }
  return new Date(now.getTime() - ms).toISOString().slice(0, 10);
}

export interface ReportOptions {
  job?: string;
  since: string;
  output: string;
}

/** Reads the runs from Temporal, writes the HTML file, returns its figures. */
export async function writeReport(ctx: CliContext, options: ReportOptions, now = new Date()): Promise<{ file: string; data: ReportData }> {
  const job = options.job === undefined ? undefined : parseOrThrow(jobNameSchema, options.job, '--job');
  const from = sinceDate(options.since, now);
  const today = now.toISOString().slice(0, 10);
  if (from > today) throw new InvalidInputError([{ path: '--since', message: `${from} is in the future` }], 'arguments');
  const file = path.resolve(options.output);

  const client = await ctx.client();
  ctx.output.err(`reading runs${job ? ` of ${job}` : ''} from Temporal (business dates from ${from}; 30 days before for the mean durations)…`);
  // A run's business date is never after the day it starts (in any zone, a day of slack).
  const startedAfter = new Date(Date.parse(`${addDays(from, -MEAN_DURATION_DAYS - 1)}T00:00:00Z`));
  const runs = await listReportRuns(client, { startedAfter, job, onProgress: (count) => ctx.output.err(`  ${count} runs…`) });
  // Business dates are in the catalog's zone and may be ahead of UTC: the report ends on the later day.
  const to = runs.map(dayOf).reduce((latest, day) => (day > latest ? day : latest), today);
  const data = aggregateRuns(runs, { from, to, job, generatedAt: now });

  const html = renderReportHtml(data);
  await fs.mkdir(path.dirname(file), { recursive: true });
  // Written whole, then renamed: a browser or a mailer never picks up half a file.
  const partial = `${file}.${process.pid}.partial`;
  await fs.writeFile(partial, html, 'utf8');
  await fs.rename(partial, file);
  ctx.output.err(
    `${data.totals.runs} runs of ${data.jobs.length} job${data.jobs.length === 1 ? '' : 's'} from ${data.from} to ${data.to}` +
      (runs.length === 0 ? ' (no runs: the charts are empty)' : '') +
      `; wrote ${file} (${Math.round(html.length / 1024)} KiB)`,
  );
  return { file, data };
}

export function registerReport(program: Command, context: () => CliContext): void {
  program
    .command('report')
    .description('an HTML report of the runs (per day, mean duration over 30 days, failure rate per month, records per week), from Temporal')
    .option('--job <name>', 'only this job')
    .option('--since <date|duration>', 'first business date (YYYY-MM-DD), or how far back (e.g. 90d)', '90d')
    .option('-o, --output <file>', 'the HTML file to write (self-contained, opens offline)', 'jobnet-report.html')
    .action(async (options: ReportOptions) => {
      const ctx = context();
      const { file, data } = await writeReport(ctx, options);
      if (ctx.options.json) ctx.json({ file, ...data });
    });
}
