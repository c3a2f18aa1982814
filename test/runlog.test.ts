import { after, before, describe, it, mock } from 'node:test';
import { promises as fs } from 'node:fs';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { appendRunLog, type RunLogRecord } from '../src/activities/runlog';
import { tempDir } from './helpers/fs';

let work: ReturnType<typeof tempDir>;
before(() => {
  work = tempDir('runlog');
  process.env.JOBNET_LOG_DIR = work.dir;
});
after(() => work.cleanup());

const record = (runId: string): RunLogRecord => ({
  job_name: 'nightly',
  start_time: '2026-12-01T03:00:00.000Z',
  end_time: '2026-12-01T03:01:00.000Z',
  status: 'success',
  output: 'x'.repeat(10_000),
  error: null,
  run_id: runId,
  workflow_id: 'nightly@2026-12-01',
  business_date: '2026-12-01',
  attempt: 1,
  delayed_retry: false,
  record_count: 3,
});

describe('run log', () => {
  it('writes one line per run even when the activity is retried', async () => {
    const first = await appendRunLog(record('run-a'));
    const again = await appendRunLog(record('run-a'));
    await appendRunLog(record('run-b'));
    assert.equal(first.written, true);
    assert.equal(again.written, false);
    const lines = readFileSync(first.file, 'utf8').trim().split('\n');
    assert.equal(lines.length, 2);
    assert.ok(first.file.endsWith('batch_20261201.jsonl'));
    const parsed = JSON.parse(lines[0]!) as RunLogRecord;
    assert.equal(parsed.run_id, 'run-a');
    assert.ok(parsed.output.length <= 4_000, 'output in the log is a bounded tail');
  });
});

describe('run log appends in O(1)', () => {
  it('never reads the day’s file on the normal path; a retried append reads it once and writes nothing twice', async () => {
    const read = mock.method(fs, 'readFile');
    try {
      const first = await appendRunLog({ ...record('run-c'), business_date: '2026-12-02' });
      await appendRunLog({ ...record('run-d'), business_date: '2026-12-02' });
      assert.equal(read.mock.callCount(), 0, 'two new runs: only a marker create and an append each');
      const again = await appendRunLog({ ...record('run-c'), business_date: '2026-12-02' });
      assert.equal(read.mock.callCount(), 1, 'a retry of run-c looks for its line');
      assert.equal(again.written, false);
      assert.equal(readFileSync(first.file, 'utf8').trim().split('\n').length, 2);
    } finally {
      read.mock.restore();
    }
  });

  it('a retry whose first try stopped between marker and line writes the line', async () => {
    const first = await appendRunLog({ ...record('run-e'), business_date: '2026-12-03' });
    // The line is lost as if the worker died after the marker: the marker alone remains.
    writeFileSync(first.file, '');
    const again = await appendRunLog({ ...record('run-e'), business_date: '2026-12-03' });
    assert.equal(again.written, true);
    assert.equal(readFileSync(first.file, 'utf8').trim().split('\n').length, 1);
  });
});
