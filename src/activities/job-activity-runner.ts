import { ApplicationFailure, Context } from '@temporalio/activity';
import { THIS_HOST } from './this-host';
import type { CommandOutcome } from './command';
import { resolveArgs } from './host-command';
import { jobActivityOutcomeSchema, type JobActivityInput, type JobActivityOutcome } from './job-activity';

type JobActivity = (input: JobActivityInput) => Promise<JobActivityOutcome>;

/**
 * Runs the TypeScript activity of an `activity`, `fileWait` or `fileImport` job and reports it
 * as a command's outcome (attempt, host, record count, output), so jobWorkflow's retry ladder,
 * run log and search attributes treat every kind alike. The activity runs in this activity's
 * own context: its heartbeats and cancellation are this attempt's.
 *
 * `registry` is what the worker registered (src/activities/registry.ts), looked up when called.
 */
export function makeRunJobActivity(registry: () => Record<string, unknown>) {
  return async function runJobActivity(request: { activity: string; input: JobActivityInput }): Promise<CommandOutcome> {
    const { info } = Context.current();
    const started = Date.now();
    const fn = registry()[request.activity];
    if (typeof fn !== 'function' || request.activity === 'runJobActivity') {
      throw ApplicationFailure.nonRetryable(`no activity "${request.activity}" is registered in this worker`, 'UnknownActivity');
    }
    const details = () => ({
      exitCode: null,
      signal: null,
      stdout: '',
      stderr: '',
      durationMs: Date.now() - started,
      attempt: info.attempt,
      host: THIS_HOST,
    });
    // `${VAR}`s in the args are resolved here, on this host, and masked in what the attempt reports.
    const host = resolveArgs(request.input.args, request.input.jobName);
    try {
      const outcome = jobActivityOutcomeSchema.parse(await (fn as JobActivity)({ ...request.input, args: host.args }));
      return { ...details(), stdout: host.mask(outcome.output ?? ''), ...(outcome.recordCount === undefined ? {} : { recordCount: outcome.recordCount }) };
    } catch (error) {
      throw maskedActivityFailure(error, host.mask, details());
    }
  };
}

/**
 * A job activity's error as its attempt reports it: the activity's own error type and
 * retryability, its message and stack masked, the attempt's facts attached. A new failure, not
 * the activity's own as a cause: its message and stack may quote a secret.
 */
export function maskedActivityFailure(error: unknown, mask: (text: string) => string, facts: object): ApplicationFailure {
  const failure = error instanceof Error ? error : new Error(String(error));
  const type = failure instanceof ApplicationFailure ? (failure.type ?? 'Error') : failure.name;
  const nonRetryable = failure instanceof ApplicationFailure ? failure.nonRetryable === true : false;
  return ApplicationFailure.create({
    message: mask(failure.message),
    type,
    nonRetryable,
    details: [{ ...facts, stderr: mask(failure.stack ?? failure.message) }],
  });
}
