/**
 * The operator's view of a jobnet run through the CLI, against the dev server: `jobnet run
 * <jobnet>`, `jobnet status` as a tree, and `jobnet retry|skip|abort` as Updates that are
 * refused (exit 2) when they do not apply. The seed 001 fixture: BATCH-001 fails its first call
 * and waits for an operator.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { jobnet, type CliRun } from './helpers/cli';
import { startDevEnv, type DevEnv } from './helpers/dev-env';
import { SEED_001, intervals } from './helpers/catalog-runs';
import { Connection } from '@temporalio/client';
import { jobnetClient, operatorIdentity } from '../src/temporal/client';

let env: DevEnv;
let trace: string;
const saved = { trace: process.env.JOBNET_TRACE, fails: process.env.BATCH_001_FAILS };

before(async () => {
  env = await startDevEnv('cli-jobnet');
  trace = path.join(env.work.dir, 'trace.log');
  // The catalog's ${JOBNET_TRACE} and ${BATCH_001_FAILS} are resolved when the CLI reads it.
  process.env.JOBNET_TRACE = trace;
  process.env.BATCH_001_FAILS = '1';
});
after(async () => {
  for (const [key, value] of [
    ['JOBNET_TRACE', saved.trace],
    ['BATCH_001_FAILS', saved.fails],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await env?.stop();
});

const cli = (...argv: string[]) => jobnet('-c', SEED_001, '--address', env.server.address, ...argv);

async function statusUntil(run: string, ready: (out: string) => boolean, what: string): Promise<CliRun> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = await cli('status', run);
    if (status.code === 0 && ready(status.stdout)) return status;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${status.stdout}${status.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

describe('jobnet run / status / retry / skip / abort (dev server)', () => {
  const run = 'seed-001@2026-12-01';

  it('runs a jobnet by name, once per business date, and draws it as a tree while it waits for an operator', async () => {
    const started = await cli('run', 'seed-001', '--date', '2026-12-01');
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stderr, /started seed-001@2026-12-01/);
    const again = await cli('run', 'seed-001', '--date', '2026-12-01');
    assert.match(again.stderr, /exists already/);

    const status = await statusUntil(run, (out) => /BATCH-001\s+waiting-operator/.test(out), 'BATCH-001 to wait for an operator');
    const lines = status.stdout.split('\n');
    assert.match(
      lines[0]!,
      /^seed-001@2026-12-01: running\s+\(started 2\d{3}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+09:00\)/,
      "times in the catalog's zone, with the offset",
    );
    assert.ok(
      lines.some((line) => /^├─ BATCH-000\s+succeeded/.test(line)),
      status.stdout,
    );
    assert.ok(
      lines.some((line) => /^├─ BATCH-001\s+waiting-operator .*error: exited with code 3/.test(line)),
      status.stdout,
    );
    assert.ok(
      lines.some((line) => line.includes(`→ jobnet retry|skip ${run} BATCH-001`)),
      status.stdout,
    );
    assert.ok(
      lines.some((line) => /BATCH-002\s+waiting-dependency/.test(line)),
      status.stdout,
    );

    // The same board on the run's Web UI page: its current details, as the Web UI reads them.
    const client = jobnetClient(await Connection.connect({ address: env.server.address }));
    try {
      const metadata = (await client.workflow.getHandle(run).query('__temporal_workflow_metadata')) as { currentDetails?: string };
      const board = metadata.currentDetails ?? '';
      assert.match(board, /^\*\*seed-001@2026-12-01\*\* — running/, board);
      assert.match(board, /^\| BATCH-001 \| ⏸ waiting-operator \| 1 \|.*\| operator until .*\| exited with code 3[^|]* \|$/m, board);
      assert.match(board, /^\| BATCH-002 \| ◔ waiting-dependency \| 0 \|.*\| predecessor BATCH-001 \|/m, board);
      assert.ok(board.includes(`| run it again | \`retry\` with \`{"job":"BATCH-001"}\` | \`npx jobnet retry ${run} BATCH-001\` |`), board);
    } finally {
      await client.connection.close();
    }
  });

  it('refuses an action that does not apply, with exit code 2 and the reason', async () => {
    const skip = await cli('skip', run, 'BATCH-002');
    assert.equal(skip.code, 2, skip.stdout);
    assert.match(skip.stderr, /refused: .*BATCH-002/);
    const unknown = await cli('retry', run, 'BATCH-999');
    assert.equal(unknown.code, 2);
    const notJobnet = await cli('abort', 'no-such-run@2026-12-01');
    assert.equal(notJobnet.code, 2);
    assert.match(notJobnet.stderr, /no such run/);
  });

  it('retry reruns only BATCH-001; then BATCH-002 runs and the run succeeds', async () => {
    const retried = await cli('retry', run, 'BATCH-001');
    assert.equal(retried.code, 0, retried.stderr);
    assert.match(retried.stdout, /BATCH-001\s+(pending|running)/);
    await statusUntil(run, (out) => /^seed-001@2026-12-01: success/.test(out), 'the run to succeed');
    const ran = intervals(trace).map((interval) => interval.job);
    assert.deepEqual(ran, ['BATCH-000', 'BATCH-001', 'BATCH-001', 'BATCH-002'], readFileSync(trace, 'utf8'));
    const ended = await cli('abort', run);
    assert.equal(ended.code, 2);
    assert.match(ended.stderr, /has ended/);
  });

  it('history and list show the jobnet run, as they do a job run', async () => {
    const history = await cli('history', 'seed-001');
    assert.equal(history.code, 0, history.stderr);
    assert.match(
      history.stdout,
      /^seed-001@2026-12-01\s+success\s+2\d{3}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+09:00\s/m,
      "started, in the catalog's zone (Asia/Tokyo, the default)",
    );
    // A job used as a step: its runs are filed under the catalog job, from the jobnet run that holds them.
    const step = await cli('history', 'BATCH-001');
    assert.equal(step.code, 0, step.stderr);
    assert.match(step.stdout, /^seed-001@2026-12-01\/BATCH-001#2\s+success\s/m, step.stdout);
    const list = await cli('--json', 'list');
    assert.equal(list.code, 0, list.stderr);
    const entry = (JSON.parse(list.stdout) as Array<{ name: string; lastRun: string | null; lastStatus: string | null }>).find((e) => e.name === 'seed-001');
    assert.ok(entry?.lastRun, list.stdout);
    assert.equal(entry.lastStatus, 'success');
  });

  it('the run carries a summary the Web UI shows: name, description, run id', async () => {
    const client = jobnetClient(await Connection.connect({ address: env.server.address }));
    try {
      const description = await client.workflow.getHandle(run).describe();
      assert.equal(await description.staticSummary(), `seed-001 — the nightly chain of seed 001 · ${run}`);
    } finally {
      await client.connection.close();
    }
  });

  it('the report has a row for the jobnet run, and counts the retried step as one run that succeeded', async () => {
    const totals = async (job: string) => {
      const report = await cli('--json', 'report', '--since', '2026-11-01', '--job', job, '-o', path.join(env.work.dir, `report-${job}.html`));
      assert.equal(report.code, 0, report.stderr);
      return (JSON.parse(report.stdout) as { totals: { runs: number; succeeded: number; failed: number } }).totals;
    };
    assert.deepEqual(await totals('seed-001'), { runs: 1, succeeded: 1, failed: 0, running: 0, records: 0 });
    // BATCH-001 failed, waited for an operator and was retried: one run, succeeded.
    assert.deepEqual(await totals('BATCH-001'), { runs: 1, succeeded: 1, failed: 0, running: 0, records: 0 });
  });

  it('abort ends a waiting run as aborted', async () => {
    process.env.BATCH_001_FAILS = '99';
    const other = 'seed-001@2026-12-02';
    assert.equal((await cli('run', 'seed-001', '--date', '2026-12-02')).code, 0);
    await statusUntil(other, (out) => /BATCH-001\s+waiting-operator/.test(out), 'BATCH-001 to wait');
    const aborted = await cli('abort', other, '--reason', 'upstream data is wrong; rerun tomorrow');
    assert.equal(aborted.code, 0, aborted.stderr);
    const status = await statusUntil(other, (out) => /: aborted/.test(out), 'the run to end aborted');
    // Who acted: this client's identity (JOBNET_OPERATOR, else user@host).
    const by = operatorIdentity().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(status.stdout, new RegExp(`abort by ${by} \\(update\\) — upstream data is wrong`));
    assert.match(status.stdout, new RegExp(`^seed-001@2026-12-02: aborted — aborted by ${by} \\(update\\): upstream data is wrong`, 'm'));
    assert.match(status.stdout, /BATCH-002\s+not-run/);
  });
});
