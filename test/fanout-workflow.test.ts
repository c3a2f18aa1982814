/**
 * fanoutWorkflow on the time-skipping test server: 1,000 partitions of a real command job, 3 of
 * which fail — the other 997 complete, the run ends `partial` with the 3 keys grouped by error
 * type (each type with its runbook), and a retry round (`retry-partitions --failed`) runs
 * exactly those 3 and nothing else (counted from what the commands themselves record).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { FanoutRunInput } from '../src/catalog/compile/fanout-input';
import { InvalidInputError } from '../src/validation/validation-error';
import { fanoutOutcome, retryPartitions } from '../src/runs/retry-partitions';
import { fanoutStatusLines } from '../src/workflows/fanout-definitions';
import { createTestWorker, createTimeSkippingEnv } from './helpers/time-skipping';
import { untrustedMarker } from '../src/codec/untrusted';
import { tempDir } from './helpers/fs';
import { jobSpec } from './helpers/runs';

const QUEUE = 'fanout-ts';
const FAILING = { k0100: 3, k0500: 3, k0900: 4 } as const;
const RUNBOOK = 'https://wiki.example/runbooks/bad-company-data';

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const work = tempDir('fanout-ts');

before(async () => {
  env = await createTimeSkippingEnv();
  worker = await createTestWorker(env, QUEUE);
  running = worker.run();
});
after(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  work.cleanup();
});

/** Each partition appends its run id to `log`; the failing keys exit non-zero, except in their second round. */
function input(name: string, log: string, keys: string[]): FanoutRunInput {
  const cases = Object.entries(FAILING)
    .map(([key, code]) => `${key}) echo "bad data for $JOBNET_ITEM" >&2; exit ${code};;`)
    .join(' ');
  return {
    name,
    businessDate: '2026-12-01',
    source: { kind: 'items', items: keys },
    item: {
      name: 'bill-company',
      job: jobSpec({
        command: ['sh', '-c', `echo "$JOBNET_RUN_ID" >> "${log}"; case "$JOBNET_RUN_ID" in *'#2') exit 0;; esac; case "$JOBNET_ITEM" in ${cases} esac`],
        timeout: '1m',
        // Not safe to repeat: seed 004's rule — no automatic retry at all.
        safeToRepeat: false,
        retry: { attempts: 3, interval: '1s' },
      }),
    },
    maxParallel: 32,
    runbooks: { 'exit:3': RUNBOOK },
  };
}

const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n');

describe('fan-out (time-skipping)', () => {
  it('1,000 partitions, 3 fail: 997 complete, partial with the 3 by error type; retry --failed runs exactly those 3', { timeout: 240_000 }, async () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `k${String(i).padStart(4, '0')}`);
    const log = path.join(work.dir, 'runs.log');
    const workflowId = 'monthly-billing@2026-12-01';
    const handle = await env.client.workflow.start('fanoutWorkflow', { taskQueue: QUEUE, workflowId, args: [input('monthly-billing', log, keys)] });
    const result = await fanoutOutcome(handle);

    assert.equal(result.status, 'partial');
    assert.equal(result.total, 1000);
    assert.equal(result.succeeded, 997);
    assert.equal(result.failed, 3);
    assert.deepEqual(
      result.failedPartitions
        .map(({ key, attempt, errorType, runbookUrl, runId: id }) => ({ key, attempt, errorType, runbookUrl, id }))
        .sort((a, b) => a.key.localeCompare(b.key)),
      [
        { key: 'k0100', attempt: 1, errorType: 'exit:3', runbookUrl: RUNBOOK, id: `${workflowId}/k0100` },
        { key: 'k0500', attempt: 1, errorType: 'exit:3', runbookUrl: RUNBOOK, id: `${workflowId}/k0500` },
        { key: 'k0900', attempt: 1, errorType: 'exit:4', runbookUrl: null, id: `${workflowId}/k0900` },
      ],
    );
    assert.deepEqual(
      result.failures.map((g) => [g.errorType, g.count, g.runbookUrl, [...g.keys].sort()]),
      [
        ['exit:3', 2, RUNBOOK, ['k0100', 'k0500']],
        ['exit:4', 1, null, ['k0900']],
      ],
    );
    assert.match(result.failedPartitions[0]!.error, /bad data for k0/);
    const ran = lines(log);
    assert.equal(ran.length, 1000, 'every partition ran once: no automatic retry of a job not safe to repeat');
    assert.equal(new Set(ran).size, 1000);
    const status = fanoutStatusLines(result).join('\n');
    assert.match(status, /partial — 1000\/1000 partitions done: 997 succeeded, 3 failed, 0 running, 0 pending/);
    assert.match(status, new RegExp(`failed exit:3 ×2 \\(runbook ${RUNBOOK.replace(/[.]/g, '\\.')}\\): k0[15]00, k0[15]00`));

    // A partition that succeeded is never run again, not even when named.
    await assert.rejects(retryPartitions(env.client, workflowId, { keys: ['k0100', 'k0001'] }), (error: unknown) => {
      assert.ok(error instanceof InvalidInputError);
      assert.deepEqual(
        error.problems.map((p) => p.path),
        ['--keys k0001'],
      );
      return true;
    });
    const retry = await retryPartitions(env.client, workflowId, { failed: true });
    assert.deepEqual(retry.keys.map((k) => `${k.key}#${k.attempt}`).sort(), ['k0100#2', 'k0500#2', 'k0900#2']);
    const second = await fanoutOutcome(retry.handle);
    assert.equal(second.status, 'success');
    assert.equal(second.succeeded, 1000);
    assert.equal(second.failed, 0);
    assert.equal(second.round, 2);
    const rerun = lines(log).slice(1000);
    assert.deepEqual(rerun.sort(), [`${workflowId}/k0100#2`, `${workflowId}/k0500#2`, `${workflowId}/k0900#2`]);
  });

  it('a key is data, not a template: `${VAR}` in it reaches the command and the activity as written', { timeout: 60_000 }, async () => {
    // Keys come from file listings and queries; resolving them would hand the worker's environment to whoever named a file.
    process.env.JOBNET_KEY_PROBE = 'resolved-from-the-worker-environment';
    const keys = ['${JOBNET_KEY_PROBE}', 'cost$HOME', 'plain'];
    const seen: string[] = [];
    const queue = 'fanout-literal-keys';
    const literal = await createTestWorker(env, queue, {
      recordItem: async (input: { args: { item: string } }) => {
        seen.push(input.args.item);
        return {};
      },
    });
    const log = path.join(work.dir, 'literal.log');
    const [command, activity] = await literal.runUntil(async () => {
      const run = (name: string, job: ReturnType<typeof jobSpec>) =>
        env.client.workflow
          .start('fanoutWorkflow', {
            taskQueue: queue,
            workflowId: `${name}@2026-12-01`,
            args: [{ name, businessDate: '2026-12-01', source: { kind: 'items', items: keys }, item: { name: 'probe', job }, maxParallel: 3 }],
          })
          .then(fanoutOutcome);
      return [
        await run('literal-command', jobSpec({ command: ['sh', '-c', `printf '%s\\n' "$JOBNET_ITEM" >> "${log}"`], timeout: '1m' })),
        await run('literal-activity', jobSpec({ activity: { name: 'recordItem', args: { note: '${JOBNET_KEY_PROBE}' } }, timeout: '1m' })),
      ];
    });
    delete process.env.JOBNET_KEY_PROBE;
    assert.equal(command.succeeded, 3, JSON.stringify(command.failedPartitions));
    assert.deepEqual(lines(log).sort(), [...keys].sort());
    assert.equal(activity.succeeded, 3, JSON.stringify(activity.failedPartitions));
    assert.deepEqual(seen.sort(), [...keys].sort());
  });

  it('a batch result no key holder wrote counts for nothing: its keys fail with the refusal, none succeeds', { timeout: 60_000 }, async () => {
    // What a worker's codec hands the workflow for a forged or unencrypted completion (codec.test.ts):
    // here every batch "completes" with it.
    const queue = 'fanout-forged';
    const forging = await createTestWorker(env, queue, { runPartitions: async () => untrustedMarker('not encrypted by a key holder') });
    const result = await forging.runUntil(async () => {
      const handle = await env.client.workflow.start('fanoutWorkflow', {
        taskQueue: queue,
        workflowId: 'forged-billing@2026-12-01',
        args: [{ ...input('forged-billing', path.join(work.dir, 'forged.log'), ['a', 'b', 'c']), maxParallel: 2 }],
      });
      return fanoutOutcome(handle);
    });
    assert.equal(result.status, 'error');
    assert.equal(result.succeeded, 0);
    assert.equal(result.failed, 3);
    for (const failure of result.failedPartitions) assert.match(failure.error, /result of activity runPartitions refused: not encrypted by a key holder/);
  });
});
