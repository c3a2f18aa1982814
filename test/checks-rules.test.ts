/**
 * The rules of the run checks as pure functions: what counts as the previous business date,
 * a failure streak and this month's delayed retries, given the runs visibility returned. The
 * checks against a real server are in checks-dev-server.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  datesBefore,
  datesOfMonth,
  judgeDelayedRetries,
  judgeRecordCount,
  judgeStreak,
  seriesOf,
  type CurrentRun,
  type PastRun,
} from '../src/activities/checks-rules';

const current: CurrentRun = {
  jobName: 'BATCH-001',
  workflowId: 'BATCH-001@2026-12-04',
  runId: 'r-now',
  businessDate: '2026-12-04',
  startTime: '2026-12-03T18:00:00.000Z',
};

let runCounter = 0;
function run(businessDate: string, status: string, overrides: Partial<PastRun> = {}): PastRun {
  return {
    workflowId: `BATCH-001@${businessDate}`,
    runId: `r-${++runCounter}`,
    businessDate,
    status,
    running: false,
    startTime: new Date(`${businessDate}T00:00:00.000Z`),
    recordCount: undefined,
    ...overrides,
  };
}

describe('seriesOf', () => {
  it('takes the date and run suffixes out of a workflow id', () => {
    assert.equal(seriesOf('BATCH-001@2026-12-04'), 'BATCH-001@');
    assert.equal(seriesOf('BATCH-001@2026-12-04T0315'), 'BATCH-001@');
    assert.equal(seriesOf('BATCH-001@2026-12-04+1764800000000'), 'BATCH-001@');
    assert.equal(seriesOf('daily@2026-12-04/rank#2'), 'daily@/rank');
    assert.equal(seriesOf('outer@2026-12-04/inner#3/rank'), 'outer@/inner/rank');
    assert.notEqual(seriesOf('daily@2026-12-04/rank'), seriesOf('monthly@2026-12-04/rank'), 'the same step name in two jobnets');
  });
});

describe('judgeRecordCount', () => {
  it('warns below the ratio of the previous business date, and names it', () => {
    const verdict = judgeRecordCount(current, 40, 0.5, [run('2026-12-03', 'success', { recordCount: 100 }), run('2026-12-02', 'success', { recordCount: 10 })]);
    assert.deepEqual(verdict, { anomaly: true, ratio: 0.4, previous: { businessDate: '2026-12-03', workflowId: 'BATCH-001@2026-12-03', recordCount: 100 } });
  });

  it('does not warn at or above the ratio', () => {
    assert.equal(judgeRecordCount(current, 50, 0.5, [run('2026-12-03', 'success', { recordCount: 100 })]).anomaly, false);
  });

  it('skips a failed day and runs of other series, and has no verdict without an earlier count', () => {
    const runs = [
      run('2026-12-03', 'error'),
      run('2026-12-03', 'success', { workflowId: 'other@2026-12-03', recordCount: 1_000 }),
      run('2026-12-01', 'success', { recordCount: 100 }),
    ];
    assert.equal(judgeRecordCount(current, 40, 0.5, runs).previous?.businessDate, '2026-12-01');
    assert.deepEqual(
      judgeRecordCount(current, 40, 0.5, [run('2026-12-04', 'success', { recordCount: 100 })]),
      { anomaly: false },
      'the same date is not a previous one',
    );
    assert.equal(judgeRecordCount(current, 0, 0.5, [run('2026-12-03', 'success', { recordCount: 0 })]).anomaly, false, 'nothing yesterday, nothing expected');
  });
});

describe('judgeStreak', () => {
  const failures = (count: number) => Array.from({ length: count }, (_, index) => run(`2026-12-0${3 - index}`, 'error'));

  it('alerts exactly when the streak reaches alertAt, not again after', () => {
    assert.deepEqual(
      [0, 1, 2, 3].map((earlier) => judgeStreak(current, { alertAt: 3 }, failures(earlier)).alert),
      [false, false, true, false],
    );
    assert.equal(judgeStreak(current, { alertAt: 3 }, failures(2)).streak, 3);
  });

  it('repeats every repeatEvery failures when asked', () => {
    const long = Array.from({ length: 8 }, (_, index) => run(`2026-11-${String(30 - index).padStart(2, '0')}`, 'timeout'));
    const streaks = [2, 3, 4, 5, 6, 7].map((earlier) => judgeStreak(current, { alertAt: 3, repeatEvery: 2 }, long.slice(0, earlier)));
    assert.deepEqual(
      streaks.map((v) => [v.streak, v.alert]),
      [
        [3, true],
        [4, false],
        [5, true],
        [6, false],
        [7, true],
        [8, false],
      ],
    );
  });

  it('ends at the last success; runs still open and later dates do not count', () => {
    const runs = [
      run('2026-12-05', 'error'),
      run('2026-12-03', 'running', { running: true }),
      run('2026-12-03', 'error'),
      run('2026-12-02', 'success'),
      run('2026-12-01', 'error'),
    ];
    assert.equal(judgeStreak(current, { alertAt: 3 }, runs).streak, 2);
  });

  it('counts the earlier runs of the same business date, by start time', () => {
    const sameDay = [
      run('2026-12-04', 'error', { startTime: new Date('2026-12-03T17:00:00.000Z') }),
      run('2026-12-04', 'success', { startTime: new Date('2026-12-03T19:00:00.000Z') }),
    ];
    assert.equal(judgeStreak(current, { alertAt: 3 }, sameDay).streak, 2);
  });
});

describe('judgeDelayedRetries', () => {
  it('counts the runs of the month with a delayed retry, this one included, and alerts at the threshold', () => {
    const runs = [
      run('2026-12-01', 'success'),
      run('2026-12-02', 'success'),
      run('2026-11-30', 'success'),
      run('2026-12-03', 'success', { workflowId: 'other@2026-12-03' }),
    ];
    assert.deepEqual(judgeDelayedRetries(current, 3, runs), { month: '2026-12', count: 3, alert: true });
    assert.equal(judgeDelayedRetries(current, 2, runs).alert, false, 'the threshold was reached by an earlier run');
    assert.equal(judgeDelayedRetries(current, 3, [...runs, { ...run('2026-12-04', 'running'), runId: 'r-now' }]).count, 3, 'this run counts once');
  });
});

describe('dates for visibility queries', () => {
  it('lists a month and the days before a date', () => {
    assert.equal(datesOfMonth('2028-02-10').length, 29);
    assert.deepEqual(datesOfMonth('2026-12-04').slice(-2), ['2026-12-30', '2026-12-31']);
    assert.deepEqual(datesBefore('2026-03-01', 2), ['2026-02-28', '2026-02-27']);
  });
});
