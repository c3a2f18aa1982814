/**
 * `npm run bench:fanout` — seed 004's fan-out on the dev server, against its own baseline and
 * against Temporal's floor (DESIGN.md §9):
 *
 * 1. speed-up: the same workload — M partitions whose step waits `--io-ms` (200 ms) on an
 *    outside service (`benchSleep`, scripts/lib/bench-activities.ts: the floor's activity
 *    body) — as one sequential loop (the monthly batch before seed 004's rewrite) and as a
 *    fan-out with maxParallel 1 / 4 / 16 / 64;
 * 2. orchestration throughput: N trivial partitions (the same activity with 0 ms) at
 *    maxParallel 64, in batches (the default) and one key per batch (`batchSize: 1`), in
 *    partitions per second. One key per batch is the activity floor's own shape, so the two
 *    are compared over `--rounds` rounds that rotate the order (median of each): on the dev
 *    server a run's rate depends on what ran just before it (the last run's timer tasks fire
 *    during it, the SQLite file grows, caches warm) — on 2026-12-03 the same floor run went
 *    from 103/s to 213/s within one bench — so one run of each in a fixed order measures the order;
 * 3. the floor: the plainest SDK code of the same shapes (scripts/floor/) — a sliding window
 *    of activities, and of child workflows — on the same server in the same run; and for one
 *    key per batch also the guarded floor: the same activities with what jobnet guarantees on
 *    top, a heartbeat time-out and jobnet's encryption, to tell jobnet's own cost from theirs.
 *
 * With one worker process and with two on the same queue. Targets: ≥ 40× at maxParallel 64 for
 * the 200 ms step; ≥ 1,000 trivial partitions/s with batching, ≥ 1.0× the activity floor without.
 * (`--rounds` default 3.)
 * Each figure says the worker's and the server's peak memory; one key per batch and its floors
 * also the CPU per partition of the worker that ran them and of the server (from /proc, Linux).
 *
 *   npm run bench:fanout [-- --io-partitions 200 --io-ms 200 --trivial 1000 --parallel 1,4,16,64 --workers 1,2 --large 0 --rounds 3]
 *   npm run bench:fanout -- --quick      (one worker, maxParallel 64 only; under 3 minutes)
 *   npm run bench:fanout -- --quick --server cluster   (the same on the two-node PostgreSQL cluster of `npm run cluster`)
 *
 * Figures go to stdout and to .data/bench/fanout-<time>.json (and fanout-latest.json); with
 * `--server cluster` to fanout-cluster-<time>.json (and fanout-cluster-latest.json).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@temporalio/client';
import type { FanoutRunInput } from '../src/catalog/compile/fanout-input';
import { fanoutOutcome } from '../src/runs/retry-partitions';
import { startBenchWorker, startFloorWorker, type BenchWorker } from './lib/bench-worker';
import { BENCH_SERVERS, startBenchServer, type BenchServerKind } from './lib/bench-server';
import { jobnetClient } from '../src/temporal/client';
import { codecSettings } from '../src/codec/keys';
import { jobSpecSchema } from '../src/catalog/schema/job-schema';
import { processesCpu } from './proc-cpu';

const ROOT = path.resolve(__dirname, '..');
const QUEUE = 'bench-fanout';
const FLOOR_QUEUE = 'bench-fanout-floor';
const GUARDED_FLOOR_QUEUE = 'bench-fanout-floor-guarded';
const BENCH_ACTIVITIES = path.join(ROOT, 'scripts', 'lib', 'bench-activities.ts');
/** Child workflows are slow (~20/s here): the child floor's trivial figure is taken over this many. */
const CHILD_FLOOR_ITEMS = 200;

const { values } = parseArgs({
  options: {
    'io-partitions': { type: 'string', default: '200' },
    'io-ms': { type: 'string', default: '200' },
    trivial: { type: 'string', default: '1000' },
    parallel: { type: 'string', default: '1,4,16,64' },
    workers: { type: 'string', default: '1,2' },
    large: { type: 'string', default: '0' },
    rounds: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    server: { type: 'string', default: 'dev' },
  },
});
const QUICK = values.quick;
const IO_PARTITIONS = Number(values['io-partitions']);
const IO_MS = Number(values['io-ms']);
const TRIVIAL = Number(values.trivial);
const PARALLEL = (QUICK ? '64' : values.parallel).split(',').map(Number);
const WORKERS = (QUICK ? '1' : values.workers).split(',').map(Number);
const LARGE = Number(values.large);
const ROUNDS = Number(values.rounds);
const SERVER = values.server as BenchServerKind;
if (
  ![IO_PARTITIONS, IO_MS, TRIVIAL, LARGE, ROUNDS, ...PARALLEL, ...WORKERS].every((n) => Number.isInteger(n) && n >= 0) ||
  ROUNDS < 1 ||
  PARALLEL.some((p) => p < 1) ||
  WORKERS.some((w) => w < 1) ||
  !(BENCH_SERVERS as readonly string[]).includes(SERVER)
) {
  console.error(
    `bench:fanout: the options are whole numbers (lists comma-separated); maxParallel, workers and rounds ≥ 1; --server is ${BENCH_SERVERS.join(' or ')}`,
  );
  process.exit(2);
}

type Impl = 'jobnet' | 'jobnet-unbatched' | 'floor-activities' | 'floor-activities-guarded' | 'floor-children';

interface Figure {
  workers: number;
  impl: Impl;
  workload: string;
  partitions: number;
  maxParallel: number | null;
  seconds: number;
  partitionsPerSecond: number;
  speedUp: number | null;
  continuedAsNew: number;
  /** jobnet's figure ÷ the activity floor's of the same workload (throughput), when both ran. */
  ratioToActivityFloor: number | null;
  /** jobnet's one key per batch ÷ the guarded floor (the activity floor encrypted, with a heartbeat time-out). */
  ratioToGuardedFloor?: number;
  /** Where a figure is the median of rounds in rotated order: each round's partitions per second, in order. */
  roundRates?: number[];
  /**
   * One key per batch and its floors: CPU per partition (median of the rounds, ms) of the
   * worker process that ran them and of the server — where a difference in rate comes from.
   */
  workerCpuMsPerPartition?: number | null;
  serverCpuMsPerPartition?: number | null;
  workerPeakRssMiB: number | null;
  serverPeakRssMiB: number | null;
}

function input(name: string, partitions: number, ms: number, maxParallel: number, batchSize?: number): FanoutRunInput {
  return {
    name,
    businessDate: '2026-12-01',
    // A large fan-out reads its keys page by page, as from a database or a listing command.
    source:
      partitions > 10_000
        ? { kind: 'command', command: ['sh', '-c', `seq 1 ${partitions} | sed 's/^/p/'`] }
        : { kind: 'items', items: Array.from({ length: partitions }, (_, i) => `p${i}`) },
    item: {
      name: 'bench-step',
      job: jobSpecSchema.parse({ activity: { name: 'benchSleep', args: { ms } }, timeout: '5m', retry: { attempts: 3, interval: '1s' } }),
    },
    maxParallel,
    ...(batchSize === undefined ? {} : { batchSize }),
  };
}

let runs = 0;
async function timeFanout(
  client: Client,
  partitions: number,
  ms: number,
  maxParallel: number,
  batchSize?: number,
): Promise<{ seconds: number; continuedAsNew: number }> {
  const started = performance.now();
  const handle = await client.workflow.start('fanoutWorkflow', {
    taskQueue: QUEUE,
    workflowId: `bench-${++runs}@2026-12-01`,
    args: [input(`bench-${runs}`, partitions, ms, maxParallel, batchSize)],
  });
  const result = await fanoutOutcome(handle);
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 'success' || result.succeeded !== partitions)
    throw new Error(`bench run ${handle.workflowId} ended ${result.status}: ${result.succeeded} of ${partitions}`);
  return { seconds, continuedAsNew: result.continuedAsNew };
}

async function timeFloor(
  client: Client,
  impl: 'floor-activities' | 'floor-activities-guarded' | 'floor-children',
  partitions: number,
  ms: number,
  maxParallel: number,
): Promise<{ seconds: number; continuedAsNew: number }> {
  const started = performance.now();
  const workflowType = { 'floor-activities': 'fanoutActivities', 'floor-activities-guarded': 'fanoutActivitiesGuarded', 'floor-children': 'fanoutChildren' }[
    impl
  ];
  const guarded = impl === 'floor-activities-guarded';
  // The floor is plain SDK code: a client without jobnet's codec (the guarded floor's has it).
  await (guarded ? client : new Client({ connection: client.connection })).workflow.execute(workflowType, {
    taskQueue: guarded ? GUARDED_FLOOR_QUEUE : FLOOR_QUEUE,
    workflowId: `floor-${++runs}`,
    args: [partitions, ms, maxParallel],
  });
  return { seconds: (performance.now() - started) / 1000, continuedAsNew: 0 };
}

/** Own CPU of these processes so far (ms), or null where /proc cannot say (another system, a process gone). */
function ownCpuMs(pids: readonly (number | undefined)[]): number | null {
  return processesCpu(pids)?.ownMs ?? null;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The monthly batch before the rewrite: one loop, one company after another. */
async function sequential(partitions: number, ms: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < partitions; i++) await new Promise((resolve) => setTimeout(resolve, ms));
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'jobnet-bench-fanout-'));
  const server = await startBenchServer(SERVER, work);
  const { connection } = server;
  const client = jobnetClient(connection);
  const figures: Figure[] = [];
  const print = (f: Figure) =>
    console.log(
      `${String(f.workers).padStart(2)} worker(s)  ${f.impl.padEnd(24)} ${f.workload.padEnd(13)} ${String(f.partitions).padStart(6)} partitions  maxParallel ${String(f.maxParallel ?? '-').padStart(3)}  ` +
        `${f.seconds.toFixed(2).padStart(7)} s  ${f.partitionsPerSecond.toFixed(1).padStart(8)}/s${f.speedUp === null ? '' : `  speed-up ${f.speedUp.toFixed(1)}×`}` +
        `${f.roundRates ? `  (median of rounds ${f.roundRates.map((rate) => rate.toFixed(1)).join(', ')})` : ''}` +
        `${f.ratioToActivityFloor === null ? '' : `  ${f.ratioToActivityFloor.toFixed(2)}× the activity floor`}` +
        `${f.ratioToGuardedFloor === undefined ? '' : ` (${f.ratioToGuardedFloor.toFixed(2)}× the guarded floor)`}${f.continuedAsNew ? `  (continued as new ${f.continuedAsNew}×)` : ''}` +
        `${f.workerCpuMsPerPartition == null || f.serverCpuMsPerPartition == null ? '' : `  [CPU per partition: worker ${f.workerCpuMsPerPartition.toFixed(2)} ms, server ${f.serverCpuMsPerPartition.toFixed(2)} ms]`}` +
        `${f.workerPeakRssMiB === null ? '' : `  [worker ≤ ${f.workerPeakRssMiB} MiB, server ≤ ${f.serverPeakRssMiB ?? '?'} MiB]`}`,
    );
  const record = (figure: Omit<Figure, 'ratioToActivityFloor'>) => {
    const floor = figures.find(
      (f) => f.impl === 'floor-activities' && f.workers === figure.workers && f.workload === figure.workload && f.maxParallel === figure.maxParallel,
    );
    const full: Figure = {
      ...figure,
      ratioToActivityFloor: figure.impl.startsWith('jobnet') && floor ? figure.partitionsPerSecond / floor.partitionsPerSecond : null,
    };
    figures.push(full);
    print(full);
  };
  try {
    const seq = await sequential(IO_PARTITIONS, IO_MS);
    const memoryNone = { workerPeakRssMiB: null, serverPeakRssMiB: null };
    const baseline = {
      workers: 0,
      impl: 'jobnet' as const,
      workload: `${IO_MS} ms step`,
      partitions: IO_PARTITIONS,
      maxParallel: null,
      seconds: seq,
      partitionsPerSecond: IO_PARTITIONS / seq,
      speedUp: 1,
      continuedAsNew: 0,
      ...memoryNone,
    };
    console.log(`sequential loop: ${IO_PARTITIONS} × ${IO_MS} ms`);
    record(baseline);
    for (const count of WORKERS) {
      const workers = await Promise.all(
        Array.from({ length: count }, () =>
          startBenchWorker({ address: server.address, queue: QUEUE, args: ['--max-activities', '200', '--activities', BENCH_ACTIVITIES] }),
        ),
      );
      const floors: BenchWorker[] = await Promise.all([
        ...Array.from({ length: count }, () => startFloorWorker({ address: server.address, queue: FLOOR_QUEUE })),
        ...(TRIVIAL > 0 ? Array.from({ length: count }, () => startFloorWorker({ address: server.address, queue: GUARDED_FLOOR_QUEUE, codec: true })) : []),
      ]);
      const memory = () => ({ workerPeakRssMiB: Math.max(...workers.map((w) => w.peakRssMiB() ?? 0)) || null, serverPeakRssMiB: server.peakRssMiB() });
      const floorMemory = () => ({ workerPeakRssMiB: Math.max(...floors.map((w) => w.peakRssMiB() ?? 0)) || null, serverPeakRssMiB: server.peakRssMiB() });
      try {
        // A warm-up, so bundling and the first workflow tasks are not in the first figure.
        await timeFanout(client, 20, 0, 8);
        await timeFloor(client, 'floor-activities', 20, 0, 8);
        const io = { workers: count, workload: `${IO_MS} ms step`, partitions: IO_PARTITIONS };
        for (const maxParallel of PARALLEL) {
          if (maxParallel === Math.max(...PARALLEL)) {
            for (const impl of ['floor-activities', 'floor-children'] as const) {
              const { seconds } = await timeFloor(client, impl, IO_PARTITIONS, IO_MS, maxParallel);
              record({
                ...io,
                impl,
                maxParallel,
                seconds,
                partitionsPerSecond: IO_PARTITIONS / seconds,
                speedUp: seq / seconds,
                continuedAsNew: 0,
                ...floorMemory(),
              });
            }
          }
          const { seconds, continuedAsNew } = await timeFanout(client, IO_PARTITIONS, IO_MS, maxParallel);
          record({
            ...io,
            impl: 'jobnet',
            maxParallel,
            seconds,
            partitionsPerSecond: IO_PARTITIONS / seconds,
            speedUp: seq / seconds,
            continuedAsNew,
            ...memory(),
          });
        }
        if (TRIVIAL > 0) {
          const trivial = { workers: count, workload: 'trivial step', maxParallel: 64, speedUp: null };
          // The floor's own shape (one activity per key), the same guarded as jobnet is, and
          // jobnet's one key per batch, in rounds that rotate the order (every shape first, middle
          // and last once in three rounds: the run after another is slower); each figure is the
          // median of its rounds.
          const shapes = ['floor-activities', 'floor-activities-guarded', 'jobnet-unbatched'] as const;
          const rates: Record<(typeof shapes)[number], number[]> = { 'floor-activities': [], 'floor-activities-guarded': [], 'jobnet-unbatched': [] };
          const cpu: Record<(typeof shapes)[number], { worker: number[]; server: number[] }> = {
            'floor-activities': { worker: [], server: [] },
            'floor-activities-guarded': { worker: [], server: [] },
            'jobnet-unbatched': { worker: [], server: [] },
          };
          // The worker processes each shape runs on (the floors: plain ones first, then the guarded).
          const workerPids = {
            'floor-activities': floors.slice(0, count).map((w) => w.child.pid),
            'floor-activities-guarded': floors.slice(count).map((w) => w.child.pid),
            'jobnet-unbatched': workers.map((w) => w.child.pid),
          };
          // Each shape once unmeasured first: the code of a workflow and of an activity gets fast
          // only after thousands of calls (a worker's first 1,000 one-key partitions cost it ~1.5×
          // the CPU of its fifth 1,000 on 2026-12-03), and a long fan-out runs warm.
          for (const impl of shapes) await (impl === 'jobnet-unbatched' ? timeFanout(client, TRIVIAL, 0, 64, 1) : timeFloor(client, impl, TRIVIAL, 0, 64));
          for (let round = 0; round < ROUNDS; round++) {
            const order = shapes.map((_, i) => shapes[(i + round) % shapes.length]!);
            for (const impl of order) {
              const before = { worker: ownCpuMs(workerPids[impl]), server: ownCpuMs(server.pids()) };
              const run = impl === 'jobnet-unbatched' ? await timeFanout(client, TRIVIAL, 0, 64, 1) : await timeFloor(client, impl, TRIVIAL, 0, 64);
              rates[impl].push(TRIVIAL / run.seconds);
              const after = { worker: ownCpuMs(workerPids[impl]), server: ownCpuMs(server.pids()) };
              if (before.worker !== null && after.worker !== null) cpu[impl].worker.push((after.worker - before.worker) / TRIVIAL);
              if (before.server !== null && after.server !== null) cpu[impl].server.push((after.server - before.server) / TRIVIAL);
            }
            console.log(`   round ${round + 1} of ${ROUNDS}: ${order.map((impl) => `${impl} ${rates[impl].at(-1)!.toFixed(1)}/s`).join(', ')}`);
          }
          const medianFigure = (impl: (typeof shapes)[number], memoryOf: typeof memory, extra: Partial<Figure> = {}) => {
            const rate = median(rates[impl]);
            const roundRates = rates[impl];
            const perPartition = (readings: number[]) => (readings.length === ROUNDS ? median(readings) : null);
            record({
              ...trivial,
              impl,
              partitions: TRIVIAL,
              seconds: TRIVIAL / rate,
              partitionsPerSecond: rate,
              continuedAsNew: 0,
              roundRates,
              workerCpuMsPerPartition: perPartition(cpu[impl].worker),
              serverCpuMsPerPartition: perPartition(cpu[impl].server),
              ...extra,
              ...memoryOf(),
            });
          };
          medianFigure('floor-activities', floorMemory);
          medianFigure('floor-activities-guarded', floorMemory);
          const children = Math.min(TRIVIAL, CHILD_FLOOR_ITEMS);
          const childFloor = await timeFloor(client, 'floor-children', children, 0, 64);
          record({
            ...trivial,
            impl: 'floor-children',
            partitions: children,
            seconds: childFloor.seconds,
            partitionsPerSecond: children / childFloor.seconds,
            continuedAsNew: 0,
            ...floorMemory(),
          });
          const batched = await timeFanout(client, TRIVIAL, 0, 64);
          record({
            ...trivial,
            impl: 'jobnet',
            partitions: TRIVIAL,
            seconds: batched.seconds,
            partitionsPerSecond: TRIVIAL / batched.seconds,
            continuedAsNew: batched.continuedAsNew,
            ...memory(),
          });
          medianFigure('jobnet-unbatched', memory, { ratioToGuardedFloor: median(rates['jobnet-unbatched']) / median(rates['floor-activities-guarded']) });
        }
        if (LARGE > 0) {
          const large = await timeFanout(client, LARGE, 0, 64);
          record({
            workers: count,
            impl: 'jobnet',
            workload: 'trivial step',
            partitions: LARGE,
            maxParallel: 64,
            seconds: large.seconds,
            partitionsPerSecond: LARGE / large.seconds,
            speedUp: null,
            continuedAsNew: large.continuedAsNew,
            ...memory(),
          });
        }
      } finally {
        await Promise.all([...workers, ...floors].map((worker) => worker.stop()));
      }
    }
  } finally {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const report = {
    at: new Date().toISOString(),
    host: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    server: server.description,
    codec: codecSettings().mode,
    quick: QUICK,
    figures,
  };
  const dir = path.join(ROOT, '.data', 'bench');
  mkdirSync(dir, { recursive: true });
  // A cluster's figures are filed apart, so `fanout-latest.json` stays the dev server's.
  const stem = SERVER === 'cluster' ? 'fanout-cluster' : 'fanout';
  const file = path.join(dir, `${stem}-${report.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(dir, `${stem}-latest.json`), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`figures saved to ${path.relative(ROOT, file)}`);
}

main().catch((error: unknown) => {
  console.error(`bench:fanout: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
