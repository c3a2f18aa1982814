/** The report's figures on hand-made runs: every number below is worked out by hand. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateRuns, MAX_JOB_SERIES, OTHER_JOBS, weekOf, type ReportRun } from '../src/report/aggregate';
import { sinceDate } from '../src/cli/report';

function run(job: string, businessDate: string, status: string, seconds: number | undefined, recordCount?: number): ReportRun {
  const startTime = new Date(`${businessDate}T03:00:00Z`);
  return {
    job,
    workflowId: `${job}@${businessDate}`,
    businessDate,
    status,
    startTime,
    closeTime: seconds === undefined ? undefined : new Date(startTime.getTime() + seconds * 1000),
    recordCount,
  };
}

const runs = [
  run('A', '2026-10-20', 'success', 600), // before the window: feeds only the 30-day means
  run('A', '2026-11-02', 'success', 60, 1000),
  run('A', '2026-11-02', 'error', 30),
  run('A', '2026-11-09', 'success', 120, 500),
  run('B', '2026-11-03', 'timeout', 10, 2000),
  run('B', '2026-11-10', 'running', undefined),
];
const window = { from: '2026-11-01', to: '2026-11-10', generatedAt: new Date('2026-11-10T12:00:00Z') };

describe('report aggregation', () => {
  it('counts runs per day by outcome, inside the window only', () => {
    const data = aggregateRuns(runs, window);
    assert.equal(data.runsPerDay.days.length, 10);
    const at = (day: string) => data.runsPerDay.days.indexOf(day);
    assert.deepEqual([data.runsPerDay.succeeded[at('2026-11-02')], data.runsPerDay.failed[at('2026-11-02')]], [1, 1]);
    assert.equal(data.runsPerDay.failed[at('2026-11-03')], 1, 'a time-out is a failure');
    assert.equal(data.runsPerDay.running[at('2026-11-10')], 1);
    assert.deepEqual(data.totals, { runs: 5, succeeded: 2, failed: 2, running: 1, records: 3500 });
  });

  it('means durations over the 30 days up to each day, per job, looking back before the window', () => {
    const data = aggregateRuns(runs, window);
    const series = Object.fromEntries(data.meanDuration.series.map((s) => [s.job, s.values]));
    const at = (day: string) => data.meanDuration.days.indexOf(day);
    assert.equal(series.A![at('2026-11-01')], 600);
    assert.equal(series.A![at('2026-11-02')], 230); // (600 + 60 + 30) / 3
    assert.equal(series.A![at('2026-11-09')], 202.5); // (600 + 60 + 30 + 120) / 4
    assert.equal(series.B![at('2026-11-02')], null);
    assert.equal(series.B![at('2026-11-10')], 10, 'a running run has no duration yet');
  });

  it('gives the failure rate per month over finished runs', () => {
    const data = aggregateRuns(runs, { ...window, from: '2026-10-15' });
    assert.deepEqual(data.failureRateByMonth.months, ['2026-10', '2026-11']);
    assert.deepEqual(data.failureRateByMonth.failed, [0, 2]);
    assert.deepEqual(data.failureRateByMonth.finished, [1, 4]);
    assert.deepEqual(data.failureRateByMonth.ratePercent, [0, 50]);
  });

  it('sums records per ISO week (from Monday), per job', () => {
    const data = aggregateRuns(runs, window);
    assert.deepEqual(data.recordsByWeek.weeks, ['2026-10-26', '2026-11-02', '2026-11-09']);
    assert.deepEqual(data.recordsByWeek.series, [
      { job: 'A', values: [0, 1000, 500] },
      { job: 'B', values: [0, 2000, 0] },
    ]);
    assert.equal(weekOf('2026-11-08'), '2026-11-02', 'Sunday belongs to the week that began on Monday');
  });

  it('summarizes each job: counts in the window, mean duration of its last 30 days', () => {
    const [a, b] = aggregateRuns(runs, window).jobs;
    assert.deepEqual(
      { ...a, lastRun: a!.lastRun?.workflowId },
      { job: 'A', runs: 3, succeeded: 2, failed: 1, running: 0, failureRate: 33.3, meanDurationSeconds: 202.5, records: 1500, lastRun: 'A@2026-11-09' },
    );
    assert.equal(b!.failureRate, 100);
    assert.equal(b!.lastRun?.status, 'running');
  });

  it('reports one job with --job', () => {
    const data = aggregateRuns(runs, { ...window, job: 'B' });
    assert.deepEqual(
      data.jobs.map((j) => j.job),
      ['B'],
    );
    assert.equal(data.totals.runs, 2);
    assert.deepEqual(
      data.recordsByWeek.series.map((s) => s.job),
      ['B'],
    );
  });

  it('merges the jobs beyond the first ten into "other jobs", keeping every record', () => {
    const many = Array.from({ length: 14 }, (_, i) => run(`job-${String(i).padStart(2, '0')}`, '2026-11-05', 'success', 5, 100 + i));
    const data = aggregateRuns([...many, run('job-00', '2026-11-06', 'success', 5, 1)], window);
    assert.equal(data.recordsByWeek.series.length, MAX_JOB_SERIES);
    assert.equal(data.recordsByWeek.series.at(-1)!.job, OTHER_JOBS);
    const total = data.recordsByWeek.series.flatMap((s) => s.values).reduce<number>((x, y) => x + (y ?? 0), 0);
    assert.equal(total, data.totals.records);
    assert.ok(
      data.recordsByWeek.series.some((s) => s.job === 'job-00'),
      'the job with the most runs keeps its own series',
    );
    assert.equal(data.jobs.length, 14, 'the table still lists every job');
  });

  it('reads --since as a date or as a duration back from now; anything else is bad input', () => {
    const now = new Date('2026-11-22T10:00:00Z');
    assert.equal(sinceDate('90d', now), '2026-08-24');
    assert.equal(sinceDate('2026-10-01', now), '2026-10-01');
    assert.throws(() => sinceDate('3 months', now), { name: 'InvalidInput', message: /--since: "3 months" is neither a date/ });
  });
});
