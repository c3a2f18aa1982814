import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { EXAMPLE_ACTIVITIES, activityModulePaths, loadActivityModules } from '../src/activities/registry';
import { InvalidInputError } from '../src/validation/validation-error';
import { workerActivities } from '../src/worker-setup';

const ROOT = path.resolve(__dirname, '..');

test("unset, the worker registers the examples' activities beside jobnet's own; set empty, none", () => {
  assert.deepEqual(activityModulePaths(undefined), [EXAMPLE_ACTIVITIES]);
  assert.deepEqual(activityModulePaths(''), []);
  assert.deepEqual(activityModulePaths(' a.ts, ,b.ts ', '/srv/batch'), ['/srv/batch/a.ts', '/srv/batch/b.ts']);
  const withExamples = workerActivities();
  assert.equal(typeof withExamples.billingCompany, 'function');
  assert.equal(typeof withExamples.runCommand, 'function');
  const ownOnly = workerActivities([]);
  assert.equal(ownOnly.billingCompany, undefined);
  assert.equal(typeof ownOnly.runJobActivity, 'function');
});

test('a module that cannot be loaded, or a name registered twice, is bad input naming the module', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jobnet-activities-'));
  const mine = path.join(dir, 'mine.ts');
  writeFileSync(mine, 'export async function runCommand() { return {}; }\nexport const notAnActivity = 1;\n');
  assert.throws(
    () => loadActivityModules([path.join(dir, 'missing.ts')]),
    (error: unknown) => error instanceof InvalidInputError && /missing\.ts/.test(error.message) && /cannot load/.test(error.message),
  );
  assert.throws(
    () => loadActivityModules([mine], ['runCommand']),
    (error: unknown) => error instanceof InvalidInputError && /"runCommand", which jobnet already registers/.test(error.message),
  );
  const other = path.join(dir, 'other.ts');
  writeFileSync(other, 'export async function shared() { return {}; }\n');
  const again = path.join(dir, 'again.ts');
  writeFileSync(again, 'export async function shared() { return {}; }\n');
  assert.throws(
    () => loadActivityModules([other, again]),
    (error: unknown) =>
      error instanceof InvalidInputError && new RegExp(`"shared", which ${other.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} already registers`).test(error.message),
  );
  assert.deepEqual(Object.keys(loadActivityModules([other])), ['shared']);
});

test('the worker refuses a module it cannot load before it connects (exit 2)', () => {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'src', 'worker.ts'), '--activities', 'no/such/module.ts', '--address', '127.0.0.1:1'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr, /no\/such\/module\.ts/);
  assert.match(result.stderr, /cannot load this activities module/);
});
