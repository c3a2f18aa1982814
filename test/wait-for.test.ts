/**
 * The test helper most dev-server tests wait with: it must really wait for an async probe (a
 * Promise is never `false`, so a helper that does not await it returns at once and the test
 * races the thing it meant to wait for), and a wait that never comes true must fail naming it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from './helpers/fs';

describe('waitFor (test helper)', () => {
  it('waits for an async probe that becomes true after a while, and returns its value', async () => {
    const readyAt = Date.now() + 400;
    let calls = 0;
    const started = Date.now();
    const value = await waitFor(
      async () => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 10));
        return Date.now() >= readyAt ? { ready: true } : undefined;
      },
      30_000,
      'the probe to become ready',
    );
    assert.deepEqual(value, { ready: true });
    assert.ok(Date.now() - started >= 400, `returned after ${Date.now() - started} ms, before the probe was ready`);
    assert.ok(calls >= 2, `probed ${calls} time(s)`);
  });

  it('an async probe that resolves false is not ready', async () => {
    let calls = 0;
    const value = await waitFor(async () => ++calls >= 3 && calls, 30_000, 'the third call');
    assert.equal(value, 3);
  });

  it('an async probe that never becomes true times out, naming what it waited for', async () => {
    const started = Date.now();
    await assert.rejects(
      waitFor(async () => false, 300, 'the file that never comes'),
      (error: Error) => {
        assert.match(error.message, /timed out after 300 ms waiting for the file that never comes/);
        return true;
      },
    );
    assert.ok(Date.now() - started >= 300, 'it waited the whole time-out first');
  });
});
