/**
 * The activity jobnet's side of `bench:fanout` runs per partition: the body of the floor's
 * `sleepMs` (scripts/floor/activities.ts) — wait `args.ms`, report nothing — so that jobnet ÷
 * floor compares what each does around the same work. (The examples' `simulatedCall` also checks
 * its arguments with zod and reports a record count: the work of a well-behaved user activity,
 * which the floor's activity does not do.)
 */
import type { JobActivityInput, JobActivityOutcome } from '../../src/activities/job-activity';

export async function benchSleep(input: JobActivityInput): Promise<JobActivityOutcome> {
  await new Promise((resolve) => setTimeout(resolve, Number(input.args?.ms ?? 0)));
  return {};
}
