import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { businessDateAt } from '../catalog/business-date';
import { DEFAULT_QUEUE } from '../catalog/catalog-schema';
import { fanoutRunInput, fanoutRunSchema, type FanoutRun, type FanoutRunInput } from '../catalog/fanout-input';
import { businessDateSchema } from '../catalog/job-schema';
import { jobRouting } from '../catalog/run-routing';
import { InvalidInputError, parseOrThrow } from '../catalog/validation-error';
import { BusinessDate, JobName, JobStatus } from '../search-attributes';
import { triggerWorkflow } from '../trigger';
import { fanoutStatusLines } from '../workflows/fanout-definitions';
import type { FanoutResult } from '../contracts/fanout';
import { runSummary } from '../contracts/run-summary';
import { RunFailedError, type CliContext } from './context';
import type { fanoutWorkflow } from '../workflows';

/**
 * Starting fan-out runs and their retry rounds from a client (CLI, tests, scripts): the same
 * id rules as a job (`<job>@<business date>`, one per date unless forced), and `retry-partitions`
 * as a new execution of the same workflow id that runs only the failed keys.
 */

export async function triggerFanout(
  client: Client,
  request: { input: FanoutRunInput; taskQueue: string; force?: boolean; now?: Date; description?: string },
): Promise<{ handle: WorkflowHandle<typeof fanoutWorkflow>; started: boolean }> {
  // Checked here, before anything starts; the run takes the parsed values (durations in ms, defaults filled).
  const input = parseOrThrow(fanoutRunSchema, request.input, 'fan-out run');
  return triggerWorkflow<typeof fanoutWorkflow>(client, { ...request, workflowType: 'fanoutWorkflow', name: input.name, businessDate: input.businessDate, args: [input] });
}

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
    if (error.name === 'WorkflowNotFoundError') throw new InvalidInputError([{ path: workflowId, message: 'no such run (a fan-out run id looks like <job>@<YYYY-MM-DD>)' }], 'arguments');
    throw error;
  });
  if (description.type !== 'fanoutWorkflow') {
    throw new InvalidInputError([{ path: workflowId, message: `is a ${description.type} run, not a fan-out` }], 'arguments');
  }
  if (description.status.name === 'RUNNING') {
    throw new InvalidInputError([{ path: workflowId, message: 'is still running; retry its partitions once it has ended' }], 'arguments');
  }
  const result = await fanoutOutcome(handle).catch(() => {
    throw new InvalidInputError([{ path: workflowId, message: `ended ${description.status.name.toLowerCase()} without a fan-out result; start it again with jobnet run --force` }], 'arguments');
  });
  const failed = new Map(result.failedPartitions.map((failure) => [failure.key, failure]));
  let chosen: string[];
  if ('failed' in selection) {
    chosen = [...failed.keys()];
    if (chosen.length === 0) throw new InvalidInputError([{ path: workflowId, message: `has no failed partitions (${result.succeeded} of ${result.total ?? result.seen} succeeded)` }], 'arguments');
  } else {
    const problems = [...new Set(selection.keys)].flatMap((key) =>
      failed.has(key) ? [] : [{ path: `--keys ${key}`, message: result.failuresNotKept > 0 ? 'is not among the failed partitions listed by the run' : 'did not fail in this run (succeeded partitions are never run again)' }],
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
        failures: result.failedPartitions.filter((failure) => !chosenSet.has(failure.key)).map(({ key, attempt, errorType, error }) => ({ key, attempt, errorType, error })),
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

/**
 * `jobnet run <fanout job>`: the fan-out's run for today's (or the given) business date, on
 * the catalog's default queue (its partitions run on the fan-out's own `queue`). With `wait`,
 * prints the summary; a run that did not fully succeed is exit code 1.
 */
export async function startCatalogFanout(context: CliContext, name: string, options: { date?: string; force?: boolean; wait?: boolean }): Promise<void> {
  const catalog = context.catalog();
  const job = catalog.jobs[name];
  if (job === undefined) throw new InvalidInputError([{ path: name, message: `no job "${name}" in ${context.catalogFile}` }], 'arguments');
  const businessDate = options.date ? parseOrThrow(businessDateSchema, options.date, '--date') : businessDateAt(new Date(), catalog.timezone, catalog.dayBoundary);
  const input = fanoutRunInput(catalog, job, name, businessDate, process.env, jobRouting(catalog, name, job, { routeEvents: true }));
  const client = await context.client();
  const { handle, started } = await triggerFanout(client, { input, taskQueue: catalog.defaults.queue ?? DEFAULT_QUEUE, force: options.force, description: job.description });
  context.output.err(
    started ? `started ${handle.workflowId}` : `${handle.workflowId} exists already for this business date; not started again (--force starts another run)`,
  );
  if (!options.wait) {
    if (context.options.json) context.json({ workflowId: handle.workflowId, started });
    return;
  }
  const result = await fanoutOutcome(handle);
  if (context.options.json) context.json(result);
  else context.output.out(fanoutStatusLines(result).join('\n'));
  if (result.status !== 'success') throw new RunFailedError(`${handle.workflowId} ended ${result.status}`);
}
