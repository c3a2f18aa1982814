/**
 * jobnetWorkflow on the Java time-skipping test server: the DAG of child jobWorkflows, trigger
 * rules, failure policies and the operator's retry / skip / abort (Updates and Signals).
 *
 * Every command appends "<step> start <ms>" / "<step> end <ms>" lines to a trace file. The
 * file's line order (appends are sequential) and its timestamps prove the ORDER steps ran in
 * and how often each ran; durations are only ever asserted in workflow time.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { jobnetRunInput, jobnetRunSchema, type JobnetRun, type JobnetRunInput } from '../src/catalog/compile/jobnet-input';
import { parseCatalog } from '../src/catalog/load/load';
import { jobnetWorkflow } from '../src/workflows';
import {
  JOBNET_FAILED,
  abortJobnetUpdate,
  abortSignal,
  jobnetResultSchema,
  jobnetStateQuery,
  retrySignal,
  retryStepUpdate,
  skipSignal,
  skipStepUpdate,
  type JobnetCarry,
  type JobnetResult,
  type JobnetState,
  type StepState,
} from '../src/workflows/jobnet-definitions';
import { jobnetWorkerOptions } from '../src/worker-setup';
import { bindCommandVariables } from './helpers/host-values';
import { createTestWorker, createTimeSkippingEnv, sharedBundle } from './helpers/time-skipping';
import { tempDir } from './helpers/fs';

const TASK_QUEUE = 'jobnet-workflow-test';
const SEED_001 = path.join(__dirname, 'fixtures', 'catalogs', 'seed-001.yaml');
const BUSINESS_DATE = '2026-12-01';
let env: TestWorkflowEnvironment;
let work: ReturnType<typeof tempDir>;
let counter = 0;

before(async () => {
  env = await createTimeSkippingEnv();
  work = tempDir('jobnet-workflow');
  process.env.JOBNET_LOG_DIR = path.join(work.dir, 'logs');
});
after(async () => {
  await env?.teardown();
  work?.cleanup();
});

interface TraceLine {
  step: string;
  event: 'start' | 'end';
  at: number;
}

/** The trace file's lines in the order they were appended. */
function readTrace(file: string): TraceLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [step, event, at] = line.split(' ');
      assert.ok(step && (event === 'start' || event === 'end') && at, `trace line "${line}"`);
      return { step, event, at: Number(at) };
    });
}

const starts = (trace: TraceLine[], step: string) => trace.filter((line) => line.step === step && line.event === 'start').length;

/** Each step ran exactly `expected[step]` times (0 for any step not listed). */
function assertRuns(trace: TraceLine[], expected: Record<string, number>): void {
  const steps = new Set([...Object.keys(expected), ...trace.map((line) => line.step)]);
  for (const step of steps) assert.equal(starts(trace, step), expected[step] ?? 0, `${step} ran ${starts(trace, step)} times`);
}

/** `first`'s `firstEvent` line comes before `second`'s `secondEvent` line, in the file and on the clock. */
function assertBefore(trace: TraceLine[], [first, firstEvent]: [string, TraceLine['event']], [second, secondEvent]: [string, TraceLine['event']]): void {
  const a = trace.findIndex((line) => line.step === first && line.event === firstEvent);
  const b = trace.findIndex((line) => line.step === second && line.event === secondEvent);
  assert.ok(a >= 0 && b >= 0, `${first} ${firstEvent} and ${second} ${secondEvent} are in the trace`);
  assert.ok(a < b && trace[a]!.at <= trace[b]!.at, `${first} ${firstEvent} before ${second} ${secondEvent}`);
}

/** The seed 001 jobnet from the fixture catalog, tracing to its own file. */
function seed001(options: { fails?: number } = {}): { input: JobnetRun; trace: string } {
  const trace = path.join(work.dir, `trace-${++counter}.log`);
  const vars = { ...process.env, JOBNET_TRACE: trace, BATCH_001_FAILS: String(options.fails ?? 0) };
  const catalog = parseCatalog(readFileSync(SEED_001, 'utf8'), SEED_001, { env: vars });
  // Each run traces to its own file: fixed in its input, as its worker's environment would.
  const input = bindCommandVariables(jobnetRunInput(catalog, 'seed-001', BUSINESS_DATE, vars), vars);
  // The DAG without the fixture's lock and after-gate: the Java test server stops skipping
  // time once such long-lived lock and gate workflows pile up in one environment, and both have
  // their own tests (lock-*.test.ts, coordination-jobs.test.ts).
  for (const step of Object.values(input.steps)) {
    if (!step.job) continue;
    step.job.locks = [];
    delete step.job.announceAs;
  }
  return { input, trace };
}

function step(input: JobnetRunInput, name: string) {
  const found = input.steps[name];
  assert.ok(found, `step ${name}`);
  return found;
}

async function withWorker<T>(fn: (worker: Worker) => Promise<T>): Promise<T> {
  const worker = await createTestWorker(env, TASK_QUEUE);
  return worker.runUntil(fn(worker));
}

/** Every jobnet run of this file, replayed at the end to prove the workflow code deterministic. */
const startedRuns: string[] = [];

function start(input: JobnetRunInput, carry?: JobnetCarry): Promise<WorkflowHandle<typeof jobnetWorkflow>> {
  const workflowId = `${input.name}@${input.businessDate}+${++counter}`;
  startedRuns.push(workflowId);
  // Parsed as jobnet's clients parse a run input before they start it.
  const run = jobnetRunSchema.parse(input);
  return env.client.workflow.start(jobnetWorkflow, { taskQueue: TASK_QUEUE, workflowId, args: carry ? [run, carry] : [run] });
}

/** The run's result, from its return value or, for a failed run, from its failure's details. */
async function outcome(handle: WorkflowHandle<typeof jobnetWorkflow>): Promise<{ result: JobnetResult; failure?: ApplicationFailure }> {
  try {
    return { result: jobnetResultSchema.parse(await handle.result()) };
  } catch (error) {
    if (error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure && error.cause.type === JOBNET_FAILED) {
      return { result: jobnetResultSchema.parse(error.cause.details?.[0]), failure: error.cause };
    }
    throw error;
  }
}

/** Polls the run's state (real time, while the test server's clock is locked) until `ready`. */
async function stateWhen(handle: WorkflowHandle<typeof jobnetWorkflow>, ready: (state: JobnetState) => boolean, what: string): Promise<JobnetState> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const state = await handle.query(jobnetStateQuery);
    if (ready(state)) return state;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; state: ${JSON.stringify(state.steps)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const statusOf = (state: { steps: Record<string, StepState> }, name: string) => state.steps[name]?.status;
const waitingFor = (name: string) => (state: JobnetState) => statusOf(state, name) === 'waiting-operator';

async function rejection(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof WorkflowUpdateFailedError, `update refused, got ${String(error)}`);
  return error.cause?.message ?? '';
}

describe('jobnetRunInput and the run input schema', () => {
  it('builds seed 001 from the catalog: used jobs as command jobs, needs, rules and policies', () => {
    const { input, trace } = seed001();
    assert.deepEqual(Object.keys(input.steps), ['BATCH-000', 'BATCH-001', 'BATCH-002', 'on-error']);
    assert.deepEqual(step(input, 'BATCH-002').needs, ['BATCH-001']);
    assert.equal(step(input, 'BATCH-001').onFailure, 'wait', "the used job's own onFailure");
    assert.equal(step(input, 'on-error').when, 'failed');
    assert.equal(step(input, 'BATCH-000').job?.env?.TRACE, trace, '${JOBNET_TRACE} fixed for this run');
    const asBuilt = jobnetRunInput(parseCatalog(readFileSync(SEED_001, 'utf8'), SEED_001, { env: { JOBNET_TRACE: trace } }), 'seed-001', BUSINESS_DATE);
    assert.equal(step(asBuilt, 'BATCH-000').job?.env?.TRACE, '${JOBNET_TRACE}', 'the catalog leaves it for the worker to resolve');
    // Durations travel parsed, in milliseconds, and the run's own reading takes them as they are.
    assert.equal(step(input, 'BATCH-000').job?.timeout, 1_800_000);
    const parsed = jobnetRunSchema.parse(input);
    assert.equal(parsed.operatorMaxWait, 24 * 3_600_000);
    assert.deepEqual(parsed, input);
  });

  it('builds steps of every kind: commands, activities, file kinds, nested jobnets and fan-outs', () => {
    const catalog = parseCatalog(
      [
        'jobs:',
        '  rank: { activity: rankingUpdate, args: { windowDays: 30 } }',
        '  per-company: { command: [echo] }',
        'jobnets:',
        '  inner:',
        '    jobs:',
        '      hello: { command: [echo, hi] }',
        '  nightly:',
        '    jobs:',
        '      wait: { fileWait: { path: /in/hr.csv } }',
        '      rank: { use: rank, needs: [wait] }',
        '      sub: { jobnet: inner, needs: [rank] }',
        '  monthly:',
        '    jobs:',
        '      bill: { fanout: { items: [a, b], job: per-company } }',
      ].join('\n'),
    );
    const nightly = jobnetRunInput(catalog, 'nightly', BUSINESS_DATE);
    assert.equal(step(nightly, 'wait').job?.activity?.name, 'fileWait');
    assert.deepEqual(step(nightly, 'rank').job?.activity, { name: 'rankingUpdate', args: { windowDays: 30 } });
    assert.equal(step(nightly, 'sub').jobnet?.name, 'inner');
    assert.deepEqual(step(nightly, 'sub').jobnet?.steps.hello?.job?.command, ['echo', 'hi']);
    // A fan-out step runs as a child fan-out (README "Fan-out"), its item job resolved.
    const bill = step(jobnetRunInput(catalog, 'monthly', BUSINESS_DATE), 'bill').fanout;
    assert.deepEqual(bill?.source, { kind: 'items', items: ['a', 'b'] });
    assert.deepEqual(bill?.item.job.command, ['echo']);
    assert.throws(() => jobnetRunInput(catalog, 'nightli', BUSINESS_DATE), /did you mean "nightly"/);
  });

  it('refuses needs of unknown steps and cycles', () => {
    const job = { command: ['true'] };
    const result = jobnetRunSchema.safeParse({
      name: 'loop',
      businessDate: BUSINESS_DATE,
      steps: { a: { job, needs: ['c'] }, b: { job, needs: ['a'] }, c: { job, needs: ['b'] }, d: { job, needs: ['aa', 'constructor'] } },
    });
    assert.ok(!result.success);
    const issues = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    assert.ok(
      issues.some((issue) => /^steps\.d\.needs\.0: unknown step "aa" — did you mean "a"\?/.test(issue)),
      issues.join('\n'),
    );
    assert.ok(
      issues.some((issue) => /^steps\.a\.needs: needs form a cycle: a → c → b → a/.test(issue)),
      issues.join('\n'),
    );
    assert.ok(
      issues.some((issue) => /^steps\.d\.needs\.1: unknown step "constructor"/.test(issue)),
      issues.join('\n'),
    );
  });
});

describe('jobnetWorkflow (time-skipping)', () => {
  it('seed 001: BATCH-000 → BATCH-001 → BATCH-002 in order; the error branch does not run when all succeed', async () => {
    const { input, trace } = seed001();
    const { result, handle } = await withWorker(async () => {
      const handle = await start(input);
      return { handle, ...(await outcome(handle)) };
    });
    assert.equal(result.status, 'success');
    assert.deepEqual(Object.fromEntries(Object.entries(result.steps).map(([name, state]) => [name, state.status])), {
      'BATCH-000': 'succeeded',
      'BATCH-001': 'succeeded',
      'BATCH-002': 'succeeded',
      'on-error': 'not-run',
    });
    assert.match(result.steps['on-error']!.reason ?? '', /when: failed/);
    assert.equal(result.steps['BATCH-001']!.workflowId, `${handle.workflowId}/BATCH-001`);
    const lines = readTrace(trace);
    assertRuns(lines, { 'BATCH-000': 1, 'BATCH-001': 1, 'BATCH-002': 1 });
    assertBefore(lines, ['BATCH-000', 'end'], ['BATCH-001', 'start']);
    assertBefore(lines, ['BATCH-001', 'end'], ['BATCH-002', 'start']);
  });

  it('a step disabled in the catalog (enabled: false) does not run and counts as skipped; its dependants run', async () => {
    const { input, trace } = seed001();
    step(input, 'BATCH-001').enabled = false;
    const { result } = await withWorker(async () => outcome(await start(input)));
    assert.equal(result.status, 'success');
    assert.equal(statusOf(result, 'BATCH-001'), 'skipped');
    assert.match(result.steps['BATCH-001']!.reason ?? '', /disabled in the catalog/);
    assert.equal(statusOf(result, 'BATCH-002'), 'succeeded');
    assertRuns(readTrace(trace), { 'BATCH-000': 1, 'BATCH-002': 1 });
  });

  it('runs independent branches in parallel', async () => {
    const trace = path.join(work.dir, `trace-${++counter}.log`);
    const traced = (seconds: number) => ({
      command: ['sh', '-c', `echo "$JOBNET_JOB start $(date +%s%3N)" >> "$TRACE"; sleep ${seconds}; echo "$JOBNET_JOB end $(date +%s%3N)" >> "$TRACE"`],
      env: { TRACE: trace },
    });
    const input: JobnetRunInput = {
      name: 'fork-join',
      businessDate: BUSINESS_DATE,
      steps: { left: { job: traced(1) }, right: { job: traced(1) }, join: { job: traced(0), needs: ['left', 'right'] } },
    };
    const { result } = await withWorker(async () => outcome(await start(input)));
    assert.equal(result.status, 'success');
    const lines = readTrace(trace);
    assertRuns(lines, { left: 1, right: 1, join: 1 });
    // Both sleeps started before either ended.
    const firstEnd = lines.findIndex((line) => line.event === 'end');
    assert.ok(starts(lines.slice(0, firstEnd), 'left') === 1 && starts(lines.slice(0, firstEnd), 'right') === 1, JSON.stringify(lines));
    assertBefore(lines, ['left', 'end'], ['join', 'start']);
    assertBefore(lines, ['right', 'end'], ['join', 'start']);
  });

  it('a nested jobnet step and a fan-out step really run: their commands take effect, in the order of needs', async () => {
    const trace = path.join(work.dir, `trace-${++counter}.log`);
    const vars = { ...process.env, JOBNET_TRACE: trace };
    // Every command appends "<what> <JOBNET_JOB> item=<JOBNET_ITEM> <business date>" to the trace.
    const traced = (what: string, needs = '') =>
      `{ command: [sh, -c, 'echo "${what} $JOBNET_JOB item=$JOBNET_ITEM $JOBNET_BUSINESS_DATE" >> "$TRACE"'], env: { TRACE: "\${JOBNET_TRACE}" }${needs ? `, needs: [${needs}]` : ''} }`;
    const catalog = parseCatalog(
      [
        'jobs:',
        `  per-key: ${traced('partition')}`,
        'jobnets:',
        '  inner:',
        '    jobs:',
        `      hello: ${traced('nested')}`,
        '  outer:',
        '    jobs:',
        `      first: ${traced('step')}`,
        '      sub: { jobnet: inner, needs: [first] }',
        '      bill: { fanout: { items: [k1, k2, k3], job: per-key, maxParallel: 2 }, needs: [sub] }',
        `      last: ${traced('step', 'bill')}`,
      ].join('\n'),
      'nested-and-fanout.yaml',
      { env: vars },
    );
    const input = bindCommandVariables(jobnetRunInput(catalog, 'outer', BUSINESS_DATE, vars), vars);
    const { result } = await withWorker(async () => outcome(await start(input)));
    assert.equal(result.status, 'success', JSON.stringify(result.steps));
    assert.deepEqual(Object.fromEntries(Object.entries(result.steps).map(([name, state]) => [name, state.status])), {
      first: 'succeeded',
      sub: 'succeeded',
      bill: 'succeeded',
      last: 'succeeded',
    });
    assert.equal(result.steps.bill!.recordCount, 3, 'the fan-out step counts its 3 partitions');
    assert.ok(existsSync(trace), 'the commands ran');
    const lines = readFileSync(trace, 'utf8').trim().split('\n');
    // first → the nested jobnet's step → the 3 partitions (any order among them) → last: each once, for the run's date.
    assert.equal(lines.length, 6, lines.join('\n'));
    assert.deepEqual(lines.slice(0, 2), [`step first item= ${BUSINESS_DATE}`, `nested hello item= ${BUSINESS_DATE}`]);
    assert.deepEqual(
      lines
        .slice(2, 5)
        .map((line) => line.replace(/^partition \S+ /, ''))
        .sort(),
      ['k1', 'k2', 'k3'].map((key) => `item=${key} ${BUSINESS_DATE}`),
    );
    assert.deepEqual(lines.slice(5), [`step last item= ${BUSINESS_DATE}`]);
  });

  it('onFailure wait: the run waits for an operator; skipStep lets BATCH-002 run', async () => {
    const { input, trace } = seed001({ fails: 1 });
    const { result } = await withWorker(async () => {
      const handle = await start(input);
      const waiting = await stateWhen(handle, waitingFor('BATCH-001'), 'BATCH-001 to wait for an operator');
      assert.equal(statusOf(waiting, 'BATCH-000'), 'succeeded');
      assert.equal(statusOf(waiting, 'BATCH-002'), 'waiting-dependency');
      assert.equal(statusOf(waiting, 'on-error'), 'waiting-dependency');
      assert.match(waiting.steps['BATCH-001']!.error ?? '', /ranking update failed on call 1/);
      assert.ok(waiting.steps['BATCH-001']!.waitingSince);

      // Refused: a step not waiting for an operator, and a misspelt step.
      assert.match(
        await rejection(handle.executeUpdate(skipStepUpdate, { args: [{ job: 'BATCH-000' }] })),
        /BATCH-000" is succeeded, not waiting for an operator/,
      );
      assert.match(await rejection(handle.executeUpdate(retryStepUpdate, { args: [{ job: 'BATCH-01' }] })), /no step "BATCH-01".*did you mean "BATCH-001"/);

      const answer = await handle.executeUpdate(skipStepUpdate, { args: [{ job: 'BATCH-001' }] });
      assert.equal(statusOf(answer, 'BATCH-001'), 'skipped');
      return outcome(handle);
    });
    assert.equal(result.status, 'success');
    assert.equal(statusOf(result, 'BATCH-001'), 'skipped');
    assert.equal(statusOf(result, 'BATCH-002'), 'succeeded');
    assert.equal(statusOf(result, 'on-error'), 'not-run', 'a skipped step counts as succeeded');
    assert.deepEqual(
      result.operatorActions.map((a) => [a.action, a.via, a.job, a.accepted]),
      [['skip', 'update', 'BATCH-001', true]],
    );
    const lines = readTrace(trace);
    assertRuns(lines, { 'BATCH-000': 1, 'BATCH-001': 1, 'BATCH-002': 1 });
    assertBefore(lines, ['BATCH-001', 'end'], ['BATCH-002', 'start']);
  });

  it('retryStep runs only BATCH-001 again, as a new child run, then BATCH-002', async () => {
    const { input, trace } = seed001({ fails: 1 });
    const { result, workflowId } = await withWorker(async () => {
      const handle = await start(input);
      await stateWhen(handle, waitingFor('BATCH-001'), 'BATCH-001 to wait for an operator');
      const answer = await handle.executeUpdate(retryStepUpdate, { args: [{ job: 'BATCH-001' }] });
      assert.equal(statusOf(answer, 'BATCH-001'), 'pending');
      // A second retry of the same failure is refused: the step no longer waits.
      assert.match(await rejection(handle.executeUpdate(retryStepUpdate, { args: [{ job: 'BATCH-001' }] })), /not waiting for an operator/);
      return { workflowId: handle.workflowId, ...(await outcome(handle)) };
    });
    assert.equal(result.status, 'success');
    const rank = result.steps['BATCH-001']!;
    assert.equal(rank.status, 'succeeded');
    assert.equal(rank.attempts, 2);
    assert.equal(rank.workflowId, `${workflowId}/BATCH-001#2`);
    assert.equal(statusOf(result, 'BATCH-002'), 'succeeded');
    assert.equal(statusOf(result, 'on-error'), 'not-run');
    const lines = readTrace(trace);
    assertRuns(lines, { 'BATCH-000': 1, 'BATCH-001': 2, 'BATCH-002': 1 });
    // BATCH-002 waited for the second, successful run of BATCH-001.
    const lastRankEnd = lines.map((line) => `${line.step} ${line.event}`).lastIndexOf('BATCH-001 end');
    const publishStart = lines.findIndex((line) => line.step === 'BATCH-002' && line.event === 'start');
    assert.ok(lastRankEnd < publishStart && lines[lastRankEnd]!.at <= lines[publishStart]!.at, JSON.stringify(lines));
  });

  it('abortJobnet ends the run aborted; nothing after BATCH-001 runs', async () => {
    const { input, trace } = seed001({ fails: 1 });
    const { result, failure } = await withWorker(async () => {
      const handle = await start(input);
      await stateWhen(handle, waitingFor('BATCH-001'), 'BATCH-001 to wait for an operator');
      const answer = await handle.executeUpdate(abortJobnetUpdate, { args: [{ reason: 'rankings postponed to tomorrow' }] });
      assert.equal(statusOf(answer, 'BATCH-001'), 'failed');
      return outcome(handle);
    });
    assert.equal(result.status, 'aborted');
    assert.equal(failure?.nonRetryable, true);
    assert.match(failure?.message ?? '', /ended aborted: aborted by an operator \(update\): rankings postponed to tomorrow/);
    assert.equal(statusOf(result, 'BATCH-002'), 'not-run');
    assert.equal(statusOf(result, 'on-error'), 'not-run', 'an operator abort is not a failure to alert about');
    assertRuns(readTrace(trace), { 'BATCH-000': 1, 'BATCH-001': 1 });
  });

  it('the same three actions through Signals, as the Web UI signal form sends them', async () => {
    const runs = { retry: seed001({ fails: 1 }), skip: seed001({ fails: 1 }), abort: seed001({ fails: 1 }) };
    const results = await withWorker(async () => {
      const handles = {
        retry: await start(runs.retry.input),
        skip: await start(runs.skip.input),
        abort: await start(runs.abort.input),
      };
      for (const handle of Object.values(handles)) await stateWhen(handle, waitingFor('BATCH-001'), 'BATCH-001 to wait for an operator');
      // A signal that does not apply cannot be refused: it is ignored and recorded.
      await handles.skip.signal(skipSignal, { job: 'BATCH-000' });
      await handles.retry.signal(retrySignal, { job: 'BATCH-001' });
      await handles.skip.signal(skipSignal, { job: 'BATCH-001' });
      await handles.abort.signal(abortSignal, { reason: 'wrong input file' });
      return {
        retry: await outcome(handles.retry),
        skip: await outcome(handles.skip),
        abort: await outcome(handles.abort),
      };
    });

    assert.equal(results.retry.result.status, 'success');
    assert.equal(results.retry.result.steps['BATCH-001']!.attempts, 2);
    assertRuns(readTrace(runs.retry.trace), { 'BATCH-000': 1, 'BATCH-001': 2, 'BATCH-002': 1 });

    assert.equal(results.skip.result.status, 'success');
    assert.equal(statusOf(results.skip.result, 'BATCH-001'), 'skipped');
    assert.deepEqual(
      results.skip.result.operatorActions.map((a) => [a.action, a.via, a.job, a.accepted]),
      [
        ['skip', 'signal', 'BATCH-000', false],
        ['skip', 'signal', 'BATCH-001', true],
      ],
    );
    assert.match(results.skip.result.operatorActions[0]!.note ?? '', /not waiting for an operator/);
    assertRuns(readTrace(runs.skip.trace), { 'BATCH-000': 1, 'BATCH-001': 1, 'BATCH-002': 1 });

    assert.equal(results.abort.result.status, 'aborted');
    assert.match(results.abort.result.reason ?? '', /aborted by an operator \(signal\): wrong input file/);
    assertRuns(readTrace(runs.abort.trace), { 'BATCH-000': 1, 'BATCH-001': 1 });
  });

  it('operatorMaxWait passes with nobody acting: BATCH-001 counts as failed with stop; its error branch runs', async () => {
    const { input, trace } = seed001({ fails: 1 });
    input.operatorMaxWait = 2 * 3_600_000;
    // Awaiting the result lets the test server skip the two hours of workflow time.
    const { result, failure, workflowId } = await withWorker(async () => {
      const handle = await start(input);
      return { workflowId: handle.workflowId, ...(await outcome(handle)) };
    });
    assert.equal(result.status, 'failed');
    assert.equal(failure?.type, JOBNET_FAILED);
    assert.equal(failure?.nonRetryable, true);
    // One durable timer of the whole operatorMaxWait, the only timer of the run.
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const timers = (history.events ?? []).filter((event) => event.timerStartedEventAttributes);
    assert.deepEqual(
      timers.map((event) => Number(event.timerStartedEventAttributes!.startToFireTimeout?.seconds ?? 0)),
      [2 * 3_600],
    );
    const rank = result.steps['BATCH-001']!;
    assert.equal(rank.status, 'failed');
    assert.match(rank.reason ?? '', /no operator acted within 2h/);
    assert.match(result.reason ?? '', /BATCH-001 waited 2h for an operator/);
    assert.equal(statusOf(result, 'BATCH-002'), 'not-run');
    assert.equal(statusOf(result, 'on-error'), 'succeeded');
    // The wait lasted the two hours, in workflow time.
    const waited = Date.parse(rank.endTime!) - Date.parse(rank.waitingSince!);
    assert.ok(waited >= 2 * 3_600_000 && waited < 2 * 3_600_000 + 60_000, `waited ${waited} ms of workflow time`);
    const lines = readTrace(trace);
    assertRuns(lines, { 'BATCH-000': 1, 'BATCH-001': 1, 'on-error': 1 });
    assertBefore(lines, ['BATCH-001', 'end'], ['on-error', 'start']);
  });

  for (const onFailure of ['stop', 'continue'] as const) {
    it(`runs the error branch when its need fails with onFailure: ${onFailure}`, async () => {
      const { input, trace } = seed001({ fails: 99 });
      step(input, 'BATCH-001').onFailure = onFailure;
      const { result, failure } = await withWorker(async () => outcome(await start(input)));
      assert.equal(statusOf(result, 'BATCH-001'), 'failed');
      assert.equal(result.steps['BATCH-001']!.exitCode, 3);
      assert.equal(result.steps['BATCH-001']!.jobStatus, 'error');
      assert.equal(statusOf(result, 'on-error'), 'succeeded');
      assert.equal(statusOf(result, 'BATCH-002'), 'not-run');
      if (onFailure === 'stop') {
        assert.equal(result.status, 'failed');
        assert.equal(failure?.type, JOBNET_FAILED);
        assert.match(result.reason ?? '', /BATCH-001 failed \(onFailure: stop\)/);
      } else {
        // The failure is recorded on its step; it does not fail the jobnet.
        assert.equal(result.status, 'success');
        assert.equal(failure, undefined);
      }
      const lines = readTrace(trace);
      assertRuns(lines, { 'BATCH-000': 1, 'BATCH-001': 1, 'on-error': 1 });
      assertBefore(lines, ['BATCH-001', 'end'], ['on-error', 'start']);
    });
  }

  it('a continued run (continue-as-new) resumes from the carried state without running settled steps again', async () => {
    const { input, trace } = seed001();
    const now = new Date(await env.currentTimeMs()).toISOString();
    const base: StepState = {
      status: 'waiting-dependency',
      attempts: 0,
      workflowId: null,
      startTime: null,
      endTime: null,
      waitingSince: null,
      jobStatus: null,
      exitCode: null,
      recordCount: null,
      error: null,
      errorType: null,
      reason: null,
      waiting: null,
      delayedRetry: false,
      uses: null,
      kind: 'job',
      held: null,
    };
    const carry: JobnetCarry = {
      startTime: now,
      steps: {
        'BATCH-000': { ...base, status: 'succeeded', attempts: 1, startTime: now, endTime: now, jobStatus: 'success', exitCode: 0 },
        'BATCH-001': {
          ...base,
          status: 'waiting-operator',
          attempts: 1,
          startTime: now,
          waitingSince: now,
          jobStatus: 'error',
          exitCode: 3,
          error: 'failed before',
        },
        'BATCH-002': base,
        'on-error': base,
      },
      operatorActions: [],
      stopCauses: [],
      reason: null,
      aborted: false,
    };
    const { result } = await withWorker(async () => {
      const handle = await start(input, carry);
      await stateWhen(handle, waitingFor('BATCH-001'), 'BATCH-001 to wait again');
      await handle.executeUpdate(retryStepUpdate, { args: [{ job: 'BATCH-001' }] });
      return outcome(handle);
    });
    assert.equal(result.status, 'success');
    assert.equal(result.steps['BATCH-001']!.attempts, 2, 'the attempt count goes on, so the child id stays unique');
    assertRuns(readTrace(trace), { 'BATCH-001': 1, 'BATCH-002': 1 });
  });

  it('replays every run above from its history without nondeterminism', async () => {
    const histories = await Promise.all(
      startedRuns.map(async (workflowId) => ({ workflowId, history: await env.client.workflow.getHandle(workflowId).fetchHistory() })),
    );
    for await (const replay of Worker.runReplayHistories({ ...jobnetWorkerOptions(), workflowBundle: await sharedBundle() }, histories)) {
      assert.equal(replay.error, undefined, `${replay.workflowId}: ${String(replay.error)}`);
    }
    assert.ok(histories.length >= 10);
  });
});
