/**
 * The `jobnet` command: a thin layer over the library. Exit codes (DESIGN.md §6): 0 ok,
 * 1 a run failed, 2 bad input, 3 Temporal unreachable.
 */
import { Command, CommanderError } from 'commander';
import { InvalidInputError } from '../validation/validation-error';
import { ExitCode } from '../temporal/connection';
import { CliContext, processOutput, type GlobalOptions, type Output } from './context';
import { registerBackfill } from './backfill';
import { registerCatalogEdits } from './catalog-edit';
import { registerCron } from './cron';
import { registerDemo } from './demo';
import { registerEnable } from './enable';
import { registerHistory } from './history';
import { registerKeygen } from './keygen';
import { registerJobnetActions } from './jobnet-actions';
import { registerList } from './list';
import { registerPause } from './pause';
import { registerPlan } from './plan';
import { registerReport } from './report';
import { registerRetryPartitions } from './retry-partitions';
import { registerRun } from './run';
import { registerStatus } from './status';
import { registerSync } from './sync';

export function buildProgram(output: Output): { program: Command; context: () => CliContext } {
  const program = new Command('jobnet')
    .description('Durable batch jobs on Temporal: catalog, schedules, runs and operator actions.')
    .option('-c, --catalog <file>', 'catalog file (default: $JOBNET_CATALOG, else ./jobnet.yaml, else the catalog `npm run dev` syncs)')
    .option('--address <host:port>', 'Temporal frontend (default: TEMPORAL_ADDRESS or localhost:7233)')
    .option('--namespace <name>', 'Temporal namespace (default: TEMPORAL_NAMESPACE or default)')
    .option('--json', 'machine-readable output')
    .option('-l, --log-level <level>', 'trace | debug | info | warn | error', 'warn')
    .exitOverride()
    .configureOutput({ writeOut: (text) => output.out(text), writeErr: (text) => output.err(text) })
    .showHelpAfterError();
  let context: CliContext | undefined;
  const getContext = () => (context ??= new CliContext(program.opts<GlobalOptions>(), output));
  registerPlan(program, getContext);
  registerSync(program, getContext);
  registerList(program, getContext);
  registerRun(program, getContext);
  registerPause(program, getContext);
  registerCron(program, getContext);
  registerHistory(program, getContext);
  registerStatus(program, getContext);
  registerJobnetActions(program, getContext);
  registerCatalogEdits(program, getContext);
  registerEnable(program, getContext);
  registerBackfill(program, getContext);
  registerDemo(program, getContext);
  registerReport(program, getContext);
  registerRetryPartitions(program, getContext);
  registerKeygen(program, getContext);
  return { program, context: () => getContext() };
}

/** gRPC status codes that mean "Temporal is not there", whatever call hit them. */
const UNREACHABLE_GRPC_CODES = new Set([4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */]);

function grpcCode(error: unknown): number | undefined {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof InvalidInputError) return ExitCode.badInput;
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
  if (error instanceof Error && error.name === 'TemporalUnreachable') return ExitCode.temporalUnreachable;
  // The server went away after we connected (e.g. during `run --wait`).
  if (UNREACHABLE_GRPC_CODES.has(grpcCode(error) ?? -1)) return ExitCode.temporalUnreachable;
  return ExitCode.runFailed;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: string[], output: Output = processOutput): Promise<number> {
  const { program, context } = buildProgram(output);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    // Commander has already printed its own usage errors.
    if (!(error instanceof CommanderError)) output.err(`jobnet: ${(error as Error).message}`);
    return exitCodeOf(error);
  } finally {
    await context().close();
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
