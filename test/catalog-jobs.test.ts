/**
 * Jobs and steps of a loaded catalog: their kinds, the command job a catalog job runs as, the
 * settings a step runs with, and the helpers behind the messages (suggestions, cycles).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCatalog } from '../src/catalog/load/load';
import { jobKindOf } from '../src/catalog/schema/catalog-job-schema';
import { jobSpecOf } from '../src/catalog/compile/job-spec';
import { effectiveStep } from '../src/catalog/compile/steps';
import { jobSpecSchema, jobRunInputSchema } from '../src/catalog/schema/job-schema';
import { closest, didYouMean, editDistance } from '../src/validation/suggest';
import { findCycles } from '../src/catalog/load/cycles';
import { InvalidInputError } from '../src/validation/validation-error';

const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures', 'catalogs', 'valid', name), 'utf8');
const ENV = {
  BATCH_HOME: '/srv/batch',
  DATA_DIR: '/data',
  SLACK_WEBHOOK_URL: 'https://h.example/s',
  SMTP_URL: 'smtp://m.example',
  PAGER_URL: 'https://p.example',
};
const design = parseCatalog(fixture('01-design-example.yaml'), 'design', { env: ENV });
const everyKind = parseCatalog(fixture('05-every-kind.yaml'), 'every-kind', { env: ENV });

describe('job kinds', () => {
  it('names the one kind of each job and step', () => {
    assert.deepEqual(Object.fromEntries(Object.entries(everyKind.jobs).map(([name, job]) => [name, jobKindOf(job)])), {
      'per-company': 'command',
      'monthly-billing': 'fanout',
      'wait-upstream': 'fileWait',
      'import-hr': 'fileImport',
      rank: 'activity',
      'sub-run': 'jobnet',
    });
    assert.equal(jobKindOf(design.jobnets['daily-ranking']!.jobs.rank!), 'use');
  });
});

describe('jobSpecOf', () => {
  it('keeps exactly the fields of a command job, so the strict run input accepts it', () => {
    const job = jobSpecOf(design, design.jobs['hr-import']!, 'hr-import', ENV);
    assert.deepEqual(
      Object.keys(job).filter((key) => !(key in jobSpecSchema.shape)),
      [],
    );
    assert.equal(job.host, 'batch01');
    assert.equal(job.delayedRetry?.after, 360_000);
    assert.equal(job.retry.attempts, 3, 'the catalog defaults are in');
    assert.ok(jobRunInputSchema.safeParse({ name: 'hr-import', businessDate: '2026-12-01', job }).success);
    // The catalog job itself carries catalog-only fields the run input refuses.
    assert.equal(jobRunInputSchema.safeParse({ name: 'hr-import', businessDate: '2026-12-01', job: design.jobs['hr-import'] }).success, false);
  });

  it('runs an activity job as its activity, with the policies of its locks and the runs it waits for', () => {
    const job = jobSpecOf(design, design.jobs['BATCH-001']!, 'BATCH-001', ENV);
    assert.deepEqual(job.activity, { name: 'rankingUpdate', args: { windowDays: 30 } });
    assert.equal(job.command, undefined);
    assert.deepEqual(job.locks, [{ name: 'rankings', policy: 'wait', maxWait: 20 * 60_000 }]);
    assert.deepEqual(job.after, [{ job: 'BATCH-000', maxWait: 2 * 3_600_000 }]);
    assert.equal(job.announceAs, undefined, 'nothing waits for BATCH-001');
    assert.equal(jobSpecOf(design, design.jobs['BATCH-000']!, 'BATCH-000', ENV).announceAs, 'BATCH-000', 'BATCH-001 waits for BATCH-000');
  });

  it('runs the file kinds as the worker activities fileWait and fileImport, durations in "<n>ms" form', () => {
    const wait = jobSpecOf(everyKind, everyKind.jobs['wait-upstream']!, 'wait-upstream', ENV);
    assert.equal(wait.activity?.name, 'fileWait');
    assert.match(String(wait.activity?.args.pollInterval), /^\d+ms$/);
    assert.equal(jobSpecOf(everyKind, everyKind.jobs['import-hr']!, 'import-hr', ENV).activity?.name, 'fileImport');
  });

  it('refuses a kind that does not run as a job, as bad input', () => {
    assert.throws(
      () => jobSpecOf(everyKind, everyKind.jobs['monthly-billing']!, 'monthly-billing', ENV),
      (error: unknown) => error instanceof InvalidInputError && /fanout job; fanout jobs do not run/.test(error.problems[0]!.message),
    );
  });
});

describe('effectiveStep', () => {
  it("a step that uses a job runs with the job's settings, under its own", () => {
    const rank = effectiveStep(design, 'daily-ranking', 'rank');
    assert.equal(rank.activity, 'rankingUpdate');
    assert.equal(rank.onFailure, 'wait', 'not replaced by a default of the step');
    assert.deepEqual(rank.locks, ['rankings']);
    assert.deepEqual(rank.needs, ['aggregate']);
    assert.equal(rank.use, 'BATCH-001');
    assert.equal('schedule' in rank, false, 'a step runs when its jobnet runs');
  });

  it("a step's own fields win, retry field by field", () => {
    const imported = effectiveStep(everyKind, 'hr', 'import');
    assert.deepEqual(imported.retry, { attempts: 5, interval: 30_000, backoff: 2, nonRetryable: [] });
    assert.equal(imported.fileImport?.to, '/data/hr');
    assert.equal(effectiveStep(everyKind, 'hr', 'wait').timeout, 7_200_000);
  });

  it('an inline step starts from the catalog defaults', () => {
    const mail = effectiveStep(design, 'daily-ranking', 'mail');
    assert.deepEqual(mail.command, ['node', 'scripts/mail.js']);
    assert.equal(mail.retry.attempts, 3);
    assert.equal(mail.queue, 'default');
    assert.equal(mail.timeout, 1_800_000);
    assert.equal(mail.when, 'success');
    assert.equal(effectiveStep(design, 'daily-ranking', 'on-error').when, 'failed');
  });
});

describe('suggestions', () => {
  it('counts a swap of neighbours as one edit and ignores case', () => {
    assert.equal(editDistance('retires', 'retries'), 1);
    assert.equal(editDistance('Command', 'command'), 0);
    assert.equal(editDistance('comand', 'command'), 1);
    assert.equal(editDistance('', 'abc'), 3);
  });

  it('suggests only what is close enough to be a typo', () => {
    assert.equal(closest('tiemout', ['timeout', 'retry', 'queue']), 'timeout');
    assert.equal(closest('colour', ['command', 'cwd', 'env']), undefined);
    assert.equal(didYouMean('jbos', ['jobs', 'jobnets']), ' — did you mean "jobs"?');
    assert.equal(didYouMean('x', []), '');
  });
});

describe('cycles', () => {
  const edge = (from: string, to: string) => ({ from, to, where: `${from}->${to}` });

  it('reports one cycle per knot, from the node first in the file, shortest loop', () => {
    const cycles = findCycles(
      ['a', 'b', 'c', 'd', 'e'],
      [edge('b', 'c'), edge('c', 'a'), edge('a', 'b'), edge('a', 'c'), edge('d', 'd'), edge('e', 'a'), edge('x', 'y')],
    );
    assert.deepEqual(
      cycles.map((c) => [c.nodes.join(' → '), c.first.where]),
      [
        ['a → c → a', 'a->c'],
        ['d → d', 'd->d'],
      ],
    );
  });

  it('finds none in a chain long enough to overflow a recursive search', () => {
    const nodes = Array.from({ length: 20_000 }, (_, i) => `n${i}`);
    assert.deepEqual(
      findCycles(
        nodes,
        nodes.slice(1).map((node, i) => edge(node, nodes[i]!)),
      ),
      [],
    );
  });
});
