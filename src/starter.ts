/**
 * `npm run start -- <job | jobnet | fan-out | jobWorkflow> [json input] [--date YYYY-MM-DD] [--wait] [--force]`
 *
 * Triggers one run: a job, jobnet or fan-out of the catalog by name (the same as `jobnet run`), or a workflow
 * type with its JSON input. With --wait, prints the result as JSON and exits 0 on success,
 * 1 when the run failed; bad input exits 2 before anything is started.
 */
import { Command, CommanderError } from 'commander';
import { DEFAULT_QUEUE } from './catalog/schema/catalog-schema';
import { jobRunInputSchema } from './catalog/schema/job-schema';
import type { JobRun } from './contracts/job';
import { InvalidInputError, parseOrThrow } from './validation/validation-error';
import { CliContext, processOutput } from './cli/context';
import { exitCodeOf } from './cli/main';
import { runCatalogEntry, startRun } from './cli/run';

const program = new Command('jobnet-start')
  .description('Start a job, jobnet or fan-out of the catalog, or a workflow type with its JSON input.')
  .argument('<target>', 'a job, jobnet or fan-out of the catalog, or "jobWorkflow"')
  .argument('[input]', 'JSON input when <target> is a workflow type')
  .option('-c, --catalog <file>', 'catalog file (default: $JOBNET_CATALOG, else ./jobnet.yaml, else the catalog `npm run dev` syncs)')
  .option('--date <YYYY-MM-DD>', 'business date (default: today in the catalog time zone)')
  .option('--force', 'start another run even if one exists for this business date')
  .option('--wait', 'wait for the run to finish and print its result')
  .option('--address <host:port>', 'Temporal frontend (default: TEMPORAL_ADDRESS or localhost:7233)')
  .option('--namespace <name>', 'Temporal namespace (default: TEMPORAL_NAMESPACE or default)')
  // Usage errors are bad input (exit 2), like every other jobnet command.
  .exitOverride();

type Options = { catalog?: string; date?: string; force?: boolean; wait?: boolean; address?: string; namespace?: string };

/**
 * A workflow type's JSON input, written as in the catalog (`"timeout": "30m"`, a bare number of
 * seconds), checked before any connection — bad input starts nothing — and parsed into the run.
 */
function workflowInput(json: string | undefined, date: string | undefined): JobRun {
  if (!json) throw new InvalidInputError([{ path: '(input)', message: 'jobWorkflow needs its JSON input' }], 'arguments');
  let input: unknown;
  try {
    input = JSON.parse(json);
  } catch (error) {
    throw new InvalidInputError([{ path: '(input)', message: `not JSON: ${(error as Error).message}` }], 'arguments');
  }
  if (date && typeof input === 'object' && input !== null) Object.assign(input, { businessDate: date });
  return parseOrThrow(jobRunInputSchema, input, 'jobWorkflow input');
}

async function main(): Promise<void> {
  program.parse();
  const [target, json] = program.processedArgs as [string, string | undefined];
  const options = program.opts<Options>();
  const context = new CliContext(options, processOutput);
  try {
    if (target === 'jobWorkflow') {
      await startRun(context, { input: workflowInput(json, options.date), taskQueue: DEFAULT_QUEUE, force: options.force, wait: options.wait });
    } else {
      await runCatalogEntry(context, target, options);
    }
  } finally {
    await context.close();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    if (!(error instanceof CommanderError)) processOutput.err(`jobnet start: ${error.message}`);
    process.exit(exitCodeOf(error));
  },
);
