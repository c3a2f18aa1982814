/**
 * Bad input is rejected with the path of every problem, before anything starts: in the
 * schemas, at the starter (exit 2, no server contacted), and at the workflow entry.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { jobRunInputSchema } from '../src/catalog/schema/job-schema';
import { problemsFromZod } from '../src/validation/validation-error';
import { parseCatalog } from '../src/catalog/load/load';
import { InvalidInputError } from '../src/validation/validation-error';

const ROOT = path.resolve(__dirname, '..');
const valid = { name: 'nightly', businessDate: '2026-12-01', job: { command: ['true'] } };

function problems(input: unknown) {
  const result = jobRunInputSchema.safeParse(input);
  assert.equal(result.success, false, 'input should be rejected');
  return problemsFromZod(result.error!);
}

describe('job input validation', () => {
  it('accepts a minimal job and fills the defaults', () => {
    const run = jobRunInputSchema.parse(valid);
    assert.equal(run.job.timeout, 30 * 60_000);
    assert.equal(run.job.retry.attempts, 1);
    assert.equal(run.job.delayedRetry, undefined);
  });

  const cases: Array<[string, unknown, string, RegExp]> = [
    ['empty argv', { ...valid, job: { command: [] } }, 'job.command', /at least the program/],
    ['zero timeout', { ...valid, job: { command: ['true'], timeout: '0s' } }, 'job.timeout', /greater than zero/],
    ['negative timeout', { ...valid, job: { command: ['true'], timeout: -5 } }, 'job.timeout', /greater than zero/],
    ['unknown field', { ...valid, job: { command: ['true'], retires: 3 } }, 'job', /unknown field "retires"/],
    [
      'delayedRetry.after not a duration',
      { ...valid, job: { command: ['true'], delayedRetry: { after: 'six minutes' } } },
      'job.delayedRetry.after',
      /not a duration/,
    ],
    ['bad business date', { ...valid, businessDate: '2026-13-01' }, 'businessDate', /YYYY-MM-DD/],
    ['bad nonRetryable entry', { ...valid, job: { command: ['true'], retry: { nonRetryable: ['exit:abc'] } } }, 'job.retry.nonRetryable[0]', /exit:<code>/],
  ];
  for (const [what, input, expectedPath, message] of cases) {
    it(`rejects ${what} at ${expectedPath}`, () => {
      const found = problems(input);
      const problem = found.find((p) => p.path === expectedPath);
      assert.ok(problem, `expected a problem at ${expectedPath}, got ${JSON.stringify(found)}`);
      assert.match(problem.message, message);
    });
  }

  it('reports every problem at once', () => {
    const found = problems({ ...valid, job: { command: [], timeout: 0, delayedRetry: { after: 'x' } } });
    assert.deepEqual(found.map((p) => p.path).sort(), ['job.command', 'job.delayedRetry.after', 'job.timeout']);
  });
});

describe('catalog validation', () => {
  it('names path and line of each problem', () => {
    const text = ['version: 1', 'jobs:', '  nightly:', '    command: []', '    timeout: 0s', '    colour: blue', ''].join('\n');
    assert.throws(
      () => parseCatalog(text, 'jobnet.yaml'),
      (error: unknown) => {
        assert.ok(error instanceof InvalidInputError);
        const byPath = Object.fromEntries(error.problems.map((p) => [p.path, p]));
        assert.equal(byPath['jobs.nightly.command']?.line, 4);
        assert.equal(byPath['jobs.nightly.timeout']?.line, 5);
        assert.match(byPath['jobs.nightly']?.message ?? '', /unknown field "colour"/);
        return true;
      },
    );
  });

  it('applies defaults under each job, a bad default reported once at defaults', () => {
    const catalog = parseCatalog('defaults: { timeout: 5m, retry: { attempts: 3 } }\njobs:\n  a: { command: [x], retry: { interval: 10s } }\n');
    assert.equal(catalog.jobs.a?.timeout, 300_000);
    assert.equal(catalog.jobs.a?.retry.attempts, 3);
    assert.equal(catalog.jobs.a?.retry.interval, 10_000);
    assert.throws(
      () => parseCatalog('defaults: { timeout: never }\njobs:\n  a: { command: [x] }\n  b: { command: [y] }\n'),
      (error: unknown) => error instanceof InvalidInputError && error.problems.length === 1 && error.problems[0]!.path === 'defaults.timeout',
    );
  });

  it('rejects duplicate keys with their line', () => {
    assert.throws(
      () => parseCatalog('jobs:\n  a: { command: [x] }\n  a: { command: [y] }\n'),
      (error: unknown) => error instanceof InvalidInputError && error.problems[0]!.line === 3 && /unique|duplicate/i.test(error.problems[0]!.message),
    );
  });
});

describe('starter', () => {
  it('exits 2 on bad input without contacting a server', () => {
    const bad = JSON.stringify({ ...valid, job: { command: [], timeout: 0 } });
    // Port 1 answers nobody: had the starter tried to connect it would exit 3, not 2.
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/starter.ts', 'jobWorkflow', bad, '--address', '127.0.0.1:1'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /job\.command/);
    assert.match(run.stderr, /job\.timeout/);
  });

  it('exits 3 when Temporal is unreachable', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/starter.ts', 'jobWorkflow', JSON.stringify(valid), '--address', '127.0.0.1:1'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(run.status, 3, run.stderr);
    assert.match(run.stderr, /cannot reach Temporal at 127\.0\.0\.1:1/);
  });
});
