import { z } from 'zod';

/**
 * The contract between jobWorkflow and a TypeScript activity that does a job's work (catalog
 * kinds `activity`, `fileWait`, `fileImport`): one input, one outcome, for every such activity.
 *
 * `runKey` identifies the run (the workflow id of the job run: `<job>@<business date>`, or
 * `<jobnet run>/<step>`); an activity keys every effect to it (idempotency table row, import
 * manifest entry) so a retried attempt never does its work twice. A `--force` rerun has a new
 * workflow id, hence a new key, and does the work again on purpose.
 */
export const jobActivityInputSchema = z.object({
  /** The job's `args` from the catalog (for fileWait/fileImport: the kind's own settings). */
  args: z.record(z.string(), z.unknown()).default({}),
  jobName: z.string(),
  businessDate: z.string(),
  runKey: z.string(),
});

export const jobActivityOutcomeSchema = z.object({
  /** Records processed; becomes the RecordCount search attribute and the run log's record_count. */
  recordCount: z.number().int().nonnegative().optional(),
  /** A short human summary; becomes the run's output. */
  output: z.string().optional(),
});

export type JobActivityInput = z.input<typeof jobActivityInputSchema>;
export type JobActivityOutcome = z.infer<typeof jobActivityOutcomeSchema>;
