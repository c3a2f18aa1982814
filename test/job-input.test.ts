import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jobSpecSchema } from '../src/catalog/job-schema';
import { toJobInput } from '../src/catalog/job-input';

describe('toJobInput', () => {
  it('round-trips a job with every field set: parse(toJobInput(parse(x))) equals parse(x)', () => {
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
    assert.deepEqual(jobSpecSchema.parse(toJobInput(parsed)), parsed);
    // Each optional field really was set, so the round trip covered it.
    for (const [key, value] of Object.entries(parsed)) assert.notEqual(value, undefined, key);
    assert.equal(Object.keys(parsed).length, Object.keys(jobSpecSchema.shape).length, 'every field of the schema is set above');
  });

  it('round-trips the defaults', () => {
    const parsed = jobSpecSchema.parse({ command: ['true'] });
    assert.deepEqual(jobSpecSchema.parse(toJobInput(parsed)), parsed);
  });
});
