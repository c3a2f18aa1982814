/**
 * `jobnet report` end to end: real job runs on the dev server (visibility and search attributes
 * need it), the report read back from Temporal, and the HTML opened in headless Chromium from
 * file:// with no network — each of the four charts must have drawn its data points.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { Client, Connection } from '@temporalio/client';
import type { JobRunInput } from '../src/catalog/schema/job-schema';
import { listReportRuns } from '../src/visibility/list-report-runs';
import { addDays } from '../src/time/plain-date';
import { jobWorkflow } from '../src/workflows';
import { freePort } from '../scripts/servers';
import { startDevEnv, type DevEnv } from './helpers/dev-env';
import { jobnet } from './helpers/cli';
import { CHROMIUM, CHROMIUM_ARGS } from './helpers/chromium';
import { jobnetClient } from '../src/temporal/client';
import { jobRun } from './helpers/runs';

const QUEUE = 'report';
/** Kept after the test (outside the repository) for a person to look at. */
const SCREENSHOT = path.join(os.tmpdir(), 'jobnet-test-output', 'report.png');

let env: DevEnv;
let client: Client;
let browser: Browser | undefined;
const today = new Date().toISOString().slice(0, 10);
const dates = [addDays(today, -9), addDays(today, -3), today];

/** extract succeeds every day; load fails on the middle date. Records as the commands print them. */
const planned = dates.flatMap((date, i) => [
  { name: 'extract', date, records: 1000 + 100 * i, fails: false },
  { name: 'load', date, records: 400 * (i + 1), fails: i === 1 },
]);
const plannedRecords = planned.filter((p) => !p.fails).reduce((sum, p) => sum + p.records, 0);

before(async () => {
  env = await startDevEnv('report', [QUEUE]);
  client = jobnetClient(await Connection.connect({ address: env.server.address }));
  await Promise.all(
    planned.map(async (p) => {
      const script = p.fails ? 'echo "target table locked" >&2; exit 4' : `sleep 0.2; echo JOBNET_RECORD_COUNT=${p.records}`;
      const input: JobRunInput = { name: p.name, businessDate: p.date, job: { command: ['sh', '-c', script] } };
      await client.workflow.execute(jobWorkflow, { taskQueue: QUEUE, workflowId: `${p.name}@${p.date}`, args: [jobRun(input)] }).catch(() => undefined);
    }),
  );
  // Visibility lags the runs a little: wait until every run is listed closed with its final status.
  const deadline = Date.now() + 15_000;
  for (;;) {
    const runs = await listReportRuns(client, { startedAfter: new Date(Date.now() - 3_600_000) });
    if (runs.length === planned.length && runs.every((run) => run.closeTime && run.status !== 'running')) break;
    if (Date.now() > deadline) throw new Error(`runs not visible as finished: ${JSON.stringify(runs)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
});
after(async () => {
  await browser?.close();
  await client?.connection.close();
  await env?.stop();
});

interface ChartFigures {
  id: string;
  type: string;
  /** Drawn elements (bars, points) with a value, per dataset. */
  points: number[];
  total: number;
}

describe('jobnet report', () => {
  it('writes a self-contained HTML report whose four charts show the runs, opened offline in Chromium', async () => {
    const file = path.join(env.work.dir, 'out', 'report.html');
    const result = await jobnet('--address', env.server.address, '--json', 'report', '--since', addDays(today, -13), '-o', file);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /reading runs from Temporal/);
    assert.match(result.stderr, /6 runs of 2 jobs .*wrote .*report\.html/);
    const summary = JSON.parse(result.stdout) as { file: string; totals: { runs: number; failed: number; records: number } };
    assert.equal(summary.file, file);
    assert.deepEqual(summary.totals, { runs: 6, succeeded: 5, failed: 1, running: 0, records: plannedRecords });

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`file://${file}`);
    await page.waitForSelector('body[data-charts-ready="true"]', { timeout: 10_000 });
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.ok(statSync(SCREENSHOT).size > 20_000, `a screenshot with content at ${SCREENSHOT}`);

    assert.deepEqual(errors, []);
    assert.deepEqual(
      requests.filter((url) => !url.startsWith('file://')),
      [],
      'the report loads nothing from the network',
    );

    const charts: ChartFigures[] = await page.evaluate(() => {
      // Runs in the page; the project compiles without the DOM typings, hence these few shapes.
      interface Canvas {
        id: string;
      }
      interface ChartLike {
        config: { type: string };
        data: { datasets: { data: (number | null)[] }[] };
        getDatasetMeta(i: number): { data: unknown[] };
      }
      const win = globalThis as unknown as {
        document: { querySelectorAll(selector: string): ArrayLike<Canvas> };
        Chart: { getChart(canvas: Canvas): ChartLike | undefined };
      };
      return Array.from(win.document.querySelectorAll('canvas')).map((canvas) => {
        const chart = win.Chart.getChart(canvas);
        if (!chart) return { id: canvas.id, type: 'none', points: [], total: 0 };
        const points = chart.data.datasets.map((dataset, i) => chart.getDatasetMeta(i).data.filter((_, j) => (dataset.data[j] ?? 0) > 0).length);
        const total = chart.data.datasets.flatMap((dataset) => dataset.data).reduce<number>((sum, v) => sum + (v ?? 0), 0);
        return { id: canvas.id, type: chart.config.type, points, total };
      });
    });
    const byId = Object.fromEntries(charts.map((chart) => [chart.id, chart]));
    assert.deepEqual(Object.keys(byId).sort(), ['chart-failure-rate', 'chart-mean-duration', 'chart-records-per-week', 'chart-runs-per-day']);
    for (const chart of charts) {
      assert.ok(chart.points.reduce((a, b) => a + b, 0) > 0, `${chart.id} (${chart.type}) has data points: ${JSON.stringify(chart)}`);
    }
    const runsPerDay = byId['chart-runs-per-day']!;
    assert.equal(runsPerDay.total, 6, 'every run is a bar segment');
    assert.deepEqual(runsPerDay.points.slice(0, 2), [3, 1], 'successes on each of the three days, the failure on one');
    assert.equal(byId['chart-records-per-week']!.total, plannedRecords);
    assert.equal(byId['chart-mean-duration']!.points.length, 2, 'one line per job');
    // One failed run of six finished, spread over the months the window touches.
    assert.ok(byId['chart-failure-rate']!.points[0]! >= 1);
  });

  it('reports one job with --job', async () => {
    const file = path.join(env.work.dir, 'out', 'extract.html');
    const result = await jobnet('--address', env.server.address, '--json', 'report', '--job', 'extract', '--since', '30d', '-o', file);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as { jobs: { job: string; runs: number; failureRate: number; lastRun: { workflowId: string } }[] };
    assert.deepEqual(
      summary.jobs.map((j) => [j.job, j.runs, j.failureRate, j.lastRun.workflowId]),
      [['extract', 3, 0, `extract@${today}`]],
    );
  });

  it('exits 2 on bad input and 3 when Temporal is unreachable, writing nothing', async () => {
    const file = path.join(env.work.dir, 'out', 'never.html');
    const bad = await jobnet('--address', env.server.address, 'report', '--since', 'last month', '-o', file);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--since: "last month" is neither a date/);
    const unreachable = await jobnet('--address', `127.0.0.1:${await freePort()}`, 'report', '-o', file);
    assert.equal(unreachable.code, 3, unreachable.stderr);
    assert.throws(() => statSync(file), { code: 'ENOENT' });
  });
});
