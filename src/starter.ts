/**
 * `npm run start -- <job | jobWorkflow> [json input] [--date YYYY-MM-DD] [--wait] [--force]`
 *
 * Triggers one run: a job of the catalog by name, or a workflow type with its JSON input.
 * With --wait, prints the result as JSON and exits 0 on success, 1 when the run failed.
 */
import { Command } from 'commander';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { businessDateAt } from './catalog/business-date';
import { DEFAULT_QUEUE } from './catalog/catalog-schema';
import { jobRunInputSchema, type JobRunInput } from './catalog/job-schema';
import { catalogPath, loadCatalog } from './catalog/load';
import { InvalidInputError, parseOrThrow } from './catalog/validation-error';
import { connectClient } from './client';
import { ExitCode, temporalTarget } from './connection';
import { triggerJob } from './trigger';

const program = new Command('jobnet-start')
  .description('Start a job of the catalog, or a workflow type with its JSON input.')
  .argument('<target>', 'a job name from the catalog, or "jobWorkflow"')
  .argument('[input]', 'JSON input when <target> is a workflow type')
  .option('-c, --catalog <file>', 'catalog file (default: $JOBNET_CATALOG or ./jobnet.yaml)')
  .option('--date <YYYY-MM-DD>', 'business date (default: today in the catalog time zone)')
  .option('--force', 'start another run even if one exists for this business date')
  .option('--wait', 'wait for the run to finish and print its result')
  .option('--address <host:port>', 'Temporal frontend (default: TEMPORAL_ADDRESS or localhost:7233)')
  .option('--namespace <name>', 'Temporal namespace (default: TEMPORAL_NAMESPACE or default)');

type Options = { catalog?: string; date?: string; force?: boolean; wait?: boolean; address?: string; namespace?: string };

/** The run input for a workflow type given as JSON, or for a catalog job given by name. */
function runInput(target: string, json: string | undefined, options: Options): { input: JobRunInput; taskQueue: string } {
  if (target === 'jobWorkflow') {
    if (!json) throw new InvalidInputError([{ path: '(input)', message: 'jobWorkflow needs its JSON input' }], 'arguments');
    let input: unknown;
    try {
      input = JSON.parse(json);
    } catch (error) {
      throw new InvalidInputError([{ path: '(input)', message: `not JSON: ${(error as Error).message}` }], 'arguments');
    }
    // Checked here, before any connection: bad input starts nothing.
    parseOrThrow(jobRunInputSchema, input, 'jobWorkflow input');
    return { input: input as JobRunInput, taskQueue: DEFAULT_QUEUE };
  }
  const file = catalogPath(options.catalog);
  const catalog = loadCatalog(file);
  const job = catalog.jobs[target];
  if (!job) {
    const names = Object.keys(catalog.jobs);
    throw new InvalidInputError([{ path: target, message: `no job "${target}" in ${file}; jobs: ${names.join(', ') || '(none)'}` }], 'arguments');
  }
  const businessDate = options.date ?? businessDateAt(new Date(), catalog.timezone, catalog.dayBoundary);
  return { input: { name: target, businessDate, job }, taskQueue: catalog.defaults.queue ?? DEFAULT_QUEUE };
}

async function main(): Promise<number> {
  program.parse();
  const [target, json] = program.processedArgs as [string, string | undefined];
  const options = program.opts<Options>();
  const { input, taskQueue } = runInput(target, json, options);
  if (options.date) input.businessDate = options.date;

  const client = await connectClient(temporalTarget({ address: options.address, namespace: options.namespace }));
  const { handle, started } = await triggerJob(client, { input, taskQueue, force: options.force });
  process.stderr.write(
    started
      ? `started ${handle.workflowId}\n`
      : `${handle.workflowId} already exists for this business date; not started again (use --force for another run)\n`,
  );
  if (!options.wait) return ExitCode.ok;
  try {
    const result = await handle.result();
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure) {
      const details = error.cause.details?.[0] ?? { error: error.cause.message };
      process.stdout.write(`${JSON.stringify(details, null, 2)}\n`);
      return ExitCode.runFailed;
    }
    throw error;
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`jobnet start: ${error.message}\n`);
    if (error instanceof InvalidInputError) process.exit(ExitCode.badInput);
    process.exit(error.name === 'TemporalUnreachable' ? ExitCode.temporalUnreachable : 1);
  },
);
