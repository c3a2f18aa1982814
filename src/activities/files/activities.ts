import { Context } from '@temporalio/activity';
import { z } from 'zod';
import { fileImportSchema, fileWaitSchema } from '../../catalog/schema/job-kinds';
import { parseActivityArgs } from '../activity-args';
import type { JobActivityInput, JobActivityOutcome } from '../job-activity';
import { activityProgress } from '../progress';
import { importFiles } from './file-import';
import { waitForFiles } from './file-wait';
import { fileRoots } from './roots';

/**
 * The catalog kinds `fileWait` and `fileImport` as job activities: their `args` are the
 * kind's settings (durations as "<n>ms"), paths relative to the worker's working directory and
 * confined to its file roots (JOBNET_FILE_ROOTS).
 */

/** The catalog's settings, plus what the activity accepts ahead of the catalog schema. */
const fileImportArgsSchema = fileImportSchema.extend({
  minFiles: z.int().min(0).default(1),
});

export async function fileWait(input: JobActivityInput): Promise<JobActivityOutcome> {
  const args = parseActivityArgs('fileWait', fileWaitSchema, input.args);
  const context = Context.current();
  // A retried attempt (the worker was lost) goes on with the first attempt's clock.
  const previous = context.info.heartbeatDetails as { waitingSince?: number } | undefined;
  const waitingSince = typeof previous?.waitingSince === 'number' ? previous.waitingSince : Date.now();
  const report = activityProgress();
  const result = await waitForFiles(
    { path: args.path, pollInterval: args.pollInterval, stableFor: args.stableFor, maxWait: args.maxWait, roots: fileRoots() },
    {
      waitingSince,
      sleep: (ms) => context.sleep(ms),
      progress: (progress) => report({ ...progress, waitingSince }),
    },
  ).finally(report.stop);
  const listed = result.files.map((file) => `${file.name} (${file.size} bytes)`).join(', ');
  return { recordCount: result.files.length, output: `${listed} after ${Math.round(result.waitedMs / 1000)} s` };
}

export async function fileImport(input: JobActivityInput): Promise<JobActivityOutcome> {
  const args = parseActivityArgs('fileImport', fileImportArgsSchema, input.args);
  const context = Context.current();
  const progress = activityProgress({ logEveryMs: 5_000 });
  const result = await importFiles(
    { from: args.from, to: args.to, skipExisting: args.skipExisting, minFiles: args.minFiles, runKey: input.runKey, roots: fileRoots() },
    { progress, signal: context.cancellationSignal },
  ).finally(progress.stop);
  const parts = [
    `imported ${result.imported.length}${result.imported.length ? ` (${result.imported.join(', ')})` : ''}`,
    `skipped ${result.skipped.length} already imported`,
    ...(result.removedParts ? [`removed ${result.removedParts} partial file(s) of an interrupted import`] : []),
  ];
  return { recordCount: result.imported.length + result.skipped.length, output: `${args.to}: ${parts.join(', ')}` };
}
