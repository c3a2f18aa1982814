/**
 * Workflow interceptors (bundled into the workflow code, see worker-setup.ts): a call whose
 * payloads no key holder wrote — the worker's codec turned them into an untrusted marker — is
 * refused before any workflow code sees it. A start fails the run, non-retryable, with
 * `UntrustedPayload`, so nothing is scheduled; a signal is dropped (an outsider must not be able
 * to fail a run by signalling it); an update or query is answered with the refusal.
 */
import { ApplicationFailure, log, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { UNTRUSTED_PAYLOAD, isUntrusted, untrustedReason } from '../codec/untrusted';

/**
 * Activities whose one caller checks the result itself (with `untrustedResult`), so the
 * interceptor adds no `then` of its own: the fan-out's batches (fanout.ts), whose promise is
 * the per-partition path — with one key per batch, a promise less per partition — and a job's
 * attempts (job-runner.ts's runSeries), every step's path.
 */
export const RESULT_CHECKED_BY_CALLER: ReadonlySet<string> = new Set(['runPartitions', 'runCommand', 'runJobActivity']);

/** The refusal of an activity result no worker of ours wrote, or undefined when it is ours. */
export function untrustedResult(result: unknown, activityType: string): ApplicationFailure | undefined {
  return isUntrusted(result) ? refusal(`result of activity ${activityType}`, result.jobnetUntrustedPayload) : undefined;
}

function refusal(what: string, reason: string): ApplicationFailure {
  return ApplicationFailure.create({ type: UNTRUSTED_PAYLOAD, message: `${what} refused: ${reason}`, nonRetryable: true });
}

function trusted(result: unknown, what: string): unknown {
  if (isUntrusted(result)) throw refusal(what, result.jobnetUntrustedPayload);
  return result;
}

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      async execute(input, next) {
        const reason = untrustedReason(input.args);
        if (reason !== undefined) throw refusal('workflow input', reason);
        return next(input);
      },
      async handleSignal(input, next) {
        const reason = untrustedReason(input.args);
        if (reason === undefined) return next(input);
        log.warn(`signal ${input.signalName} ignored: ${reason}`, { signal: input.signalName, errorType: UNTRUSTED_PAYLOAD });
      },
      validateUpdate(input, next) {
        const reason = untrustedReason(input.args);
        if (reason !== undefined) throw refusal(`update ${input.name}`, reason);
        next(input);
      },
      async handleUpdate(input, next) {
        const reason = untrustedReason(input.args);
        if (reason !== undefined) throw refusal(`update ${input.name}`, reason);
        return next(input);
      },
      async handleQuery(input, next) {
        const reason = untrustedReason(input.args);
        if (reason !== undefined) throw refusal(`query ${input.queryName}`, reason);
        return next(input);
      },
    },
  ],
  outbound: [
    {
      // An activity result no worker of ours wrote (a forged completion) is refused as well.
      // Not `async`: every promise a workflow makes costs a stack trace (the SDK's promise hook),
      // and an activity's path is the hot one — one `then` here, not an async frame and an await.
      scheduleActivity(input, next) {
        if (RESULT_CHECKED_BY_CALLER.has(input.activityType)) return next(input);
        return next(input).then((result) => trusted(result, `result of activity ${input.activityType}`));
      },
      scheduleLocalActivity(input, next) {
        return next(input).then((result) => trusted(result, `result of local activity ${input.activityType}`));
      },
    },
  ],
});
