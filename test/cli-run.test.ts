/**
 * `jobnet run`, `history`, `cron` and the exit codes, against the real dev server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { jobnet } from './helpers/cli';
import { startDevEnv, type DevEnv } from './helpers/dev-env';

let env: DevEnv;
let catalog: string;

/**
 * A jobnet whose step names together outgrow what one search attribute value may hold (2 KB):
 * 40 steps of 60 characters, the last one using the catalog job tiny-job.
 */
const WIDE_STEPS = Array.from({ length: 40 }, (_, index) => `step-with-a-name-long-enough-to-fill-the-search-attribute-${String(index).padStart(2, '0')}`);
const WIDE_JOBNET = [
  '  wide:',
  '    jobs:',
  ...WIDE_STEPS.map((name, index) => (index === WIDE_STEPS.length - 1 ? `      ${name}: { use: tiny-job }` : `      ${name}: { command: ["true"] }`)),
  '',
].join('\n');

const CATALOG = `version: 1
timezone: Asia/Tokyo
jobs:
  ok-job:
    command: [sh, -c, "echo fine; echo JOBNET_RECORD_COUNT=7"]
  failing-job:
    command: [sh, -c, "echo broken >&2; exit 3"]
  three-seconds:
    command: [sh, -c, "sleep 3; echo done"]
  slow-job:
    command: [sleep, "30"]
    timeout: 2s
    killGrace: 1s
  orphan:
    command: ["true"]
    host: switched-off
    startWithin: 2s
  tiny-job:
    command: ["true"]
  per-key:
    command: [sh, -c, 'echo "key $JOBNET_ITEM"']
  fan:
    fanout: { items: [k1, k2], job: per-key }
jobnets:
  pair:
    jobs:
      one: { use: ok-job }
      two: { command: ["true"], needs: [one] }
${WIDE_JOBNET}`;

before(async () => {
  env = await startDevEnv('cli-run');
  catalog = path.join(env.work.dir, 'jobnet.yaml');
  writeFileSync(catalog, CATALOG);
});
after(async () => env?.stop());

const cli = (...argv: string[]) => jobnet('-c', catalog, '--address', env.server.address, ...argv);

async function historyOf(name: string, expected: number) {
  // Visibility trails the runs by a moment.
  let runs: Array<{ workflowId: string; status: string }> = [];
  const deadline = Date.now() + 10_000;
  do {
    const result = await cli('--json', 'history', name);
    assert.equal(result.code, 0, result.stderr);
    runs = JSON.parse(result.stdout) as typeof runs;
    if (runs.length >= expected) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  } while (Date.now() < deadline);
  return runs;
}

/** `npm run start -- <argv>` as a process of its own (the worker runs in this one). */
async function starter(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [
      '--import',
      'tsx',
      'src/starter.ts',
      '-c',
      catalog,
      '--address',
      env.server.address,
      ...argv,
    ]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run start', () => {
  it('starts a jobnet and a fan-out of the catalog by name, like jobnet run', async () => {
    const jobnetRun = await starter('pair', '--date', '2026-12-03', '--wait');
    assert.equal(jobnetRun.code, 0, jobnetRun.stderr);
    assert.match(jobnetRun.stderr, /started pair@2026-12-03/);
    const fanoutRun = await starter('fan', '--date', '2026-12-03', '--wait');
    assert.equal(fanoutRun.code, 0, fanoutRun.stderr);
    assert.match(fanoutRun.stderr, /started fan@2026-12-03/);
    assert.match(fanoutRun.stdout, /fan \(2026-12-03\): success — 2\/2 partitions done: 2 succeeded/);
  });
});

describe('jobnet run', () => {
  it('runs a job once per business date; --force starts another', async () => {
    const first = await cli('run', 'ok-job', '--date', '2026-12-01', '--wait');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /started ok-job@2026-12-01/);
    assert.equal(JSON.parse(first.stdout).recordCount, 7);

    const second = await cli('run', 'ok-job', '--date', '2026-12-01');
    assert.equal(second.code, 0);
    assert.match(second.stderr, /exists already for this business date; not started again/);

    const forced = await cli('run', 'ok-job', '--date', '2026-12-01', '--force', '--wait');
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stderr, /started ok-job@2026-12-01\+\d+/);

    const status = await cli('status', 'ok-job@2026-12-01');
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^ok-job@2026-12-01: success \(attempts 1\)\n.*started\n.*succeeded/s);
    const missing = await cli('status', 'ok-job@1999-01-01');
    assert.equal(missing.code, 2);

    // Its own two runs, and its run as step `one` of the jobnet pair (above), filed under the job it uses.
    const runs = await historyOf('ok-job', 3);
    assert.deepEqual(runs.map((run) => run.workflowId.replace(/\+\d+$/, '+…')).sort(), ['ok-job@2026-12-01', 'ok-job@2026-12-01+…', 'pair@2026-12-03/one']);
    assert.ok(runs.every((run) => run.status === 'success'));
  });

  it('status --watch follows a run until it ends', async () => {
    const started = await cli('run', 'three-seconds', '--date', '2026-12-01');
    assert.equal(started.code, 0, started.stderr);
    const watched = await cli('status', 'three-seconds@2026-12-01', '--watch');
    assert.equal(watched.code, 0, watched.stderr);
    const renders = watched.stdout.split(/^three-seconds@2026-12-01: /m).filter(Boolean);
    assert.ok(renders.length >= 2, `refreshed while running:\n${watched.stdout}`);
    assert.match(renders[0]!, /^running/);
    assert.match(renders.at(-1)!, /^success/);
  });

  it('a failed run exits 1 and shows as error in history', async () => {
    const failed = await cli('run', 'failing-job', '--date', '2026-12-01', '--wait');
    assert.equal(failed.code, 1);
    assert.equal(JSON.parse(failed.stdout).status, 'error');
    assert.match(failed.stderr, /exited with code 3: broken/);
    const runs = await historyOf('failing-job', 1);
    assert.equal(runs[0]?.status, 'error');
  });

  it('startWithin: a job whose host no worker serves fails as NoWorker instead of hanging "running"', async () => {
    // Nobody polls host:switched-off. (The Java time-skipping server cannot show this: it
    // stops its clock while an activity is scheduled and not yet finished.)
    const started = Date.now();
    const run = await cli('run', 'orphan', '--date', '2026-12-01', '--wait');
    assert.equal(run.code, 1, run.stderr);
    const result = JSON.parse(run.stdout) as { status: string; errorType: string; error: string; attempts: number };
    assert.equal(result.status, 'error');
    assert.equal(result.errorType, 'NoWorker');
    assert.match(result.error, /no worker took the job from its queue within startWithin/);
    assert.equal(result.attempts, 0);
    // 2 s for the command's activity, 2 s more for the run-log line on the same queue.
    assert.ok(Date.now() - started < 30_000, 'it ended by itself');
  });

  it("the catalog's durations reach the run as written (timeout: 2s is two seconds)", async () => {
    const started = Date.now();
    const result = await cli('run', 'slow-job', '--date', '2026-12-01', '--wait');
    assert.equal(result.code, 1);
    assert.equal(JSON.parse(result.stdout).status, 'timeout');
    assert.ok(Date.now() - started < 20_000, 'stopped at its 2 s time-out, long before the 30 s sleep ended');
  });

  it('bad input exits 2 naming what is wrong, before connecting', async () => {
    const unknown = await jobnet('-c', catalog, '--address', '127.0.0.1:1', 'run', 'no-such-job');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no job or jobnet "no-such-job"/);
    assert.match(unknown.stderr, /jobnets: /, 'lists the jobnets beside the jobs');
    const typo = await jobnet('-c', catalog, '--address', '127.0.0.1:1', 'run', 'ok-jb');
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /did you mean "ok-job"\?/);
    const badDate = await jobnet('-c', catalog, '--address', '127.0.0.1:1', 'run', 'ok-job', '--date', '2026-02-30x');
    assert.equal(badDate.code, 2);
    assert.match(badDate.stderr, /YYYY-MM-DD/);
    const usage = await jobnet('frobnicate');
    assert.equal(usage.code, 2);
  });

  it('exits 3 when Temporal is unreachable', async () => {
    const result = await jobnet('-c', catalog, '--address', '127.0.0.1:1', 'run', 'ok-job');
    assert.equal(result.code, 3);
    assert.match(result.stderr, /cannot reach Temporal at 127\.0\.0\.1:1/);
  });

  it('cron prints the crontab line and the schtasks command', async () => {
    const result = await cli('cron', 'ok-job', '--at', '02:30');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      `# crontab\n30 2 * * * npx jobnet -c ${catalog} run ok-job --wait >> /var/log/jobnet-ok-job.log 2>&1\n` +
        `# Windows Task Scheduler\nschtasks /Create /TN "jobnet\\ok-job" /SC DAILY /ST 02:30 /TR "npx jobnet -c ${catalog} run ok-job --wait"\n`,
    );
  });
});

describe('a jobnet with more step names than a search attribute holds', () => {
  it('runs to the end, and its steps that use a catalog job are still found under that job', async () => {
    assert.ok(WIDE_STEPS.join('').length > 2048, 'the names outgrow a search attribute value');
    const run = await cli('run', 'wide', '--date', '2026-12-04', '--wait');
    assert.equal(run.code, 0, run.stderr);
    const runs = await historyOf('tiny-job', 1);
    assert.deepEqual(
      runs.map((found) => found.workflowId),
      [`wide@2026-12-04/${WIDE_STEPS.at(-1)}`],
    );
    assert.equal(runs[0]?.status, 'success');
  });
});
