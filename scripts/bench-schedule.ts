/**
 * `npm run bench:schedule` — DESIGN.md §9's schedule figure: from a Schedule's nominal fire time
 * to the command's start on the worker.
 *
 * A catalog job `tick` with `schedule: { interval: 1 }` (every second) is synced to a dev
 * server the way `jobnet sync` does it, and runs `date` as its command on a jobnet worker: each
 * fire's run id carries its nominal time (`tick@<date>T<HHMMSS>`), the command writes the time
 * it started. Beside it, the floor: a plain SDK Schedule firing a plain workflow whose one
 * activity notes when it started (scripts/floor/). Both run for `--fires` fires (default 120).
 * Prints p50, p99 and max for both; target p99 ≤ 1 s.
 *
 *   npm run bench:schedule [-- --fires 120]
 *
 * Figures go to stdout and to .data/bench/schedule-<time>.json (and schedule-latest.json).
 */
import { catalogIdOf } from '../src/sync/owned';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { parseCatalog } from '../src/catalog/load/load';
import { jobnetClient } from '../src/temporal/client';
import { codecSettings } from '../src/codec/keys';
import { applyChanges } from '../src/sync/apply-changes';
import { catalogSchedules } from '../src/sync/catalog-schedules';
import { planChanges } from '../src/sync/plan-changes';
import { freePort, startDevServer } from './servers';
import { peakRssMiB, startBenchWorker, startFloorWorker } from './lib/bench-worker';

const ROOT = path.resolve(__dirname, '..');
const QUEUE = 'bench-schedule';
const FLOOR_QUEUE = 'bench-schedule-floor';
const TARGET_P99_MS = 1_000;

const { values } = parseArgs({ options: { fires: { type: 'string', default: '120' } } });
const FIRES = Number(values.fires);
if (!Number.isInteger(FIRES) || FIRES < 10) {
  console.error('bench:schedule: --fires is a whole number ≥ 10');
  process.exit(2);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function stats(latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { fires: sorted.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted[sorted.length - 1]! };
}

/** `tick@2026-12-02T031520 1764643520123`: the run id's wall-clock time (UTC here) against the start. */
function jobnetLatencies(file: string): number[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .flatMap((line) => {
      const match = /@(\d{4}-\d{2}-\d{2})T(\d{2})(\d{2})(\d{2})? (\d+)$/.exec(line.trim());
      if (!match) return [];
      const [, date, hh, mm, ss = '00', started] = match;
      return [Number(started) - Date.parse(`${date}T${hh}:${mm}:${ss}Z`)];
    });
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'jobnet-bench-schedule-'));
  const starts = path.join(work, 'starts.log');
  const floorStarts = path.join(work, 'floor-starts.log');
  const server = await startDevServer({ dbFile: path.join(work, 'temporal.db'), port: await freePort(), stdio: 'ignore' });
  const connection = await Connection.connect({ address: server.address });
  const client = jobnetClient(connection);
  let result: { jobnet: ReturnType<typeof stats>; floor: ReturnType<typeof stats>; memory: Record<string, number | null> };
  try {
    const worker = await startBenchWorker({ address: server.address, queue: QUEUE, env: { JOBNET_LOG_DIR: path.join(work, 'runlog'), BENCH_STARTS: starts } });
    const floor = await startFloorWorker({ address: server.address, queue: FLOOR_QUEUE });
    try {
      // The catalog's time zone is UTC so the run id's time reads back without a zone table.
      const catalog = parseCatalog(
        [
          'version: 1',
          'timezone: UTC',
          `defaults: { queue: ${QUEUE} }`,
          'jobs:',
          '  tick:',
          `    command: [sh, -c, 'echo "$JOBNET_RUN_ID $(date +%s%3N)" >> "$BENCH_STARTS"']`,
          '    schedule: { interval: 1, overlap: allow }',
          '',
        ].join('\n'),
        'bench-schedule',
      );
      const { desired } = catalogSchedules(catalog, new Date(), path.join(work, 'jobnet.yaml'));
      const tick = desired.filter((schedule) => schedule.name === 'tick');
      console.log(`syncing the Schedule of tick (every second) and the floor's; ${FIRES} fires each (~${Math.ceil(FIRES / 60)} min)…`);
      await applyChanges(client, await planChanges(client, tick, catalogIdOf(catalog)), () => undefined);
      // The floor is plain SDK code: no codec.
      await new Client({ connection }).schedule.create({
        scheduleId: 'floor-tick',
        spec: { intervals: [{ every: '1s' }] },
        action: { type: 'startWorkflow', workflowType: 'recordStart', taskQueue: FLOOR_QUEUE, args: [floorStarts] },
        policies: { overlap: 'ALLOW_ALL' },
      });
      const deadline = Date.now() + (FIRES + 30) * 1000;
      while (Date.now() < deadline && (jobnetLatencies(starts).length < FIRES || floorLatencies(floorStarts).length < FIRES)) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      await client.schedule.getHandle('jobnet:tick').delete();
      await new Client({ connection }).schedule.getHandle('floor-tick').delete();
      const jobnet = jobnetLatencies(starts).slice(0, FIRES);
      const plain = floorLatencies(floorStarts).slice(0, FIRES);
      if (jobnet.length < FIRES || plain.length < FIRES) throw new Error(`only ${jobnet.length} jobnet and ${plain.length} floor fires arrived`);
      result = {
        jobnet: stats(jobnet),
        floor: stats(plain),
        memory: { workerPeakRssMiB: worker.peakRssMiB(), floorWorkerPeakRssMiB: floor.peakRssMiB(), serverPeakRssMiB: peakRssMiB(server.process.pid) },
      };
    } finally {
      await Promise.all([worker.stop(), floor.stop()]);
    }
  } finally {
    await connection.close();
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const line = (what: string, s: ReturnType<typeof stats>) => `  ${what}: ${s.fires} fires, p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms, max ${s.maxMs} ms`;
  console.log(line('jobnet (Schedule → scheduledRunWorkflow → jobWorkflow → command)', result.jobnet));
  console.log(line('floor (plain Schedule → workflow → activity)', result.floor));
  console.log(
    `  target p99 ≤ ${TARGET_P99_MS} ms: ${result.jobnet.p99Ms <= TARGET_P99_MS ? 'met' : 'NOT met'}; jobnet ÷ floor (p99): ${(result.jobnet.p99Ms / Math.max(1, result.floor.p99Ms)).toFixed(2)}×`,
  );
  const report = {
    at: new Date().toISOString(),
    host: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    server: 'temporal CLI dev server (SQLite file)',
    codec: codecSettings().mode,
    targetP99Ms: TARGET_P99_MS,
    ...result,
  };
  const dir = path.join(ROOT, '.data', 'bench');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `schedule-${report.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(dir, 'schedule-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`figures saved to ${path.relative(ROOT, file)}`);
}

/** The floor's activity writes `<nominal fire ms> <started ms>` per fire. */
function floorLatencies(file: string): number[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .flatMap((line) => {
      const [nominal, started] = line.trim().split(' ').map(Number);
      return nominal && started ? [started - nominal] : [];
    });
}

main().catch((error: unknown) => {
  console.error(`bench:schedule: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
