/**
 * `npm run dev` — the embedded default: a Temporal dev server persisted to .data/ (Web UI on
 * http://localhost:8233, gRPC on 7233, jobnet's search attributes registered), a worker, and
 * the codec server the Web UI decodes payloads with (127.0.0.1:8234). Payloads are encrypted
 * with a key made once into .data/codec-keys (0600) unless JOBNET_CODEC_KEYS /
 * JOBNET_CODEC_KEY_FILE name one. Ctrl-C stops the worker first (it drains), then the server;
 * the next `npm run dev` finds the same runs again.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { runCli } from '../src/cli/main';
import { DEV_CATALOG_RECORD } from '../src/catalog/load/load';
import { createLogger } from '../src/temporal/logger';
import { startDevServer } from './servers';
import { AesGcmCodec } from '../src/codec/aes-gcm-codec';
import { DEV_KEY_FILE, codecSettings, ensureKeyFile } from '../src/codec/keys';
import { DEFAULT_CODEC_PORT, createCodecServer } from '../src/codec/server';

const ROOT = path.resolve(__dirname, '..');
const GRPC_PORT = Number(process.env.JOBNET_DEV_PORT ?? 7233);
const UI_PORT = Number(process.env.JOBNET_DEV_UI_PORT ?? 8233);
const CODEC_PORT = Number(process.env.JOBNET_DEV_CODEC_PORT ?? DEFAULT_CODEC_PORT);
const DATA_DIR = path.join(ROOT, '.data');
const EXAMPLES_CATALOG = process.env.JOBNET_CATALOG ?? path.join(ROOT, 'examples', 'jobnet.yaml');
/**
 * Prometheus metrics of the dev worker: 127.0.0.1:$JOBNET_DEV_METRICS_PORT (default 9464), or
 * JOBNET_METRICS_ADDRESS as a whole (`off` opens no port).
 */
const METRICS_PORT = Number(process.env.JOBNET_DEV_METRICS_PORT ?? 9464);
const METRICS_ADDRESS = process.env.JOBNET_METRICS_ADDRESS ?? `127.0.0.1:${METRICS_PORT}`;
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
  if (await portInUse(CODEC_PORT)) throw new Error(`port ${CODEC_PORT} (the codec server) is taken; stop what holds it, or set JOBNET_DEV_CODEC_PORT.`);
  if (process.env.JOBNET_METRICS_ADDRESS === undefined && (await portInUse(METRICS_PORT))) {
    throw new Error(
      `port ${METRICS_PORT} (the worker's Prometheus metrics) is taken; stop what holds it, or set JOBNET_DEV_METRICS_PORT (JOBNET_METRICS_ADDRESS=off for none).`,
    );
  }
  mkdirSync(DATA_DIR, { recursive: true });
  const codecEndpoint = await startCodec();
  const dbFile = path.join(DATA_DIR, 'temporal.db');
  log.info(`starting Temporal dev server (data: ${path.relative(ROOT, dbFile)})…`);
  const server = await startDevServer({ dbFile, port: GRPC_PORT, uiPort: UI_PORT, uiCodecEndpoint: codecEndpoint, detached: true });
  log.info(`Temporal gRPC on ${server.address}, Web UI on http://localhost:${UI_PORT}`);

  const worker = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'worker.ts')], {
    cwd: ROOT,
    stdio: 'inherit',
    detached: true,
    env: { JOBNET_CATALOG: EXAMPLES_CATALOG, ...process.env, TEMPORAL_ADDRESS: server.address, JOBNET_METRICS_ADDRESS: METRICS_ADDRESS },
  });
  const workerExited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));

  // The examples catalog becomes real Schedules, so the Web UI shows what jobnet made of it;
  // recorded so `npx jobnet …` without -c in this checkout reads the same catalog.
  writeFileSync(DEV_CATALOG_RECORD, `${path.resolve(EXAMPLES_CATALOG)}\n`);
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

/**
 * The payload key (made once) and the codec server for the Web UI, in this process. Returns
 * the endpoint the UI is given, or nothing when the codec is off.
 */
async function startCodec(): Promise<string | undefined> {
  const configured = process.env.JOBNET_CODEC_KEYS || process.env.JOBNET_CODEC_KEY_FILE || process.env.JOBNET_CODEC?.trim().toLowerCase() === 'off';
  if (!configured && ensureKeyFile(DEV_KEY_FILE))
    log.info(`made a payload key in ${path.relative(ROOT, DEV_KEY_FILE)} (0600); every jobnet process of this checkout uses it`);
  const settings = codecSettings();
  if (settings.mode === 'off') {
    log.warn('JOBNET_CODEC=off: payloads are stored in plaintext at the dev server, and the Web UI has no codec server');
    return undefined;
  }
  const uiOrigins = [`http://localhost:${UI_PORT}`, `http://127.0.0.1:${UI_PORT}`];
  const codecServer = createCodecServer({
    codec: new AesGcmCodec(settings.keyring, 'client'),
    allowedOrigins: uiOrigins,
    token: process.env.JOBNET_CODEC_TOKEN || undefined,
  });
  await new Promise<void>((resolve, reject) => {
    codecServer.once('error', reject);
    codecServer.listen(CODEC_PORT, '127.0.0.1', resolve);
  });
  codecServer.unref();
  const endpoint = `http://127.0.0.1:${CODEC_PORT}`;
  log.info(`payloads encrypted with key ${settings.keyring.current.id} (${settings.keyring.source}); codec server for the Web UI on ${endpoint}`);
  return endpoint;
}

main().catch((error: Error) => {
  log.fatal(error.message);
  process.exit(1);
});
