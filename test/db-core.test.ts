/**
 * The database layer on both engines: migrations applied once and guarded against edits, and
 * runOnce — the idempotency key written in the same transaction as the effect.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { migrate, MigrationChanged } from '../src/db/migrate';
import { runOnce } from '../src/db/idempotency';
import { ENGINES, freshDatabase, skipUnlessEngine, stopTestPostgres } from './helpers/db';
import { tempDir } from './helpers/fs';

after(stopTestPostgres);

for (const engine of ENGINES) {
  describe(`database layer on ${engine}`, { skip: skipUnlessEngine(engine) }, () => {
    it('applies each migration once, in order, and refuses an applied one that was edited', async () => {
      const test = await freshDatabase(engine, { scopes: [] });
      const work = tempDir('migrations');
      try {
        const dir = path.join(work.dir, 'examples');
        mkdirSync(dir);
        writeFileSync(path.join(dir, '001_first.sql'), 'CREATE TABLE t (a int);');
        writeFileSync(path.join(dir, '002_second.sql'), 'INSERT INTO t VALUES (1); INSERT INTO t VALUES (2);');
        writeFileSync(path.join(dir, 'README.md'), 'not a migration');
        assert.deepEqual(await migrate(test.db, 'examples', work.dir), ['001_first.sql', '002_second.sql']);
        assert.deepEqual(await migrate(test.db, 'examples', work.dir), []);
        assert.equal((await test.db.query<{ n: number }>('SELECT count(*)::int AS n FROM t')).rows[0]!.n, 2);

        writeFileSync(path.join(dir, '002_second.sql'), 'INSERT INTO t VALUES (3);');
        await assert.rejects(migrate(test.db, 'examples', work.dir), MigrationChanged);
        // A failing new migration leaves nothing of itself behind.
        writeFileSync(path.join(dir, '002_second.sql'), 'INSERT INTO t VALUES (1); INSERT INTO t VALUES (2);');
        writeFileSync(path.join(dir, '003_broken.sql'), 'INSERT INTO t VALUES (9); SELECT no_such_function();');
        await assert.rejects(migrate(test.db, 'examples', work.dir), /no_such_function/);
        assert.equal((await test.db.query<{ n: number }>('SELECT count(*)::int AS n FROM t')).rows[0]!.n, 2);
      } finally {
        work.cleanup();
        await test.drop();
      }
    });

    it('runOnce: the effect happens once per key; a failed effect takes its key with it', async () => {
      const test = await freshDatabase(engine, { scopes: ['jobnet'] });
      try {
        await test.db.exec('CREATE TABLE effects (run_key text, n int)');
        const effect = (n: number) => async (tx: Parameters<Parameters<typeof runOnce>[2]>[0]) => {
          await tx.query('INSERT INTO effects VALUES ($1, $2)', ['run-1', n]);
          return { n };
        };
        const first = await runOnce(test.db, { runKey: 'run-1', step: 'load' }, effect(1));
        const again = await runOnce(test.db, { runKey: 'run-1', step: 'load' }, effect(2));
        assert.deepEqual(first, { outcome: { n: 1 }, repeated: false });
        assert.deepEqual(again, { outcome: { n: 1 }, repeated: true }, 'the retry gets the first outcome');
        const otherStep = await runOnce(test.db, { runKey: 'run-1', step: 'other' }, effect(3));
        assert.equal(otherStep.repeated, false);

        await assert.rejects(
          runOnce(test.db, { runKey: 'run-2', step: 'load' }, async (tx) => {
            await tx.query('INSERT INTO effects VALUES ($1, $2)', ['run-2', 4]);
            throw new Error('boom after the write');
          }),
          /boom/,
        );
        const retried = await runOnce(test.db, { runKey: 'run-2', step: 'load' }, effect(5));
        assert.equal(retried.repeated, false, 'the failed attempt left no key');
        const rows = await test.db.query<{ run_key: string; n: number }>('SELECT run_key, n FROM effects ORDER BY n');
        assert.deepEqual(rows.rows, [
          { run_key: 'run-1', n: 1 },
          { run_key: 'run-1', n: 3 },
          { run_key: 'run-1', n: 5 },
        ]);
      } finally {
        await test.drop();
      }
    });

    it('runOnce: two attempts of one key at the same time make one effect', async () => {
      const test = await freshDatabase(engine, { scopes: ['jobnet'] });
      try {
        await test.db.exec('CREATE TABLE effects (n int)');
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let claimed!: () => void;
        const firstHoldsKey = new Promise<void>((resolve) => (claimed = resolve));
        const slow = runOnce(test.db, { runKey: 'r', step: 's' }, async (tx) => {
          claimed();
          await tx.query('INSERT INTO effects VALUES (1)');
          await gate;
          return 1;
        });
        // The second attempt starts only once the first holds its key uncommitted (inside
        // its effect): started together, on a pool of connections either could claim first.
        await firstHoldsKey;
        const fast = runOnce(test.db, { runKey: 'r', step: 's' }, async (tx) => {
          await tx.query('INSERT INTO effects VALUES (2)');
          return 2;
        });
        setTimeout(release, 300);
        const results = await Promise.all([slow, fast]);
        assert.deepEqual(
          results.map((r) => r.outcome),
          [1, 1],
        );
        assert.deepEqual(
          results.map((r) => r.repeated),
          [false, true],
        );
        assert.deepEqual((await test.db.query('SELECT n FROM effects')).rows, [{ n: 1 }]);
      } finally {
        await test.drop();
      }
    });
  });
}
