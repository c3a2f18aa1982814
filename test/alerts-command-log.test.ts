/**
 * What a command's attempt logs on the worker (seed 001 §6): a start line with the run, the time
 * and the parameters, and a progress line each time the records it reports pass a multiple of
 * 1000 — read from its stdout as it streams, not at the end. (The end line, with count, duration
 * and status, is the run log's: runlog.test.ts.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import { runCommand, type CommandOutcome } from '../src/activities/command';
import { sdkLogger } from '../src/temporal/logger';

interface Line {
  level: LogLevel;
  message: string;
  meta: LogMetadata | undefined;
}

function captureLogger(lines: Line[]): Logger {
  return sdkLogger((level, message, meta) => void lines.push({ level, message, meta }));
}

describe('the log lines of a command attempt', () => {
  it('logs its start with the parameters, then progress at 1000 and 2000 records while it runs', async () => {
    const lines: Line[] = [];
    const env = new MockActivityEnvironment({ attempt: 2 }, { logger: captureLogger(lines) });
    const script = 'for n in 400 900 1000 1700 2600; do echo JOBNET_RECORD_COUNT=$n; sleep 0.05; done';
    const outcome: CommandOutcome = await env.run(runCommand, {
      command: ['sh', '-c', script],
      env: { REGION: 'tokyo' },
      timeout: 10_000,
      killGrace: 1_000,
      jobName: 'BATCH-001',
      businessDate: '2026-12-01',
      nonRetryableExitCodes: [],
    });
    assert.equal(outcome.recordCount, 2600);
    const start = lines.find((line) => line.message === 'BATCH-001: command started');
    assert.ok(start, lines.map((line) => line.message).join('\n'));
    assert.equal(start.level, 'INFO');
    assert.deepEqual(start.meta?.command, ['sh', '-c', script]);
    assert.deepEqual(start.meta?.env, { REGION: 'tokyo' });
    assert.equal(start.meta?.attempt, 2);
    assert.equal(start.meta?.businessDate, '2026-12-01');
    assert.ok(!Number.isNaN(Date.parse(String(start.meta?.startTime))));
    const progress = lines.filter((line) => line.message.endsWith('records processed'));
    assert.deepEqual(
      progress.map((line) => line.meta?.records),
      [1000, 2600],
      'once per multiple of 1000 passed (2600 passes 2000)',
    );
  });
});
