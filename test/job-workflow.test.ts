/**
 * The retry ladder of jobWorkflow on the Java time-skipping test server: immediate retries,
 * the single delayed retry on a durable timer, and the per-attempt time-out that kills the
 * whole process tree. Assertions are on workflow time; nothing here really waits minutes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { JobRunInput, JobSpecInput } from '../src/catalog/schema/job-schema';
import type { JobResult } from '../src/catalog/schema/run-result';
import { jobWorkflow } from '../src/workflows';
import { createTestWorker, createTimeSkippingEnv } from './helpers/time-skipping';
import { untrustedMarker } from '../src/codec/untrusted';
import { WORKFLOW_STACK_FRAMES } from '../src/workflows/stack-depth';
import { processAlive, tempDir, waitFor } from './helpers/fs';
import { jobRun } from './helpers/runs';
import type { JobRun } from '../src/contracts/job';

const TASK_QUEUE = 'job-workflow-test';
let env: TestWorkflowEnvironment;
let work: ReturnType<typeof tempDir>;
let runCounter = 0;

before(async () => {
  env = await createTimeSkippingEnv();
  work = tempDir('job-workflow');
  process.env.JOBNET_LOG_DIR = path.join(work.dir, 'logs');
});
after(async () => {
  await env?.teardown();
  work?.cleanup();
});

/** A command that fails until it has been called `succeedOnCall` times (counted in a file). */
function failUntilCall(succeedOnCall: number): { command: string[]; calls: () => number } {
  const counter = path.join(work.dir, `calls-${++runCounter}`);
  const script = `n=$(cat "${counter}" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "${counter}"; echo "call $n"; if [ $n -lt ${succeedOnCall} ]; then echo "upstream not ready (call $n)" >&2; exit 1; fi`;
  return { command: ['sh', '-c', script], calls: () => Number(readFileSync(counter, 'utf8')) };
}

async function runJob(job: JobSpecInput): Promise<{ result: JobResult; workflowId: string }> {
  const workflowId = `test-${++runCounter}@2026-12-01`;
  const input: JobRunInput = { name: `test-${runCounter}`, businessDate: '2026-12-01', job };
  const worker = await createTestWorker(env, TASK_QUEUE);
  const result = await worker.runUntil(async () => {
    try {
      return await env.client.workflow.execute(jobWorkflow, { taskQueue: TASK_QUEUE, workflowId, args: [jobRun(input)] });
    } catch (error) {
      // A failed job reports its result in the failure's details.
      if (error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure && error.cause.details?.[0]) {
        return error.cause.details[0] as JobResult;
      }
      throw error;
    }
  });
  return { result, workflowId };
}

async function historyEvents(workflowId: string) {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  return history.events ?? [];
}

const seconds = (duration: { seconds?: unknown } | null | undefined) => Number(duration?.seconds ?? 0);

describe('jobWorkflow retry ladder (time-skipping)', () => {
  it('fails twice, then succeeds on the third of 3 immediate attempts', async () => {
    const flaky = failUntilCall(3);
    const { result } = await runJob({ command: flaky.command, retry: { attempts: 3, interval: '1m' } });
    assert.equal(result.status, 'success');
    assert.equal(result.attempts, 3);
    assert.equal(flaky.calls(), 3);
    assert.equal(result.delayedRetry, false);
    assert.deepEqual(
      result.events.map((e) => e.type),
      ['started', 'succeeded'],
    );
    // Two retry intervals of 1 minute passed in workflow time.
    const elapsed = Date.parse(result.endTime) - Date.parse(result.startTime);
    assert.ok(elapsed >= 120_000 && elapsed < 180_000, `workflow time elapsed ${elapsed} ms`);
  });

  it('after the immediate attempts fail, waits exactly delayedRetry.after and succeeds on the delayed run', async () => {
    const late = failUntilCall(3);
    const { result, workflowId } = await runJob({
      command: late.command,
      retry: { attempts: 2, interval: '10s' },
      delayedRetry: { after: '6m' },
    });
    assert.equal(result.status, 'success');
    assert.equal(result.delayedRetry, true);
    assert.equal(result.attempts, 3);
    assert.equal(late.calls(), 3);
    assert.deepEqual(
      result.events.map((e) => e.type),
      ['started', 'failed', 'retry_scheduled', 'retry_succeeded'],
    );

    const failed = result.events.find((e) => e.type === 'failed')!;
    const scheduled = result.events.find((e) => e.type === 'retry_scheduled')!;
    assert.equal(Date.parse(scheduled.retryAt!) - Date.parse(scheduled.at), 6 * 60_000);
    assert.match(failed.error ?? '', /upstream not ready/);

    const timers = (await historyEvents(workflowId)).filter((e) => e.timerStartedEventAttributes);
    assert.equal(timers.length, 1, 'exactly one durable timer');
    assert.equal(seconds(timers[0]!.timerStartedEventAttributes!.startToFireTimeout), 360);
  });

  it('fails on the delayed run as well: ends failed, and no third series is ever scheduled', async () => {
    const never = failUntilCall(1_000);
    const { result, workflowId } = await runJob({
      command: never.command,
      retry: { attempts: 2, interval: '10s' },
      delayedRetry: { after: '6m' },
    });
    assert.equal(result.status, 'error');
    assert.equal(result.attempts, 3);
    assert.deepEqual(
      result.events.map((e) => e.type),
      ['started', 'failed', 'retry_scheduled', 'retry_failed'],
    );

    // Hours later in workflow time, still nothing more ran: the run is closed.
    await env.sleep('3h');
    assert.equal(never.calls(), 3);
    const events = await historyEvents(workflowId);
    assert.equal(events.filter((e) => e.timerStartedEventAttributes).length, 1);
    assert.equal(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runCommand').length, 2);
    const description = await env.client.workflow.getHandle(workflowId).describe();
    assert.equal(description.status.name, 'FAILED');
  });

  it('a non-retryable exit code stops the ladder at once, delayed retry included', async () => {
    const { result } = await runJob({
      command: ['sh', '-c', 'echo "bad parameters" >&2; exit 2'],
      retry: { attempts: 3, interval: '1m', nonRetryable: ['exit:2'] },
      delayedRetry: { after: '6m' },
    });
    assert.equal(result.status, 'error');
    assert.equal(result.attempts, 1);
    assert.equal(result.exitCode, 2);
    assert.equal(result.delayedRetry, false);
    assert.match(result.error ?? '', /exited with code 2: bad parameters/);
  });

  it('a job that is not safe to repeat runs once: no immediate retry, no delayed retry', async () => {
    const never = failUntilCall(1_000);
    const { result } = await runJob({
      command: never.command,
      retry: { attempts: 3, interval: '1m' },
      delayedRetry: { after: '6m' },
      safeToRepeat: false,
    });
    assert.equal(result.status, 'error');
    assert.equal(never.calls(), 1);
    assert.deepEqual(
      result.events.map((e) => e.type),
      ['started', 'failed'],
    );
  });

  it('kills the whole process tree at the per-attempt timeout and reports timeout', async () => {
    const pidFile = path.join(work.dir, 'grandchild.pid');
    const { result } = await runJob({
      // The shell starts a grandchild that would sleep for 5 minutes, then sleeps itself.
      command: ['sh', '-c', `sleep 300 & echo $! > "${pidFile}"; sleep 300`],
      timeout: '2s',
      killGrace: '1s',
    });
    assert.equal(result.status, 'timeout');
    assert.equal(result.errorType, 'CommandTimeout');
    assert.deepEqual(
      result.events.map((e) => e.type),
      ['started', 'timeout'],
    );
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => !processAlive(grandchild), 5_000, `grandchild ${grandchild} to be gone`);
  });

  it(
    'a command that ignores SIGTERM at its time-out gets SIGKILL from the worker itself after killGrace: the attempt ends, its processes are gone',
    { timeout: 180_000 },
    async () => {
      const pidFile = path.join(work.dir, 'stubborn.pids');
      const started = path.join(work.dir, 'stubborn.started');
      const alive = path.join(work.dir, 'stubborn.alive');
      // Shell and grandchild ignore TERM (inherited); only a KILL ends them. The shell notes the
      // time every 0.1 s while it lives. The worker of this test process stays up, so its reaper
      // (which kills only when the worker dies) plays no part.
      const { result } = await runJob({
        command: [
          'sh',
          '-c',
          `trap "" TERM; sleep 300 & echo "$$ $!" > "${pidFile}"; date +%s%3N > "${started}"; while :; do date +%s%3N > "${alive}"; sleep 0.1; done; echo "survived TERM"`,
        ],
        timeout: '2s',
        killGrace: '3s',
      });
      assert.equal(result.status, 'timeout');
      assert.equal(result.errorType, 'CommandTimeout', "the worker ended the attempt, not Temporal's backstop time-out");
      assert.equal(result.exitCode, null, 'killed by a signal');
      assert.doesNotMatch(result.output, /survived TERM/);
      // TERM at 2 s was ignored; the KILL came after the 3 s grace (at about 5 s), not before and not much after.
      const lived = Number(readFileSync(alive, 'utf8')) - Number(readFileSync(started, 'utf8'));
      assert.ok(lived >= 4_000 && lived < 15_000, `the command lived ${lived} ms; timeout + killGrace is 5,000 ms`);
      const [shell, grandchild] = readFileSync(pidFile, 'utf8').trim().split(/\s+/).map(Number) as [number, number];
      // Gone when the attempt reports (a moment for the kernel to reap the orphaned grandchild).
      await waitFor(() => !processAlive(shell) && !processAlive(grandchild), 3_000, `the command's processes ${shell} and ${grandchild} to be gone`);
    },
  );

  it('rejects a bad input at the workflow entry with every path, before any command runs', async () => {
    const workflowId = `bad-input-${++runCounter}@2026-12-01`;
    const worker = await createTestWorker(env, TASK_QUEUE);
    const failure = await worker.runUntil(
      env.client.workflow
        .execute(jobWorkflow, {
          taskQueue: TASK_QUEUE,
          workflowId,
          // Not parsed: a run started from outside jobnet's clients, checked at the workflow's entry.
          args: [{ name: 'bad', businessDate: '2026-12-01', job: { command: [], timeout: 0, delayedRetry: { after: 'soon' } } } as unknown as JobRun],
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        ),
    );
    assert.ok(failure instanceof WorkflowFailedError && failure.cause instanceof ApplicationFailure, String(failure));
    assert.equal(failure.cause.type, 'InvalidInput');
    assert.equal(failure.cause.nonRetryable, true);
    for (const path of ['job.command', 'job.timeout', 'job.delayedRetry.after']) assert.match(failure.cause.message, new RegExp(path.replaceAll('.', '\\.')));
    const scheduled = (await historyEvents(workflowId)).filter((e) => e.activityTaskScheduledEventAttributes);
    assert.equal(scheduled.length, 0, 'nothing was started');
  });

  it('an attempt result no key holder wrote is refused: the run fails with the refusal, and nothing retries it', async () => {
    // What a worker's codec hands the workflow for a forged or unencrypted completion (codec.test.ts).
    // The job's runner checks it itself (the interceptor leaves runCommand to its caller).
    const queue = 'job-forged';
    const forging = await createTestWorker(env, queue, { runCommand: async () => untrustedMarker('not encrypted by a key holder') });
    const workflowId = `forged-${++runCounter}@2026-12-01`;
    const job: JobSpecInput = { command: ['true'], retry: { attempts: 3, interval: '1s' }, delayedRetry: { after: '10m' } };
    const failure = await forging.runUntil(
      env.client.workflow.execute(jobWorkflow, { taskQueue: queue, workflowId, args: [jobRun({ name: 'forged', businessDate: '2026-12-01', job })] }).then(
        () => undefined,
        (error: unknown) => error,
      ),
    );
    assert.ok(failure instanceof WorkflowFailedError && failure.cause instanceof ApplicationFailure, String(failure));
    const result = failure.cause.details?.[0] as JobResult;
    assert.equal(result.status, 'error');
    assert.equal(result.errorType, 'UntrustedPayload');
    assert.match(result.error ?? '', /result of activity runCommand refused: not encrypted by a key holder/);
    assert.equal(result.delayedRetry, false, 'a refusal is not worth a delayed retry');
    const scheduled = (await historyEvents(workflowId)).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runCommand');
    assert.equal(scheduled.length, 1, 'one series, no delayed run');
  });

  it("keeps the innermost frames of workflow code per recorded stack (stack-depth.ts), not V8's default ten", async () => {
    const workflowId = `stacks-${++runCounter}@2026-12-01`;
    const worker = await createTestWorker(env, TASK_QUEUE);
    const stacks = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(jobWorkflow, {
        taskQueue: TASK_QUEUE,
        workflowId,
        args: [jobRun({ name: 'stacks', businessDate: '2026-12-01', job: { command: ['sleep', '30'] } })],
      });
      // The stacks of a run waiting for its command: the SDK's `__stack_trace` query (the Web UI's Stack Trace tab).
      const text = await waitFor(
        async () => {
          const started = (await historyEvents(workflowId)).some((e) => e.activityTaskScheduledEventAttributes);
          return started && (await handle.query<string>('__stack_trace'));
        },
        20_000,
        'the command to start',
      );
      await handle.terminate('test done');
      return text.split(/\n\n+/).map((stack) => stack.split('\n').filter((line) => /^\s+at /.test(line)).length);
    });
    assert.ok(stacks.length > 0 && stacks.every((frames) => frames > 0), `stacks recorded: ${JSON.stringify(stacks)}`);
    // At least one of the frames V8 records is the SDK's promise hook's own.
    assert.ok(Math.max(...stacks) <= WORKFLOW_STACK_FRAMES - 1, `frames per stack: ${JSON.stringify(stacks)}`);
  });

  it('writes exactly one run-log line per run', async () => {
    const { result } = await runJob({ command: ['sh', '-c', 'echo done; echo JOBNET_RECORD_COUNT=42'] });
    const file = path.join(work.dir, 'logs', 'batch_20261201.jsonl');
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const mine = lines.filter((line) => line.run_id === result.runId);
    assert.equal(mine.length, 1);
    assert.equal(mine[0]!.status, 'success');
    assert.equal(mine[0]!.record_count, 42);
    assert.equal(mine[0]!.job_name, result.name);
    for (const field of ['start_time', 'end_time', 'output', 'error', 'business_date', 'attempt', 'delayed_retry']) {
      assert.ok(field in mine[0]!, `run log has ${field}`);
    }
  });
});
