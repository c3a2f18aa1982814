/**
 * `npm run worker [-- --queue q1,q2]` — runs jobs on this host. Stops gracefully on
 * SIGINT / SIGTERM: takes no new work, lets running commands finish within the drain time.
 */
import { Command, CommanderError } from 'commander';
import { exitCodeOf } from './cli/main';
import { NativeConnection, Runtime } from '@temporalio/worker';
import type { Duration } from '@temporalio/common';
import { connectClient, ensureSearchAttributes } from './temporal/client';
import { ExitCode, temporalTarget } from './temporal/connection';
import { createLogger, temporalLevel, temporalLogger } from './temporal/logger';
import { gateRuntimeLogger } from './temporal/runtime-log-gate';
import { processReaper } from './activities/process-reaper';
import { metricsAddress, telemetryOptions } from './metrics/telemetry';
import { bundleWorkflows, createWorkers, defaultQueues, servedQueues, workerActivities } from './worker-setup';
import { ACTIVITIES_ENV, activityModulePaths } from './activities/registry';
import { codecSettings } from './codec/keys';

const program = new Command('jobnet-worker')
  .description('Run jobnet workflows and job commands from the given task queues.')
  .option('-q, --queue <queues>', 'comma-separated task queues', (value) =>
    value
      .split(',')
      .map((q) => q.trim())
      .filter(Boolean),
  )
  .option('--address <host:port>', 'Temporal frontend (default: TEMPORAL_ADDRESS or localhost:7233)')
  .option('--namespace <name>', 'Temporal namespace (default: TEMPORAL_NAMESPACE or default)')
  .option('--drain <duration>', 'on shutdown, how long running commands may go on before they are killed', '60s')
  .option('--max-activities <n>', 'commands run at once by each queue worker', (value) => Number(value))
  .option('--metrics <host:port>', 'serve Prometheus metrics on http://<host:port>/metrics (default: JOBNET_METRICS_ADDRESS; off)')
  .option(
    '--activities <modules>',
    `comma-separated modules whose exported functions catalog jobs can call as activities (default: ${ACTIVITIES_ENV}, else the examples')`,
  )
  .option('-l, --log-level <level>', 'trace | debug | info | warn | error (default: JOBNET_LOG_LEVEL or info)')
  .exitOverride();

async function main(): Promise<number> {
  const options = program.parse().opts<{
    queue?: string[];
    address?: string;
    namespace?: string;
    drain: Duration;
    maxActivities?: number;
    metrics?: string;
    logLevel?: string;
    activities?: string;
  }>();
  const logger = createLogger({ name: 'worker', level: options.logLevel });
  // Checked before anything connects: a malformed key is bad input (exit 2).
  const codec = codecSettings();
  if (codec.mode === 'off') {
    logger.warn(
      'JOBNET_CODEC=off: payloads are NOT encrypted — inputs, output, errors and secrets resolved into them are plaintext at the Temporal server, ' +
        'and this worker runs whatever any client that reaches the frontend asks it to. Only for sites that protect the frontend otherwise (mTLS, API keys).',
    );
  } else {
    const { current, byId, source } = codec.keyring;
    logger.info(
      `payloads encrypted (AES-256-GCM) under "${current.id}" (${byId.size} key${byId.size > 1 ? 's' : ''} from ${source}); inputs no key holder wrote are refused`,
    );
  }
  // Loaded before anything connects too: a module that cannot be loaded is bad input (exit 2).
  const modules = activityModulePaths(options.activities ?? process.env[ACTIVITIES_ENV]);
  const activities = workerActivities(modules);
  logger.info({ modules }, `${Object.keys(activities).length} activities registered`);
  const metrics = metricsAddress(options.metrics);
  // One runtime per process: the SDK's own logs and jobnet's share the pino stream, and its
  // metrics endpoint serves the SDK's runtime metrics together with jobnet's.
  try {
    const runtime = Runtime.install({ logger: temporalLogger(logger), telemetryOptions: telemetryOptions({ metricsAddress: metrics }) });
    gateRuntimeLogger(runtime, temporalLevel(logger.level));
  } catch (error) {
    if (!metrics) throw error;
    throw new Error(`metrics endpoint ${metrics}: ${(error as Error).message} (each worker on a host needs its own --metrics port)`);
  }
  if (metrics) logger.info({ metrics: `http://${metrics}/metrics` }, 'serving Prometheus metrics');

  const target = temporalTarget({ address: options.address, namespace: options.namespace });
  const client = await connectClient(target);
  const registered = await ensureSearchAttributes(client);
  if (registered.length > 0) logger.info({ registered }, 'registered search attributes');
  await client.connection.close();

  processReaper.ensureStarted();
  // The coordination queue (locks, gates) is served by every worker, whatever --queue says.
  const queues = servedQueues(options.queue ?? defaultQueues());
  logger.info({ address: target.connectionOptions.address, namespace: target.namespace, queues }, 'bundling workflows');
  const [connection, workflowBundle] = await Promise.all([
    NativeConnection.connect(target.connectionOptions),
    bundleWorkflows(temporalLogger(logger.child({}, { level: 'warn' }))),
  ]);
  try {
    const workers = await createWorkers({
      connection,
      namespace: target.namespace,
      queues,
      workflowBundle,
      shutdownGraceTime: options.drain,
      maxConcurrentActivities: options.maxActivities,
      codec,
      activities,
    });
    logger.info({ queues }, 'worker ready');
    await Promise.all(workers.map((worker) => worker.run()));
    logger.info('worker stopped');
    return ExitCode.ok;
  } finally {
    processReaper.close();
    await connection.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    // Commander has printed its own usage message.
    if (!(error instanceof CommanderError)) process.stderr.write(`jobnet worker: ${error.message}\n`);
    process.exit(exitCodeOf(error));
  },
);
