/** fileWait: a file (or done-marker) that appears, a file still growing, and the bound. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { waitForFiles } from '../src/activities/files/file-wait';
import { tempDir } from './helpers/fs';

let work: ReturnType<typeof tempDir>;
before(() => (work = tempDir('file-wait')));
after(() => work.cleanup());

const request = (file: string, extra: { stableFor?: number; maxWait?: number } = {}) => ({
  path: path.join(work.dir, file),
  pollInterval: 50,
  roots: [work.dir],
  ...extra,
});

describe('fileWait', () => {
  it('returns once the done-marker appears, reporting each poll meanwhile', async () => {
    const started = Date.now();
    setTimeout(() => writeFileSync(path.join(work.dir, 'hr.done'), ''), 400);
    const polls: string[] = [];
    const result = await waitForFiles(request('hr.done', { maxWait: 10_000 }), { progress: (p) => polls.push(p.phase) });
    assert.deepEqual(result.files, [{ name: 'hr.done', size: 0 }]);
    assert.ok(Date.now() - started >= 400);
    assert.ok(polls.length >= 3 && polls.every((phase) => phase.startsWith('waiting for')), polls.join());
  });

  it('with stableFor, a file still being written is taken only once its size stops changing', async () => {
    const file = path.join(work.dir, 'employees_growing.csv');
    writeFileSync(file, 'id,name\n');
    let rows = 0;
    const writer = setInterval(() => appendFileSync(file, `${++rows},name\n`), 60);
    setTimeout(() => clearInterval(writer), 800);
    const started = Date.now();
    const result = await waitForFiles(request('employees_*.csv', { stableFor: 300, maxWait: 10_000 }));
    const finalSize = Buffer.byteLength('id,name\n') + Array.from({ length: rows }, (_, i) => `${i + 1},name\n`).join('').length;
    assert.ok(Date.now() - started >= 800 + 300 - 100, `returned after ${Date.now() - started} ms`);
    assert.deepEqual(result.files, [{ name: 'employees_growing.csv', size: finalSize }]);
  });

  it('gives up after maxWait with a retryable FileWaitTimeout, counting from the first attempt', async () => {
    const started = Date.now();
    await assert.rejects(waitForFiles(request('never.csv', { maxWait: 300 })), (error) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.type, 'FileWaitTimeout');
      assert.equal(error.nonRetryable, false);
      assert.match(error.message, /nothing there after/);
      return true;
    });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 300 && elapsed < 3_000, `${elapsed} ms`);
    // A retried attempt whose wait began long ago does not get a fresh maxWait.
    const resumed = Date.now();
    await assert.rejects(waitForFiles(request('never.csv', { maxWait: 5_000 }), { waitingSince: Date.now() - 60_000 }), /FileWaitTimeout|nothing there/);
    assert.ok(Date.now() - resumed < 1_000);
  });
});
