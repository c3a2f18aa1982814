/**
 * `npm run cluster` refuses bad input before it starts or builds anything: exit 2, a message
 * naming what is wrong, no server process and no files left. (Runs with `npm run test:cluster`.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** `npm run cluster <args>`; `env` entries set to null are removed from its environment. */
function cluster(args: string[], env: Record<string, string | null> = {}): { code: number | null; stderr: string } {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(env)) {
    if (value === null) delete childEnv[key];
    else childEnv[key] = value;
  }
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'cluster.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: childEnv,
    timeout: 60_000,
  });
  return { code: result.status, stderr: result.stderr };
}

/** Server processes started for this work directory (none may be left). */
function serversFor(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(dir) && /temporal-server|postgres/.test(cmdline)) found.push(`${pid}: ${cmdline.replace(/\0/g, ' ')}`);
    } catch {
      // The process ended meanwhile.
    }
  }
  return found;
}

describe('npm run cluster: bad input', () => {
  it('a taken port: exit 2, the port named, nothing started', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'jobnet-cluster-input-')), 'work');
    try {
      const run = cluster(['--port', String(port), '--dir', dir]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is taken.*--port`));
      assert.deepEqual(serversFor(dir), []);
      assert.equal(existsSync(path.join(dir, 'node-1')), false, 'no node was configured');
      const zero = cluster(['--port', '0', '--dir', dir]);
      assert.equal(zero.code, 2, zero.stderr);
      assert.match(zero.stderr, /--port is a TCP port \(1–65535\); got "0"/);
    } finally {
      blocker.close();
      rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });

  it('PostgreSQL missing: exit 2, how to get it, nothing started', () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'jobnet-cluster-input-')), 'work');
    try {
      // No initdb where JOBNET_PG_BIN points, and no server URL: as on a machine without the package.
      const missing = cluster(['--dir', dir], { JOBNET_PG_BIN: path.join(dir, 'no-postgres-here'), JOBNET_TEST_POSTGRES_URL: null });
      assert.equal(missing.code, 2, missing.stderr);
      assert.match(missing.stderr, /PostgreSQL is not installed \(no initdb\).*apt-get install -y postgresql/);
      assert.deepEqual(serversFor(dir), []);
    } finally {
      rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });

  it('PostgreSQL unreachable at JOBNET_TEST_POSTGRES_URL: exit 2, nothing started', () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'jobnet-cluster-input-')), 'work');
    try {
      const run = cluster(['--dir', dir], { JOBNET_TEST_POSTGRES_URL: 'postgres://postgres@127.0.0.1:1/postgres' });
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /PostgreSQL at JOBNET_TEST_POSTGRES_URL cannot be reached/);
      assert.deepEqual(serversFor(dir), []);
    } finally {
      rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });
});
