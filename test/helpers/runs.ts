import { jobRunInputSchema, jobSpecSchema, type JobRunInput, type JobSpecInput } from '../../src/catalog/schema/job-schema';
import type { JobRun, JobSpec } from '../../src/contracts/job';

/**
 * Run inputs carry parsed values (durations in milliseconds, defaults filled), as jobnet's own
 * clients send them. Tests write jobs as in the catalog (`timeout: '1m'`) and parse them here.
 */
export const jobRun = (input: JobRunInput): JobRun => jobRunInputSchema.parse(input);
export const jobSpec = (input: JobSpecInput): JobSpec => jobSpecSchema.parse(input);
