import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { commandJobSchema } from '../src/catalog/job-schema';
import { toJobInput } from '../src/catalog/job-input';

describe('toJobInput', () => {
  it('round-trips a job with every field set: parse(toJobInput(parse(x))) equals parse(x)', () => {
    const parsed = commandJobSchema.parse({
      description: 'd',
      command: ['true'],
      cwd: '/tmp',
      env: { A: '1' },
      queue: 'q',
      host: 'h',
      timeout: '90s',
      killGrace: 3,
      heartbeatTimeout: '1m',
      retry: { attempts: 3, interval: '2m', backoff: 2, maxInterval: '10m', nonRetryable: ['exit:2'] },
      delayedRetry: { after: '6m' },
      safeToRepeat: false,
    });
    assert.deepEqual(commandJobSchema.parse(toJobInput(parsed)), parsed);
    // Each optional field really was set, so the round trip covered it.
    for (const [key, value] of Object.entries(parsed)) assert.notEqual(value, undefined, key);
    assert.equal(Object.keys(parsed).length, Object.keys(commandJobSchema.shape).length, 'every field of the schema is set above');
  });

  it('round-trips the defaults', () => {
    const parsed = commandJobSchema.parse({ command: ['true'] });
    assert.deepEqual(commandJobSchema.parse(toJobInput(parsed)), parsed);
  });
});
