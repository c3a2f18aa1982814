import { ApplicationFailure, Context } from '@temporalio/activity';
import os from 'node:os';
import type { CommandOutcome } from './command';
import { jobActivityOutcomeSchema, type JobActivityInput, type JobActivityOutcome } from './job-activity';

type JobActivity = (input: JobActivityInput) => Promise<JobActivityOutcome>;

/**
 * Runs the TypeScript activity of an `activity`, `fileWait` or `fileImport` job and reports it
 * as a command's outcome (attempt, host, record count, output), so jobWorkflow's retry ladder,
 * run log and search attributes treat every kind alike. The activity runs in this activity's
 * own context: its heartbeats and cancellation are this attempt's.
 *
 * `registry` is what the worker registered (src/activities/index.ts), looked up when called.
 */
export function makeRunJobActivity(registry: () => Record<string, unknown>) {
  return async function runJobActivity(request: { activity: string; input: JobActivityInput }): Promise<CommandOutcome> {
    const { info } = Context.current();
    const started = Date.now();
    const fn = registry()[request.activity];
    if (typeof fn !== 'function' || request.activity === 'runJobActivity') {
      throw ApplicationFailure.nonRetryable(`no activity "${request.activity}" is registered in this worker`, 'UnknownActivity');
    }
    const details = () => ({ exitCode: null, signal: null, stdout: '', stderr: '', durationMs: Date.now() - started, attempt: info.attempt, host: os.hostname() });
    try {
      const outcome = jobActivityOutcomeSchema.parse(await (fn as JobActivity)(request.input));
      return { ...details(), stdout: outcome.output ?? '', ...(outcome.recordCount === undefined ? {} : { recordCount: outcome.recordCount }) };
    } catch (error) {
      // Keep the activity's own error type and retryability, with the attempt's facts attached.
      const failure = error instanceof Error ? error : new Error(String(error));
      const type = failure instanceof ApplicationFailure ? (failure.type ?? 'Error') : failure.name;
      const nonRetryable = failure instanceof ApplicationFailure ? failure.nonRetryable === true : false;
      throw ApplicationFailure.create({ message: failure.message, type, nonRetryable, details: [{ ...details(), stderr: failure.stack ?? failure.message }], cause: failure });
    }
  };
}
