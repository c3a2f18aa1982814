import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jobRunSchema, jobSpecRunSchema, jobSpecSchema } from '../src/catalog/schema/job-schema';

/**
 * A run input carries parsed values (durations in milliseconds): what the catalog's reading
 * makes of a job, the run's reading takes as it is — no `"<n>ms"` round trip, and a number
 * never read again as seconds.
 */
describe('a parsed job is a run input as it is', () => {
  it('with every field set: runSchema.parse(catalogSchema.parse(x)) equals catalogSchema.parse(x)', () => {
    const parsed = jobSpecSchema.parse({
      description: 'd',
      command: ['true'],
      cwd: '/tmp',
      env: { A: '1' },
      queue: 'q',
      host: 'h',
      timeout: '90s',
      killGrace: 3,
      heartbeatTimeout: '1m',
      startWithin: '15m',
      retry: { attempts: 3, interval: '2m', backoff: 2, maxInterval: '10m', nonRetryable: ['exit:2'] },
      delayedRetry: { after: '6m', monthlyThreshold: 4 },
      warnAfter: '15m',
      expect: { minRecordRatio: 0.5 },
      consecutiveFailures: { alertAt: 3, repeatEvery: 2 },
      safeToRepeat: false,
      // Both kinds of work at once only to cover every field: a run input refuses that.
      activity: { name: 'rankingUpdate', args: { windowDays: 30 } },
      locks: [{ name: 'rankings', policy: 'wait', maxWait: '20m' }],
      after: [{ job: 'BATCH-000', maxWait: '2h' }],
      announceAs: 'BATCH-001',
    });
    assert.deepEqual(jobSpecRunSchema.parse(parsed), parsed);
    assert.equal(parsed.killGrace, 3_000, 'a bare number in the catalog is seconds');
    // Each optional field really was set, so the round trip covered it.
    for (const [key, value] of Object.entries(parsed)) assert.notEqual(value, undefined, key);
    assert.equal(Object.keys(parsed).length, Object.keys(jobSpecSchema.shape).length, 'every field of the schema is set above');
  });

  it('with the defaults, and the run reading fills the same defaults', () => {
    const parsed = jobSpecSchema.parse({ command: ['true'] });
    assert.deepEqual(jobSpecRunSchema.parse(parsed), parsed);
    assert.deepEqual(jobSpecRunSchema.parse({ command: ['true'] }), parsed);
  });

  it('a run input refuses a duration that is not a number of milliseconds', () => {
    const result = jobRunSchema.safeParse({ name: 'x', businessDate: '2026-12-01', job: { command: ['true'], timeout: '30m' } });
    assert.ok(!result.success);
    assert.deepEqual(
      result.error.issues.map((issue) => issue.path.join('.')),
      ['job.timeout'],
    );
  });
});
