/**
 * Golden outputs: what an operator reads from `plan`, `list` and a rejected catalog, exactly.
 * Regenerate a golden file deliberately with JOBNET_UPDATE_GOLDEN=1 and review the diff.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderList } from '../src/cli/list';
import { jobnet } from './helpers/cli';

const GOLDEN = path.join(__dirname, 'golden');
const FIXTURES = path.join(__dirname, 'fixtures', 'catalogs');

function assertGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env.JOBNET_UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.CI) assert.fail(`golden file ${name} is missing; generate it locally with JOBNET_UPDATE_GOLDEN=1`);
    writeFileSync(file, actual);
  }
  assert.equal(actual, readFileSync(file, 'utf8'));
}

describe('golden outputs', () => {
  it('plan, as text', async () => {
    const result = await jobnet('-c', path.join(FIXTURES, 'plan-golden.yaml'), 'plan', '--from', '2026-12-28T00:00:00+09:00', '--next', '6');
    assert.equal(result.code, 0, result.stderr);
    assertGolden('plan.txt', result.stdout);
  });

  it('plan, as JSON', async () => {
    const result = await jobnet('-c', path.join(FIXTURES, 'plan-golden.yaml'), '--json', 'plan', '--from', '2026-12-28T00:00:00+09:00', '--next', '3');
    assert.equal(result.code, 0, result.stderr);
    assertGolden('plan.json', result.stdout);
  });

  it('a rejected catalog', async () => {
    const file = path.join(FIXTURES, 'broken', '07-misspelt-job-keys.yaml');
    assert.ok(existsSync(file), 'fixture exists');
    const result = await jobnet('-c', file, 'plan');
    assert.equal(result.code, 2);
    assertGolden('error-misspelt-keys.txt', result.stderr.replaceAll(FIXTURES, '<fixtures>'));
  });

  it('list, as a table', () => {
    const table = renderList([
      {
        name: 'BATCH-000',
        kind: 'command',
        schedule: 'cron 30 2 * * * Asia/Tokyo',
        state: 'enabled',
        lastRun: '2026-12-01T02:30:00+09:00',
        lastStatus: 'success',
        consecutiveFailures: 0,
        nextRun: '2026-12-02T02:30:00+09:00',
      },
      {
        name: 'BATCH-001',
        kind: 'command',
        schedule: 'cron 0 3 * * * Asia/Tokyo, business days (jp-business)',
        state: 'paused: server maintenance',
        lastRun: '2026-12-01T03:00:00+09:00',
        lastStatus: 'error',
        consecutiveFailures: 2,
        nextRun: null,
      },
      { name: 'hello', kind: 'command', schedule: null, state: null, lastRun: null, lastStatus: null, consecutiveFailures: 0, nextRun: null },
    ]);
    assertGolden('list.txt', `${table}\n`);
  });
});
