/**
 * The deploy guard: the histories saved under test/histories/ (real runs of every workflow
 * type, recorded by `npm run histories:record`, encrypted as the server held them) replay
 * against the current workflow code. A change that alters what an existing run would schedule
 * fails here unless it is gated with `patched()` (README "Changing workflow code"). The last
 * test shows the guard can fail: a bundle whose jobWorkflow schedules another first command.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Worker, type ReplayWorkerOptions } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflows, jobnetWorkerOptions } from '../src/worker-setup';
import * as workflows from '../src/workflows';
import { WORKFLOW_TYPES, historiesCodec, savedHistories, type SavedHistory } from './helpers/histories';
import { quietRuntime, sharedBundle } from './helpers/time-skipping';

let saved: SavedHistory[];

before(() => {
  quietRuntime();
  saved = savedHistories();
});

const replayOptions = async (workflowBundle: ReplayWorkerOptions['workflowBundle']): Promise<ReplayWorkerOptions> => ({
  ...jobnetWorkerOptions({ codec: historiesCodec() }),
  workflowBundle,
});

describe('saved histories (test/histories) replay against the current workflow code', () => {
  it('has at least one history of every workflow type the worker registers', () => {
    const types = new Set(saved.map((history) => history.type));
    const missing = WORKFLOW_TYPES.filter((type) => !types.has(type));
    assert.deepEqual(missing, [], `no saved history of ${missing.join(', ')}: record them with \`npm run histories:record\``);
    for (const history of saved) {
      assert.ok(history.file.startsWith(`${history.type}.`), `${history.file}: the file name names its type`);
      const started = history.history.events?.[0]?.workflowExecutionStartedEventAttributes;
      assert.equal(started?.workflowType?.name, history.type, `${history.file}: a history of ${history.type}`);
    }
  });

  it('the worker registers exactly the listed types (a new one needs a saved history)', () => {
    const registered = Object.keys(workflows).sort();
    assert.deepEqual(registered, [...WORKFLOW_TYPES].sort());
  });

  it('every saved history replays without a nondeterminism error', async (t) => {
    const bundling = Date.now();
    const options = await replayOptions(await sharedBundle());
    const replaying = Date.now();
    const outcomes: { file: string; error?: string }[] = [];
    const results = Worker.runReplayHistories(
      options,
      saved.map(({ workflowId, history }) => ({ workflowId, history })),
    );
    let index = 0;
    for await (const result of results) {
      const { file } = saved[index++]!;
      outcomes.push(result.error === undefined ? { file } : { file, error: `${result.error.name}: ${result.error.message}` });
    }
    const events = saved.reduce((sum, { history }) => sum + (history.events?.length ?? 0), 0);
    t.diagnostic(`replayed ${outcomes.length} histories (${events} events) in ${Date.now() - replaying} ms; the bundle took ${replaying - bundling} ms`);
    assert.equal(outcomes.length, saved.length, 'every history was replayed');
    assert.deepEqual(
      outcomes.filter((outcome) => outcome.error !== undefined),
      [],
    );
  });

  it('the guard fails a deploy: a jobWorkflow that schedules a timer first is a DeterminismViolationError on replay', async () => {
    const options = await replayOptions(await bundleWorkflows(undefined, require.resolve('./workflows/nondeterministic-job')));
    const jobRuns = saved.filter((history) => history.type === 'jobWorkflow');
    assert.ok(jobRuns.length > 0, 'a saved jobWorkflow history to replay');
    for (const { file, workflowId, history } of jobRuns) {
      const error = await Worker.runReplayHistory(options, history, workflowId).then(
        () => assert.fail(`${file} replayed against a jobWorkflow that sleeps first`),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof DeterminismViolationError, `${file}: ${String(error)}`);
      assert.match(error.message, /^Replay failed with a nondeterminism error\./);
      // Core names the machine of the new command and the history event it met instead.
      assert.match(
        error.message,
        /\[TMPRL1100\] Nondeterminism error: Timer machine does not handle this event: HistoryEvent\(id: \d+, /,
        `${file}: ${error.message}`,
      );
    }
    // The other types, unchanged in that bundle, still replay: the failure is the changed code's.
    const others = saved.filter((history) => history.type === 'lockWorkflow');
    for (const { workflowId, history } of others) await Worker.runReplayHistory(options, history, workflowId);
  });
});
