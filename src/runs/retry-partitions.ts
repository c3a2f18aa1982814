import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FanoutRun } from '../catalog/compile/fanout-input';
import { InvalidInputError } from '../validation/validation-error';
import type { FanoutResult } from '../contracts/fanout';
import { runSummary } from '../contracts/run-summary';
import { BusinessDate, JobName, JobStatus } from '../contracts/search-attributes';
import type { fanoutWorkflow } from '../workflows';

/**
 * A fan-out run's outcome, and `retry-partitions`: a new execution of the same workflow id
 * that runs only the failed keys.
 */

/** The result of a finished fan-out run, also when it ended partial or error (then from the failure's details). */
export async function fanoutOutcome(handle: WorkflowHandle): Promise<FanoutResult> {
  try {
    return (await handle.result()) as FanoutResult;
  } catch (error) {
    if (error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure && isFanoutResult(error.cause.details?.[0])) {
      return error.cause.details?.[0] as FanoutResult;
    }
    throw error;
  }
}

function isFanoutResult(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'failedPartitions' in value && 'input' in value;
}

export type PartitionSelection = { failed: true } | { keys: string[] };

/**
 * Reruns failed partitions of a finished fan-out run as a new round of the same workflow id:
 * each key as `<run>/<key>#<next attempt>`, the partitions that succeeded counted and never
 * run again. Only failed keys may be named; anything else is bad input and nothing starts.
 */
export async function retryPartitions(
  client: Client,
  workflowId: string,
  selection: PartitionSelection,
): Promise<{ handle: WorkflowHandle<typeof fanoutWorkflow>; keys: { key: string; attempt: number }[]; notListed: number }> {
  const handle = client.workflow.getHandle<typeof fanoutWorkflow>(workflowId);
  const description = await handle.describe().catch((error: Error) => {
    if (error.name === 'WorkflowNotFoundError')
      throw new InvalidInputError([{ path: workflowId, message: 'no such run (a fan-out run id looks like <job>@<YYYY-MM-DD>)' }], 'arguments');
    throw error;
  });
  if (description.type !== 'fanoutWorkflow') {
    throw new InvalidInputError([{ path: workflowId, message: `is a ${description.type} run, not a fan-out` }], 'arguments');
  }
  if (description.status.name === 'RUNNING') {
    throw new InvalidInputError([{ path: workflowId, message: 'is still running; retry its partitions once it has ended' }], 'arguments');
  }
  const result = await fanoutOutcome(handle).catch(() => {
    throw new InvalidInputError(
      [{ path: workflowId, message: `ended ${description.status.name.toLowerCase()} without a fan-out result; start it again with jobnet run --force` }],
      'arguments',
    );
  });
  const failed = new Map(result.failedPartitions.map((failure) => [failure.key, failure]));
  let chosen: string[];
  if ('failed' in selection) {
    chosen = [...failed.keys()];
    if (chosen.length === 0)
      throw new InvalidInputError(
        [{ path: workflowId, message: `has no failed partitions (${result.succeeded} of ${result.total ?? result.seen} succeeded)` }],
        'arguments',
      );
  } else {
    const problems = [...new Set(selection.keys)].flatMap((key) =>
      failed.has(key)
        ? []
        : [
            {
              path: `--keys ${key}`,
              message:
                result.failuresNotKept > 0
                  ? 'is not among the failed partitions listed by the run'
                  : 'did not fail in this run (succeeded partitions are never run again)',
            },
          ],
    );
    if (problems.length > 0) throw new InvalidInputError(problems, 'arguments');
    chosen = [...new Set(selection.keys)];
  }
  const keys = chosen.map((key) => ({ key, attempt: failed.get(key)!.attempt + 1 }));
  const chosenSet = new Set(chosen);
  const input: FanoutRun = {
    ...result.input,
    retry: {
      keys,
      previous: {
        total: result.total ?? result.seen,
        succeeded: result.succeeded,
        failures: result.failedPartitions
          .filter((failure) => !chosenSet.has(failure.key))
          .map(({ key, attempt, errorType, error }) => ({ key, attempt, errorType, error })),
        failuresNotKept: result.failuresNotKept,
        startTime: result.startTime,
      },
    },
  };
  const started = await client.workflow.start<typeof fanoutWorkflow>('fanoutWorkflow', {
    taskQueue: description.taskQueue,
    workflowId,
    args: [input],
    // A new round of the same run: allowed only after a run that did not succeed.
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
    staticSummary: runSummary({ name: result.name, description: `retry of ${keys.length} failed partition${keys.length === 1 ? '' : 's'}`, workflowId }),
    typedSearchAttributes: [
      { key: JobName, value: result.name },
      { key: BusinessDate, value: result.businessDate },
      { key: JobStatus, value: 'running' },
    ],
  });
  return { handle: started, keys, notListed: 'failed' in selection ? result.failuresNotKept : 0 };
}
