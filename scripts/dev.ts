/**
 * `npm run dev` — the embedded default: a Temporal dev server persisted to .data/ (Web UI on
 * http://localhost:8233, gRPC on 7233, jobnet's search attributes registered) and a worker.
 * Ctrl-C stops the worker first (it drains), then the server; the next `npm run dev` finds
 * the same runs again.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { runCli } from '../src/cli/main';
import { createLogger } from '../src/logger';
import { startDevServer } from './servers';

const ROOT = path.resolve(__dirname, '..');
const GRPC_PORT = Number(process.env.JOBNET_DEV_PORT ?? 7233);
const UI_PORT = Number(process.env.JOBNET_DEV_UI_PORT ?? 8233);
const DATA_DIR = path.join(ROOT, '.data');
const EXAMPLES_CATALOG = process.env.JOBNET_CATALOG ?? path.join(ROOT, 'examples', 'jobnet.yaml');
/** Prometheus metrics of the dev worker (JOBNET_METRICS_ADDRESS=off to open no port). */
const METRICS_ADDRESS = process.env.JOBNET_METRICS_ADDRESS ?? '127.0.0.1:9464';
const log = createLogger({ name: 'jobnet-dev' });

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function main(): Promise<void> {
  if (await portInUse(GRPC_PORT)) {
    throw new Error(`port ${GRPC_PORT} is taken — is another \`npm run dev\` (or a Temporal server) running? Stop it, or set JOBNET_DEV_PORT.`);
  }
  mkdirSync(DATA_DIR, { recursive: true });
  const dbFile = path.join(DATA_DIR, 'temporal.db');
  log.info(`starting Temporal dev server (data: ${path.relative(ROOT, dbFile)})…`);
  const server = await startDevServer({ dbFile, port: GRPC_PORT, uiPort: UI_PORT, detached: true });
  log.info(`Temporal gRPC on ${server.address}, Web UI on http://localhost:${UI_PORT}`);

  const worker = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'worker.ts')], {
    cwd: ROOT,
    stdio: 'inherit',
    detached: true,
    env: { JOBNET_CATALOG: EXAMPLES_CATALOG, ...process.env, TEMPORAL_ADDRESS: server.address, JOBNET_METRICS_ADDRESS: METRICS_ADDRESS },
  });
  const workerExited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));

  // The examples catalog becomes real Schedules, so the Web UI shows what jobnet made of it.
  const syncCode = await runCli(['-c', EXAMPLES_CATALOG, '--address', server.address, 'sync']);
  if (syncCode !== 0) log.error(`syncing ${path.relative(ROOT, EXAMPLES_CATALOG)} failed (exit ${syncCode}); the server and worker keep running`);

  let stopping = false;
  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${reason}; stopping the worker (it finishes or cancels running commands), then the server…`);
    if (worker.exitCode === null) worker.kill('SIGINT');
    await workerExited;
    await server.stop();
    log.info('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('Ctrl-C'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  const code = await workerExited;
  if (!stopping) {
    log.error(`the worker exited (${code}); stopping the server.`);
    await server.stop();
    process.exit(1);
  }
}

main().catch((error: Error) => {
  log.fatal(error.message);
  process.exit(1);
});
