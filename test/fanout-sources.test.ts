/**
 * The pieces of a fan-out that need no Temporal server: partition sources read page by page
 * (SQL keyset in byte order on PGlite, sorted command output), and seed 004's billing of one
 * company — its injected failures typed for their runbooks, and a rerun that skips done steps.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { billCompany, seedBilling } from '../examples/billing/billing';
import { byteOrder, pageOf, sortedUnique, sqlPage } from '../src/activities/partitions';
import { freshDatabase, type TestDatabase } from './helpers/db';

let db: TestDatabase;
before(async () => {
  db = await freshDatabase('pglite');
  await seedBilling(db.db, { companies: 1_500, usagePerCompany: 4, month: '2026-11' });
});
after(async () => db?.drop());

describe('partition sources', () => {
  it('reads a query in pages after the last key, in byte order, each key once, with the total first', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page = await sqlPage(db.db, 'SELECT code AS key FROM billing_companies UNION ALL SELECT code FROM billing_companies WHERE id <= 10', after, 400);
      if (pages === 0) assert.equal(page.total, 1_500, 'duplicates counted once');
      pages++;
      seen.push(...page.keys);
      after = page.keys[page.keys.length - 1] ?? after;
      if (page.done) break;
    }
    assert.equal(pages, 4);
    assert.equal(seen.length, 1_500);
    assert.deepEqual(seen, [...seen].sort(byteOrder));
    assert.equal(new Set(seen).size, 1_500);
  });

  it('pages a sorted list by key, also from a key that is not in it', () => {
    const keys = sortedUnique(['b', 'a', 'c', 'a', 'B', 'é']);
    assert.deepEqual(keys, ['B', 'a', 'b', 'c', 'é']);
    assert.deepEqual(pageOf(keys, null, 2), { keys: ['B', 'a'], done: false, total: 5 });
    assert.deepEqual(pageOf(keys, 'a', 2), { keys: ['b', 'c'], done: false });
    assert.deepEqual(pageOf(keys, 'bb', 10), { keys: ['c', 'é'], done: true });
  });
});

describe('seed 004 billing of one company', () => {
  const bill = (code: string, runKey = `monthly-billing@2026-12-01/${code}`) => billCompany(db.db, { runKey, code, month: '2026-11' });
  const failsWith = (type: string) => (error: unknown) => error instanceof ApplicationFailure && error.type === type && error.nonRetryable === true;

  it('bills once per run: a rerun of the same partition skips both steps', async () => {
    const first = await bill('c000001');
    assert.equal(first.usageRows, 4);
    assert.deepEqual(first.skipped, []);
    const again = await bill('c000001');
    assert.deepEqual(again.skipped, ['invoice', 'notice']);
    assert.equal(again.amount, first.amount);
    const rows = await db.db.query<{ n: string }>('SELECT count(*)::text AS n FROM billing_invoices WHERE company_id = 1');
    assert.equal(rows.rows[0]!.n, '1');
  });

  it('fails the seeded bad companies with typed, non-retryable errors and writes nothing for them', async () => {
    await assert.rejects(bill('c000997'), failsWith('UnknownPlan'));
    await assert.rejects(bill('c001499'), failsWith('UsageDataError'));
    await assert.rejects(bill('c999999'), failsWith('CompanyNotFound'));
    const keys = await db.db.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM jobnet_idempotency WHERE run_key LIKE '%/c000997' OR run_key LIKE '%/c001499'",
    );
    assert.equal(keys.rows[0]!.n, '0', 'a failed step leaves no key: the retry does the work');
  });
});
