/**
 * Which steps a rerun runs again (src/runs/rerun.ts), on hand-made ended runs: by default the
 * steps that did not succeed; with `--from` that step and every step after it; a failed step
 * kept as it was still stops the new run; a step that runs again counts its attempts on.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JobnetState, OperatorAction, StepState } from '../src/contracts/jobnet';
import { InvalidInputError } from '../src/validation/validation-error';
import { planRerun } from '../src/runs/rerun';

function step(status: StepState['status'], attempts = 1): StepState {
  return {
    status,
    attempts,
    workflowId: `r/${status}`,
    startTime: '2026-12-01T00:00:00Z',
    endTime: '2026-12-01T00:01:00Z',
    waitingSince: null,
    jobStatus: null,
    exitCode: null,
    recordCount: null,
    error: status === 'failed' ? 'exit 4' : null,
    errorType: null,
    reason: null,
    waiting: null,
    delayedRetry: false,
    uses: null,
    kind: 'job',
    held: null,
  };
}

// extract → transform → load; extract → report; side stands alone.
const graph = {
  extract: { needs: [], onFailure: 'stop' as const },
  transform: { needs: ['extract'], onFailure: 'stop' as const },
  load: { needs: ['transform'], onFailure: 'stop' as const },
  report: { needs: ['extract'], onFailure: 'stop' as const },
  side: { needs: [], onFailure: 'stop' as const },
};

function endedRun(statuses: Record<keyof typeof graph, StepState['status']>): JobnetState {
  return {
    name: 'ops',
    businessDate: '2026-12-01',
    status: 'failed',
    reason: 'transform failed',
    startTime: '2026-12-01T00:00:00Z',
    endTime: '2026-12-01T00:02:00Z',
    steps: Object.fromEntries(Object.entries(statuses).map(([name, status]) => [name, step(status, name === 'transform' ? 2 : 1)])),
    operatorActions: [],
    deadline: null,
    warnings: [],
  };
}

const action: OperatorAction = { at: '2026-12-02T00:00:00Z', action: 'rerun', via: 'start', by: 'alice@ops', accepted: true };
const options = (from?: string) => ({ endedWorkflowId: 'ops@2026-12-01', from, action, now: new Date('2026-12-02T00:00:00Z') });

describe('rerun plan', () => {
  it('by default runs again what did not succeed; keeps the rest; counts attempts on', () => {
    const plan = planRerun(endedRun({ extract: 'succeeded', transform: 'failed', load: 'not-run', report: 'succeeded', side: 'skipped' }), graph, options());
    assert.deepEqual(plan.again, ['transform', 'load']);
    assert.deepEqual(plan.kept, ['extract', 'report', 'side']);
    assert.equal(plan.carry.steps.transform!.status, 'waiting-dependency');
    assert.equal(plan.carry.steps.transform!.attempts, 2, 'its next run is #3');
    assert.equal(plan.carry.steps.transform!.error, null);
    assert.deepEqual(
      plan.carry.steps.extract,
      endedRun({ extract: 'succeeded', transform: 'failed', load: 'not-run', report: 'succeeded', side: 'skipped' }).steps.extract,
    );
    assert.deepEqual([plan.carry.stopCauses, plan.carry.reason, plan.carry.rerunOf], [[], null, 'ops@2026-12-01']);
    assert.deepEqual(plan.carry.operatorActions, [action]);
  });

  it('--from reruns that step and every step after it, even ones that succeeded; a failed step it keeps still stops the run', () => {
    const plan = planRerun(
      endedRun({ extract: 'succeeded', transform: 'succeeded', load: 'succeeded', report: 'succeeded', side: 'failed' }),
      graph,
      options('transform'),
    );
    assert.deepEqual(plan.again, ['transform', 'load']);
    assert.deepEqual(plan.carry.stopCauses, ['side']);
    assert.match(plan.carry.reason ?? '', /side failed in ops@2026-12-01/);
    const fromTop = planRerun(
      endedRun({ extract: 'succeeded', transform: 'failed', load: 'not-run', report: 'succeeded', side: 'succeeded' }),
      graph,
      options('extract'),
    );
    assert.deepEqual(fromTop.again, ['extract', 'transform', 'load', 'report']);
    assert.equal(fromTop.carry.steps.extract!.status, 'pending');
  });

  it('refuses an unknown --from and a run where nothing is left to run again', () => {
    const ended = endedRun({ extract: 'succeeded', transform: 'succeeded', load: 'succeeded', report: 'succeeded', side: 'skipped' });
    assert.throws(
      () => planRerun(ended, graph, options()),
      (error: unknown) => error instanceof InvalidInputError && /nothing to run again/.test(error.message),
    );
    assert.throws(
      () => planRerun(ended, graph, options('trasform')),
      (error: unknown) => error instanceof InvalidInputError && /no step "trasform"/.test(error.message),
    );
  });
});
