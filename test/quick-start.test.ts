/**
 * The README's quick start, as a new user runs it: in a copy of this checkout (its own `.data/`,
 * no payload key configured), `npm run dev`, then in another terminal `npm run start -- hello
 * --wait` and a bare `npx jobnet list` (no -c: it finds the catalog `npm run dev` synced). The
 * ports come from the environment variables the README names, so the test runs beside other
 * servers; everything else is as written.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../scripts/servers';
import { tempDir, waitFor } from './helpers/fs';

const ROOT = path.resolve(__dirname, '..');
let work: ReturnType<typeof tempDir>;
let checkout: string;
let dev: ChildProcess | undefined;
let devLog = '';
const ports = { grpc: 0, ui: 0, codec: 0, metrics: 0 };

/** The environment of a new user's shell: no payload key of the test suite's, the README's port variables. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['JOBNET_CODEC_KEYS', 'JOBNET_CODEC_KEY_FILE', 'JOBNET_CODEC', 'JOBNET_CATALOG', 'JOBNET_LOG_DIR', 'TEMPORAL_ADDRESS', 'NODE_OPTIONS'])
    delete env[key];
  return {
    ...env,
    JOBNET_DEV_PORT: String(ports.grpc),
    JOBNET_DEV_UI_PORT: String(ports.ui),
    JOBNET_DEV_CODEC_PORT: String(ports.codec),
    JOBNET_DEV_METRICS_PORT: String(ports.metrics),
  };
}

/** A second terminal: the same shell, pointed at the dev server's port. */
function run(command: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, {
    cwd: checkout,
    env: { ...userEnv(), TEMPORAL_ADDRESS: `localhost:${ports.grpc}` },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

before(async () => {
  work = tempDir('quick-start');
  checkout = path.join(work.dir, 'jobnet');
  mkdirSync(checkout);
  // The tracked and new files of this working tree, as a clone would have them; node_modules shared.
  const files = spawnSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' }).stdout.split('\0').filter(Boolean);
  for (const file of files) {
    const from = path.join(ROOT, file);
    if (!existsSync(from) || statSync(from).isDirectory()) continue;
    mkdirSync(path.dirname(path.join(checkout, file)), { recursive: true });
    cpSync(from, path.join(checkout, file));
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(checkout, 'node_modules'));
  [ports.grpc, ports.ui, ports.codec, ports.metrics] = [await freePort(), await freePort(), await freePort(), await freePort()];
});

after(async () => {
  // A failed test leaves npm run dev running: Ctrl-C first, so it stops its worker (its own
  // process group) and server; SIGKILL only if that does not end it.
  if (dev && dev.exitCode === null && dev.signalCode === null && dev.pid) {
    const ended = new Promise((resolve) => dev!.once('exit', resolve));
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(-dev!.pid!, name);
      } catch {
        // gone already
      }
    };
    signal('SIGINT');
    const timer = setTimeout(() => signal('SIGKILL'), 30_000);
    await ended;
    clearTimeout(timer);
  }
  work?.cleanup();
});

describe('the README quick start', () => {
  it('npm run dev, then npm run start -- hello --wait and npx jobnet list, as written', { timeout: 5 * 60_000 }, async () => {
    dev = spawn('npm', ['run', 'dev'], { cwd: checkout, env: userEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    dev.stdout!.on('data', (chunk: Buffer) => (devLog += chunk.toString()));
    dev.stderr!.on('data', (chunk: Buffer) => (devLog += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      dev!.once('exit', (code, signal) => resolve({ code, signal })),
    );

    // Ready once it has synced the examples (and recorded the catalog for the CLI).
    await waitFor(() => existsSync(path.join(checkout, '.data', 'dev-catalog')) && /Web UI on/.test(devLog), 180_000, `npm run dev to start:\n${devLog}`);
    assert.equal(statSync(path.join(checkout, '.data', 'codec-keys')).mode & 0o777, 0o600, 'a payload key made once, 0600');

    const hello = run('npm', ['run', 'start', '--', 'hello', '--wait']);
    assert.equal(hello.code, 0, `${hello.stdout}\n${hello.stderr}\n${devLog}`);
    // After npm's own lines (`> jobnet@… start`), the result as JSON.
    const result = JSON.parse(hello.stdout.slice(hello.stdout.indexOf('\n{') + 1)) as { status: string; recordCount: number };
    assert.equal(result.status, 'success');
    assert.equal(result.recordCount, 1);

    const list = run('npx', ['jobnet', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^hello\s+command\s/m, list.stdout);
    assert.match(list.stdout, /^daily-ranking\s+jobnet\s/m, 'the jobnets of examples/jobnet.yaml');

    // The places the README's table names answer.
    assert.equal((await fetch(`http://localhost:${ports.ui}/`)).status, 200, 'Web UI');
    assert.match(await (await fetch(`http://127.0.0.1:${ports.metrics}/metrics`)).text(), /temporal_/, 'worker metrics');
    const runLog = path.join(checkout, 'logs', 'batch');
    await waitFor(() => existsSync(runLog), 10_000, 'the run log');

    // Ctrl-C stops the worker, then the server.
    process.kill(-dev.pid!, 'SIGINT');
    const { code, signal } = await exited;
    // npm itself ends by the signal, as in a terminal; the runner below it stopped in order.
    assert.ok(code === 0 || signal === 'SIGINT', `npm run dev ended ${code ?? signal}:\n${devLog}`);
    assert.match(devLog, /stopped\./);
    assert.ok(
      readFileSync(path.join(checkout, '.data', 'dev-catalog'), 'utf8')
        .trim()
        .endsWith(path.join('examples', 'jobnet.yaml')),
    );
  });
});
