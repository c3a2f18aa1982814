/**
 * The board a jobnet run shows in the Web UI (its current details), rendered from hand-made
 * states: what each step waits for, and for a step waiting for an operator the Signal and the
 * command that act on it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JobnetState, StepState } from '../src/contracts/jobnet';
import { FULL_BOARD_STEPS, jobnetBoard } from '../src/workflows/jobnet-board';

function step(overrides: Partial<StepState>): StepState {
  return {
    status: 'pending',
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
    ...overrides,
  };
}

const RUN = 'daily-ranking@2026-12-01';
const HOUR = 3_600_000;

function state(steps: Record<string, StepState>, overrides: Partial<JobnetState> = {}): JobnetState {
  return {
    name: 'daily-ranking',
    businessDate: '2026-12-01',
    status: 'running',
    reason: null,
    startTime: '2026-12-01T13:00:00.000Z',
    endTime: null,
    steps,
    operatorActions: [],
    deadline: null,
    warnings: [],
    ...overrides,
  };
}

describe('the jobnet board', () => {
  it('lists each step with status, attempt, times, what it waits for, and how to act on a waiting one', () => {
    const board = jobnetBoard(
      state({
        'BATCH-000': step({ status: 'succeeded', attempts: 1, startTime: '2026-12-01T13:00:01.000Z', endTime: '2026-12-01T13:00:04.250Z' }),
        'BATCH-001': step({
          status: 'waiting-operator',
          attempts: 2,
          startTime: '2026-12-01T13:00:05.000Z',
          endTime: '2026-12-01T13:00:09.000Z',
          waitingSince: '2026-12-01T13:00:09.000Z',
          error: 'exited with code 3',
        }),
        'BATCH-002': step({ status: 'waiting-dependency' }),
        export: step({
          status: 'running',
          attempts: 1,
          startTime: '2026-12-01T13:00:02.000Z',
          waiting: { kind: 'lock', lock: 'ranking-db', since: '2026-12-01T13:00:02.000Z' },
        }),
      }),
      { workflowId: RUN, needs: { 'BATCH-001': ['BATCH-000'], 'BATCH-002': ['BATCH-001', 'BATCH-000'], export: [] }, operatorMaxWaitMs: 24 * HOUR },
    );
    const lines = board.split('\n');
    assert.equal(lines[0], `**${RUN}** — running`);
    assert.match(board, /4 steps: 1 running · 1 waiting-operator · 1 waiting-dependency · 1 succeeded/);
    assert.ok(lines.includes('| BATCH-000 | ✔ succeeded | 1 | 2026-12-01 13:00:01Z | 2026-12-01 13:00:04Z |  |  |'), board);
    assert.ok(
      lines.includes(
        '| BATCH-001 | ⏸ waiting-operator | 2 | 2026-12-01 13:00:05Z | 2026-12-01 13:00:09Z | operator until 2026-12-02 13:00:09Z | exited with code 3 |',
      ),
      board,
    );
    // Only the predecessor still open, not the one that finished.
    assert.ok(lines.includes('| BATCH-002 | ◔ waiting-dependency | 0 |  |  | predecessor BATCH-001 |  |'), board);
    assert.ok(lines.includes('| export | ▶ running | 1 | 2026-12-01 13:00:02Z |  | lock ranking-db since 2026-12-01 13:00:02Z |  |'), board);
    // The exact Signal body and command for the waiting step.
    assert.ok(lines.includes(`| run it again | \`retry\` with \`{"job":"BATCH-001"}\` | \`npx jobnet retry ${RUN} BATCH-001\` |`), board);
    assert.ok(lines.includes(`| take it as succeeded | \`skip\` with \`{"job":"BATCH-001"}\` | \`npx jobnet skip ${RUN} BATCH-001\` |`), board);
    assert.ok(lines.includes(`| end the jobnet | \`abort\` with \`{"reason":"…"}\` | \`npx jobnet abort ${RUN} --reason "…"\` |`), board);
  });

  it('an ended run offers no actions and lists what operators did', () => {
    const board = jobnetBoard(
      state(
        { a: step({ status: 'waiting-operator', attempts: 1, waitingSince: '2026-12-01T13:00:00.000Z' }) },
        {
          status: 'aborted',
          reason: 'upstream | wrong',
          endTime: '2026-12-01T14:00:00.000Z',
          operatorActions: [{ at: '2026-12-01T13:59:59.000Z', action: 'abort', via: 'signal', accepted: true, reason: 'upstream | wrong' }],
        },
      ),
      { workflowId: RUN, needs: {}, operatorMaxWaitMs: HOUR },
    );
    assert.match(board, /^\*\*daily-ranking@2026-12-01\*\* — aborted: upstream \\\| wrong$/m);
    assert.doesNotMatch(board, /Send a Signal/);
    assert.match(board, /^- 2026-12-01 13:59:59Z abort \(signal\) — upstream \\\| wrong$/m);
  });

  it('shows the deadline and a warning that it passed', () => {
    const board = jobnetBoard(
      state(
        { a: step({ status: 'running', attempts: 1 }) },
        { deadline: '2026-12-01T15:00:00.000Z', warnings: ['deadline 2026-12-01T15:00:00.000Z passed while the run was still going'] },
      ),
      { workflowId: RUN, needs: {}, operatorMaxWaitMs: HOUR },
    );
    assert.match(board, / · deadline 2026-12-01 15:00:00Z · /);
    assert.match(board, /^> ⚠ deadline 2026-12-01T15:00:00.000Z passed while the run was still going$/m);
  });

  it('a large jobnet lists only the steps that need looking at', () => {
    const steps: Record<string, StepState> = {};
    for (let i = 0; i < FULL_BOARD_STEPS + 10; i++) steps[`s${i}`] = step({ status: 'succeeded', attempts: 1 });
    steps.s7 = step({ status: 'failed', attempts: 1, error: 'boom' });
    steps.s8 = step({ status: 'running', attempts: 1 });
    const board = jobnetBoard(state(steps), { workflowId: RUN, needs: {}, operatorMaxWaitMs: HOUR });
    const rows = board.split('\n').filter((line) => /^\| s\d+ /.test(line));
    assert.deepEqual(
      rows.map((row) => row.split(' | ')[0]),
      ['| s7', '| s8'],
    );
    assert.match(board, new RegExp(`${FULL_BOARD_STEPS + 8} more steps .*npx jobnet status ${RUN}`));
  });
});
