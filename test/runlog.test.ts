import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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
