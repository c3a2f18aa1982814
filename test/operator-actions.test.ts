/**
 * The operator actions of a job scheduler (JP1/AJS3's rerun, hold and forced end) through the
 * CLI, against the dev server: `rerun` of an ended jobnet from its failed step (the steps that
 * succeeded do not run again: their commands' lines are counted), `hold` and `release` of a
 * step before it starts, `force` of a running step to end succeeded or failed (its command's
 * process tree is gone), `skip --reason`; each action kept with who (`JOBNET_OPERATOR`, else
 * user@host) and why, in `status` and on the Web UI's board.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Connection, type Client } from '@temporalio/client';
import { jobnetClient } from '../src/temporal/client';
import { jobnetStateQuery, type JobnetState } from '../src/contracts/jobnet';
import { jobnet, type CliRun } from './helpers/cli';
import { startDevEnv, type DevEnv } from './helpers/dev-env';

const OPERATOR = 'alice@ops-console';
const DATE = '2026-12-01';

let env: DevEnv;
let client: Client;
let catalogFile: string;
let trace: string;
let fixed: string;
let pids: string;
const saved = { operator: process.env.JOBNET_OPERATOR };

/** Every command appends the run id jobnet gives it to the trace: how often each step ran, under which id. */
const CATALOG = `
version: 1
defaults:
  retry: { attempts: 1 }
x-env: &env
  TRACE: "\${OPS_TRACE}"
  FIXED: "\${OPS_FIXED}"
  PIDS: "\${OPS_PIDS}"
jobnets:
  ops:
    jobs:
      extract:   { command: [sh, -c, 'echo "$JOBNET_RUN_ID" >> "$TRACE"'], env: *env }
      transform: { command: [sh, -c, 'echo "$JOBNET_RUN_ID" >> "$TRACE"; [ -e "$FIXED" ] || { echo "input not fixed" >&2; exit 4; }'], env: *env, needs: [extract] }
      load:      { command: [sh, -c, 'echo "$JOBNET_RUN_ID" >> "$TRACE"'], env: *env, needs: [transform] }
      report:    { command: [sh, -c, 'echo "$JOBNET_RUN_ID" >> "$TRACE"'], env: *env, needs: [extract] }
  night:
    jobs:
      first:  { command: [sh, -c, 'echo "$JOBNET_RUN_ID" >> "$TRACE"; sleep 2'], env: *env }
      slow:   { command: [sh, -c, 'echo "$JOBNET_RUN_ID" >> "$TRACE"; sleep 300 & echo $! >> "$PIDS"; echo $$ >> "$PIDS"; wait'], env: *env, needs: [first], timeout: 10m }
      then:   { command: [sh, -c, 'echo "$JOBNET_RUN_ID" >> "$TRACE"'], env: *env, needs: [slow] }
      later:  { command: [sh, -c, 'echo "$JOBNET_RUN_ID" >> "$TRACE"'], env: *env, needs: [first] }
  gate:
    jobs:
      check: { command: [sh, -c, 'echo "feed is late" >&2; exit 3'], onFailure: wait }
      after: { command: [sh, -c, 'echo "$JOBNET_RUN_ID" >> "$TRACE"'], env: *env, needs: [check] }
`;

before(async () => {
  env = await startDevEnv('operator-actions');
  catalogFile = path.join(env.work.dir, 'jobnet.yaml');
  writeFileSync(catalogFile, CATALOG);
  trace = path.join(env.work.dir, 'trace.log');
  fixed = path.join(env.work.dir, 'fixed');
  pids = path.join(env.work.dir, 'pids');
  writeFileSync(trace, '');
  process.env.OPS_TRACE = trace;
  process.env.OPS_FIXED = fixed;
  process.env.OPS_PIDS = pids;
  process.env.JOBNET_OPERATOR = OPERATOR;
  client = jobnetClient(await Connection.connect({ address: env.server.address }));
});
after(async () => {
  await client?.connection.close();
  await env?.stop();
  for (const key of ['OPS_TRACE', 'OPS_FIXED', 'OPS_PIDS']) delete process.env[key];
  if (saved.operator === undefined) delete process.env.JOBNET_OPERATOR;
  else process.env.JOBNET_OPERATOR = saved.operator;
});

const cli = (...argv: string[]) => jobnet('-c', catalogFile, '--address', env.server.address, ...argv);

function ok(run: CliRun, what: string): CliRun {
  assert.equal(run.code, 0, `${what}: exit ${run.code}\n${run.stdout}${run.stderr}`);
  return run;
}

/** The run ids the commands wrote, in order. */
const ran = (): string[] => readFileSync(trace, 'utf8').split('\n').filter(Boolean);
const ranOf = (prefix: string) => ran().filter((id) => id.startsWith(prefix));

async function until<T>(read: () => Promise<T>, ready: (value: T) => boolean, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ready(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const stateOf = (run: string) => client.workflow.getHandle(run).query(jobnetStateQuery);
const boardOf = async (run: string) =>
  ((await client.workflow.getHandle(run).query('__temporal_workflow_metadata')) as { currentDetails?: string }).currentDetails ?? '';

/** The run's end: its result, or the result in its failure's details. */
async function ended(run: string): Promise<JobnetState> {
  const status = ok(await cli('--json', 'status', run), `status ${run}`);
  return (JSON.parse(status.stdout) as { state: JobnetState }).state;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('operator actions on jobnet runs (dev server, through the CLI)', () => {
  it('rerun from the failed step: the steps that succeeded do not run again; the failed one and those after it do, under run ids of their own', async () => {
    const run = `ops@${DATE}`;
    ok(await cli('run', 'ops', '--date', DATE), 'run ops');
    await until(
      () => client.workflow.getHandle(run).describe(),
      (d) => d.status.name !== 'RUNNING',
      `${run} to end`,
    );
    const first = await ended(run);
    assert.equal(first.status, 'failed');
    assert.deepEqual(Object.fromEntries(Object.entries(first.steps).map(([name, step]) => [name, step.status])), {
      extract: 'succeeded',
      transform: 'failed',
      load: 'not-run',
      report: 'succeeded',
    });

    // The input is fixed; the operator reruns the ended run.
    writeFileSync(fixed, '');
    const rerun = ok(await cli('rerun', run, '--reason', 'input fixed in ticket OPS-42'), 'rerun');
    const rerunId = /started (\S+), a rerun of/.exec(rerun.stderr)?.[1] ?? '';
    assert.ok(rerunId.startsWith(`${run}+`), rerun.stderr);
    assert.match(rerun.stderr, /running again transform, load; kept extract, report/);
    await until(
      () => client.workflow.getHandle(rerunId).describe(),
      (d) => d.status.name !== 'RUNNING',
      `${rerunId} to end`,
    );
    const second = await ended(rerunId);
    assert.equal(second.status, 'success', JSON.stringify(second));

    // Counted effects: extract and report once in all, transform twice (its failure and its rerun), load once.
    assert.deepEqual(ranOf(`${run}/extract`), [`${run}/extract`]);
    assert.deepEqual(ranOf(`${run}/report`), [`${run}/report`]);
    assert.deepEqual(ranOf(`${run}/transform`), [`${run}/transform`]);
    assert.deepEqual(ranOf(`${rerunId}/`), [`${rerunId}/transform#2`, `${rerunId}/load`]);

    // The rerun says who and why, in status and on its board.
    const action = second.operatorActions.at(-1)!;
    assert.deepEqual([action.action, action.by, action.reason, action.note], ['rerun', OPERATOR, 'input fixed in ticket OPS-42', `rerun of ${run}`]);
    const status = ok(await cli('status', rerunId), 'status');
    assert.match(status.stdout, new RegExp(`rerun by ${OPERATOR} \\(start\\) — input fixed in ticket OPS-42`), status.stdout);
    assert.match(await boardOf(rerunId), new RegExp(`rerun by ${OPERATOR} \\(start\\) — input fixed in ticket OPS-42`));

    // Nothing left to rerun in a run that succeeded, and a running or unknown run is refused: exit 2, nothing started.
    const nothing = await cli('rerun', rerunId);
    assert.equal(nothing.code, 2, nothing.stderr);
    assert.match(nothing.stderr, /nothing to run again/);
    const unknown = await cli('rerun', `ops@2026-11-30`);
    assert.equal(unknown.code, 2);
    assert.equal(ranOf(`${rerunId}/`).length, 2);
  });

  it('hold keeps a step from starting until release; force ends a running step as succeeded and its process tree is gone', async () => {
    const run = `night@${DATE}`;
    ok(await cli('run', 'night', '--date', DATE), 'run night');
    // `first` takes 2 s: `later` has not started yet.
    const held = ok(await cli('hold', run, 'later', '--reason', 'wait for the DBA'), 'hold');
    assert.match(held.stdout, /later\s+waiting-dependency, HELD by alice@ops-console/, held.stdout);
    const board = await until(
      () => boardOf(run),
      (text) => text.includes('### ⏸ later is held'),
      'the board to show the hold',
    );
    assert.match(board, /^\| later \| .* \| release \(held by alice@ops-console since /m, board);
    assert.ok(board.includes(`\`npx jobnet release ${run} later --reason "…"\``), board);

    // `slow` runs (its shell and a background sleep); `later` stays held though `first` succeeded.
    await until(
      () => Promise.resolve(existsSync(pids) ? readFileSync(pids, 'utf8').split('\n').filter(Boolean).length : 0),
      (n) => n === 2,
      'slow to start',
    );
    const tree = readFileSync(pids, 'utf8').split('\n').filter(Boolean).map(Number);
    assert.ok(tree.every(alive), 'the command and its child run');
    const state = await stateOf(run);
    assert.equal(state.steps.first!.status, 'succeeded');
    assert.equal(state.steps.later!.status, 'waiting-dependency');
    assert.deepEqual(ranOf(`${run}/later`), [], 'a held step does not start');

    // A hold of a step that started is refused, with the reason.
    const late = await cli('hold', run, 'slow');
    assert.equal(late.code, 2);
    assert.match(late.stderr, /refused: step "slow" is running; only a step that has not started can be held/);

    const forced = ok(await cli('force', run, 'slow', '--succeeded', '--reason', 'output checked by hand'), 'force');
    assert.match(forced.stdout, /slow/);
    await until(
      () => Promise.resolve(tree.filter(alive)),
      (left) => left.length === 0,
      "the forced command's process tree to be gone",
      20_000,
    );
    await until(
      () => stateOf(run),
      (s) => s.steps.then!.status === 'succeeded',
      '`then` to run after the forced success',
    );
    const afterForce = await stateOf(run);
    assert.equal(afterForce.steps.slow!.status, 'succeeded');
    assert.match(afterForce.steps.slow!.reason ?? '', /forced to end succeeded by alice@ops-console: output checked by hand/);
    assert.equal(afterForce.status, 'running', 'the held step keeps the run open');

    // Released through the Web UI's signal form (no `by` in the body): it runs, and the run ends.
    await client.workflow.getHandle(run).signal('release', { job: 'later', reason: 'DBA done' });
    const done = await until(
      () => ended(run).catch(() => undefined),
      (s) => s?.status === 'success',
      `${run} to succeed`,
    );
    assert.deepEqual(ranOf(`${run}/later`), [`${run}/later`]);
    assert.deepEqual(
      done!.operatorActions.map((a) => [a.action, a.job, a.by ?? null, a.reason ?? null, a.via]),
      [
        ['hold', 'later', OPERATOR, 'wait for the DBA', 'update'],
        ['force', 'slow', OPERATOR, 'output checked by hand', 'update'],
        ['release', 'later', null, 'DBA done', 'signal'],
      ],
    );
    const status = ok(await cli('status', run), 'status');
    assert.match(status.stdout, /force slow → succeeded by alice@ops-console \(update\) — output checked by hand/, status.stdout);
  });

  it('force --failed ends a running step as failed: its process tree is gone, the jobnet stops, the reason is kept', async () => {
    const run = `night@2026-12-02`;
    writeFileSync(pids, '');
    ok(await cli('run', 'night', '--date', '2026-12-02'), 'run night');
    await until(
      () => Promise.resolve(readFileSync(pids, 'utf8').split('\n').filter(Boolean).length),
      (n) => n === 2,
      'slow to start',
    );
    const tree = readFileSync(pids, 'utf8').split('\n').filter(Boolean).map(Number);
    const noOutcome = await cli('force', run, 'slow', '--reason', 'hung');
    assert.equal(noOutcome.code, 2, 'force needs --succeeded or --failed');
    ok(await cli('force', run, 'slow', '--failed', '--reason', 'hung on a dead NFS mount'), 'force --failed');
    await until(
      () => Promise.resolve(tree.filter(alive)),
      (left) => left.length === 0,
      "the forced command's process tree to be gone",
      20_000,
    );
    const result = await until(
      () => ended(run).catch(() => undefined),
      (s) => s?.status === 'failed',
      `${run} to fail`,
    );
    assert.equal(result!.steps.slow!.status, 'failed');
    assert.equal(result!.steps.slow!.errorType, 'ForcedByOperator');
    assert.equal(result!.steps.then!.status, 'not-run');
    assert.match(result!.reason ?? '', /slow forced to end failed by alice@ops-console: hung on a dead NFS mount/);
    assert.deepEqual(ranOf(`${run}/then`), []);
  });

  it('skip --reason: the reason and who are kept with the skip', async () => {
    const run = `gate@${DATE}`;
    ok(await cli('run', 'gate', '--date', DATE), 'run gate');
    await until(
      () => stateOf(run),
      (s) => s.steps.check!.status === 'waiting-operator',
      'check to wait for an operator',
    );
    ok(await cli('skip', run, 'check', '--reason', 'feed skipped for the holiday'), 'skip');
    const result = await until(
      () => ended(run).catch(() => undefined),
      (s) => s?.status === 'success',
      `${run} to succeed`,
    );
    assert.match(result!.steps.check!.reason ?? '', /skipped by alice@ops-console \(update\): feed skipped for the holiday/);
    assert.deepEqual(ranOf(`${run}/after`), [`${run}/after`]);
  });
});
