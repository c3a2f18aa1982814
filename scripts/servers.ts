/**
 * Starting the Temporal servers this project provisions (scripts/provision-*.sh): the dev
 * server for `npm run dev` and integration tests, the time-skipping test server for tests.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { devServerSearchAttributeArgs } from '../src/contracts/search-attributes';

const SCRIPTS = __dirname;

/** Path printed by a provisioning script; with `check`, fails instead of building anything. */
function provisioned(script: string, check: boolean): string {
  const out = execFileSync('bash', [path.join(SCRIPTS, script), ...(check ? ['--check'] : [])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = out.trim().split('\n');
  return lines[lines.length - 1]!;
}

export const temporalCliPath = (check = true) => provisioned('provision-temporal-cli.sh', check);
export const testServerPath = (check = true) => provisioned('provision-test-server.sh', check);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function waitForFrontend(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: '1s' });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`Temporal at ${address} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

/**
 * Dynamic config of the dev server jobnet starts (npm run dev, the tests, the benches).
 *
 * The history service reads each shard's transfer and timer queues at most 20 times a second
 * by default, and the dev server has one shard, so every hand-off of a run — a child started,
 * a workflow or activity task dispatched, a result delivered — waits up to 50 ms: the eight
 * hand-offs of a chained jobnet step cost ~400 ms here (`npm run bench:jobnet`; 123 ms with
 * these settings). Eager activity execution gives a workflow's next activity to the worker
 * that completed the workflow task, one hand-off less. And every new timer is put at least
 * `history.timerProcessorMaxTimeShift` (default 1 s) after the moment any queue of the shard last
 * read new work: on the dev server's single shard a Schedule's fire (a timer of its scheduler
 * workflow) came 0.6 s late at the median, 1.06 s at p99, for the plainest SDK code too
 * (`npm run bench:schedule`). For a production server the same keys go in its dynamic config
 * file (README "Temporal servers").
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, number | boolean | string>> = {
  'history.transferProcessorMaxPollRPS': 1000,
  'history.timerProcessorMaxPollRPS': 1000,
  'system.enableActivityEagerExecution': true,
  'history.timerProcessorMaxTimeShift': '10ms',
};

export interface DevServerOptions {
  dbFile: string;
  port: number;
  uiPort?: number;
  /** The codec server the Web UI decodes payloads with (`--ui-codec-endpoint`). */
  uiCodecEndpoint?: string;
  /** Dynamic config on top of DEV_SERVER_DYNAMIC_CONFIG: runs that continue as new early (scripts/record-histories.ts, a test's small history bounds). */
  dynamicConfig?: Readonly<Record<string, number | boolean | string>>;
  /** Own process group, so a terminal's Ctrl-C reaches the runner first and it stops things in order. */
  detached?: boolean;
  stdio?: 'inherit' | 'ignore';
}

export interface DevServer {
  address: string;
  process: ChildProcess;
  /** SIGTERM and wait: a clean stop. */
  stop(): Promise<void>;
  /** SIGKILL and wait: a crash. */
  kill(): Promise<void>;
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    options.dbFile,
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    ...(options.uiPort ? ['--ui-port', String(options.uiPort), '--ui-ip', '127.0.0.1'] : ['--headless']),
    ...(options.uiPort && options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
    // Errors only: the dev server warns about every dropped poll while it shuts down.
    '--log-level',
    'error',
    ...devServerSearchAttributeArgs(),
    // Values are JSON: a duration is a quoted string.
    ...Object.entries({ ...DEV_SERVER_DYNAMIC_CONFIG, ...options.dynamicConfig }).flatMap(([key, value]) => [
      '--dynamic-config-value',
      `${key}=${JSON.stringify(value)}`,
    ]),
  ];
  const child = spawn(temporalCliPath(), args, { stdio: ['ignore', options.stdio ?? 'inherit', options.stdio ?? 'inherit'], detached: options.detached });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address = `127.0.0.1:${options.port}`;
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  try {
    await Promise.race([
      waitForFrontend(address, 60_000),
      exited.then(() => Promise.reject(new Error(`temporal dev server exited with ${child.exitCode ?? child.signalCode} before it was ready`))),
    ]);
  } catch (error) {
    await signal('SIGKILL');
    throw error;
  }
  return { address, process: child, stop: () => signal('SIGTERM'), kill: () => signal('SIGKILL') };
}
