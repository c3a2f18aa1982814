/**
 * `jobnet demo seed` against the embedded database, and PGlite's one-process rule: a second
 * opener is refused with a message saying what to do, a dead owner's lock is taken over.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openPglite } from '../src/db/pglite';
import { lockFileOf, PgliteDirectoryBusy } from '../src/db/pglite-lock';
import { jobnet } from './helpers/cli';
import { tempDir } from './helpers/fs';

let work: ReturnType<typeof tempDir>;
const saved = { DATABASE_URL: process.env.DATABASE_URL, JOBNET_PGLITE_DIR: process.env.JOBNET_PGLITE_DIR };
before(() => {
  work = tempDir('demo');
  delete process.env.DATABASE_URL;
  process.env.JOBNET_PGLITE_DIR = path.join(work.dir, 'pglite');
});
after(() => {
  Object.assign(process.env, saved);
  if (saved.DATABASE_URL === undefined) delete process.env.DATABASE_URL;
  if (saved.JOBNET_PGLITE_DIR === undefined) delete process.env.JOBNET_PGLITE_DIR;
  work.cleanup();
});

describe('jobnet demo seed', () => {
  it('bad options: exit 2, every problem named, no database created', async () => {
    const run = await jobnet('demo', 'seed', '--users', 'many', '--until', '2026-02-30x');
    assert.equal(run.code, 2);
    assert.match(run.stderr, /users: "many" is not a whole number/);
    assert.match(run.stderr, /until: a business date is written YYYY-MM-DD/);
    assert.equal(existsSync(process.env.JOBNET_PGLITE_DIR!), false);
  });

  it('generates the users and orders into PGlite, over the days up to --until', async () => {
    const run = await jobnet('demo', 'seed', '--users', '1,500', '--orders', '20000', '--until', '2026-03-31', '--json');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).engine, 'pglite');
    const db = await openPglite(process.env.JOBNET_PGLITE_DIR!);
    try {
      const counts = await db.query<{ users: number; orders: number; first: string; last: string }>(
        `SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM orders) AS orders,
                (SELECT min(ordered_at AT TIME ZONE 'Asia/Tokyo')::date::text FROM orders) AS first,
                (SELECT max(ordered_at AT TIME ZONE 'Asia/Tokyo')::date::text FROM orders) AS last`,
      );
      assert.deepEqual(counts.rows[0], { users: 1500, orders: 20000, first: '2026-01-31', last: '2026-03-31' });
    } finally {
      await db.close();
    }
  });
});

describe('PGlite belongs to one process', () => {
  it("a second opener is refused while the first has it; a dead owner's lock is taken over", async () => {
    const dir = path.join(work.dir, 'lock-test');
    const db = await openPglite(dir);
    try {
      await assert.rejects(openPglite(dir), PgliteDirectoryBusy);
      const other = spawnSync(
        process.execPath,
        ['--import', 'tsx', '-e', `require('./src/db/pglite').openPglite(${JSON.stringify(dir)}).catch((e) => { console.error(e.message); process.exit(3); })`],
        {
          cwd: path.resolve(__dirname, '..'),
          encoding: 'utf8',
        },
      );
      assert.equal(other.status, 3);
      assert.match(other.stderr, new RegExp(`in use by process ${process.pid}.*DATABASE_URL`));
    } finally {
      await db.close();
    }
    assert.equal(existsSync(lockFileOf(dir)), false, 'closing releases the lock');
    // A worker SIGKILLed with the database open leaves its lock behind.
    const dead = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    writeFileSync(lockFileOf(dir), dead);
    const reopened = await openPglite(dir);
    await reopened.close();
  });
});
