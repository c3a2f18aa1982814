/**
 * `npm run bench:jobnet` — DESIGN.md §9's first figure: the overhead per chained job step,
 * against Temporal's own floor of the same shape.
 *
 * 1. baseline: `true` spawned N times one after another in a plain Node loop (each awaited
 *    until it exited and its output pipes closed, as a runner that captures output must);
 * 2. `chained`: a jobnet of N steps, each `command: ['true']`, step i needing step i-1, run by
 *    `jobnetWorkflow` on the dev server with one worker process, started the way `jobnet run`
 *    starts one (triggerJobnet) — its steps inline, as jobnet runs them. Overhead per step =
 *    (jobnet wall time − the baseline's total of the same round) / N. Target ≤ 25 ms per step,
 *    or, when the activity floor itself is above 25 ms in the run, ≤ 1.1× that floor (the
 *    bench says which rule applied);
 * 3. `chained-child-steps`: the same jobnet with each step a child jobWorkflow (the design
 *    before; `stepRuns: child`), for the comparison;
 * 4. `floor-activities` / `floor-children`: the plainest SDK workflow of the same chain — N
 *    activities spawning `true`, or N child workflows running one each — on its own plain
 *    worker process (scripts/floor/), same server, same round;
 * 5. `independent`: the same N steps without needs (all in parallel): wall time / N;
 * 6. `chained-codec-off`: the `chained` jobnet without payload encryption — a second jobnet
 *    worker with JOBNET_CODEC=off on a queue of its own, started by a client without the codec —
 *    so the cost of encryption is measured in the same rounds (chained ÷ chained-codec-off).
 *
 * One warm-up round (not counted: bundling, first workflow tasks, JIT), then `--rounds`, each
 * starting with the next shape (the order rotates: a run's time depends on what ran before it); the
 * baseline is measured in each round next to each chain, so a change of machine load between
 * rounds hits both. Each run also records the CPU that the worker, the commands, the server,
 * this process and everything else on the machine used, from /proc, and the peak memory of the
 * worker and the server.
 *
 *   npm run bench:jobnet [-- --steps 200 --rounds 3 --shapes chained,floor-activities,…] [--quick] [--server dev|cluster]
 *
 * `--server cluster` runs every shape against the two-node PostgreSQL cluster of `npm run
 * cluster` instead of the dev server (server CPU: both nodes; PostgreSQL is among "other").
 *
 * Figures go to stdout and to .data/bench/jobnet-<time>.json (and jobnet-latest.json); with
 * `--server cluster` to jobnet-cluster-<time>.json (and jobnet-cluster-latest.json).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@temporalio/client';
import type { JobnetRunInput, JobnetStepRunInput } from '../src/catalog/compile/jobnet-input';
import { triggerJobnet } from '../src/runs/trigger';
import { jobnetResultSchema, type JobnetResult } from '../src/workflows/jobnet-definitions';
import { machineBusyMs, processCpu, processesCpu } from './proc-cpu';
import { startBenchWorker, startFloorWorker } from './lib/bench-worker';
import { BENCH_SERVERS, startBenchServer, type BenchServerKind } from './lib/bench-server';
import { jobnetClient } from '../src/temporal/client';
import { codecSettings } from '../src/codec/keys';

const ROOT = path.resolve(__dirname, '..');
const QUEUE = 'bench-jobnet';
const BUSINESS_DATE = '2026-12-01';
const TARGET_MS_PER_STEP = 25;
/**
 * `chained`: the jobnet as jobnet runs it (steps inline); `chained-child-steps`: each step a
 * child jobWorkflow (stepRuns: child), the design before; `floor-activities` / `floor-children`:
 * the plainest SDK code of the same chain (scripts/floor/), activities or child workflows;
 * `independent`: the N steps without needs, all at once.
 */
const SHAPES = ['chained', 'chained-codec-off', 'chained-child-steps', 'floor-activities', 'floor-children', 'independent'] as const;
type Shape = (typeof SHAPES)[number];
const CHAINED: readonly Shape[] = ['chained', 'chained-codec-off', 'chained-child-steps', 'floor-activities', 'floor-children'];
/** The queue of the jobnet worker that runs with the codec off (`chained-codec-off`). */
const PLAIN_QUEUE = `${QUEUE}-codec-off`;
const FLOOR_QUEUE = 'bench-jobnet-floor';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
    shapes: { type: 'string', default: SHAPES.join(',') },
    quick: { type: 'boolean', default: false },
    server: { type: 'string', default: 'dev' },
  },
});
// --quick: a short form for a first look (50 steps, one round).
const STEPS = values.quick ? 50 : Number(values.steps);
const ROUNDS = values.quick ? 1 : Number(values.rounds);
const shapes = values.shapes.split(',').map((s) => s.trim());
if (
  !Number.isInteger(STEPS) ||
  STEPS < 1 ||
  !Number.isInteger(ROUNDS) ||
  ROUNDS < 1 ||
  shapes.some((s) => !(SHAPES as readonly string[]).includes(s)) ||
  !(BENCH_SERVERS as readonly string[]).includes(values.server)
) {
  console.error(
    `bench:jobnet: --steps and --rounds are whole numbers ≥ 1; --shapes is a comma-separated list of ${SHAPES.join(', ')}; --server is ${BENCH_SERVERS.join(' or ')}`,
  );
  process.exit(2);
}
const SHAPES_RUN = shapes as Shape[];
const SERVER = values.server as BenchServerKind;

/** CPU used during one jobnet run, in ms per step. */
interface CpuPerStep {
  /** The worker's Node process: workflow tasks, activities, spawning, logging. */
  worker: number;
  /** The `true` commands and the worker's reaper. */
  commands: number;
  /** The Temporal dev server (one Go process with its SQLite file). */
  server: number;
  /** This process: the client starting the run and waiting for its result. */
  bench: number;
  /** Everything else the machine ran meanwhile (other suites on a shared machine). */
  other: number;
  /** The machine's busy share of all its cores during the run, in percent. */
  machineBusyPercent: number;
}

interface Sample {
  round: number;
  warmUp: boolean;
  shape: Shape;
  steps: number;
  /** The plain loop's total for N spawns in this round (chained only). */
  baselineMs: number | null;
  jobnetMs: number;
  /** chained: (jobnet − baseline) / N; independent: jobnet / N. */
  perStepMs: number;
  /** Median, in workflow time, of a step's child run as the parent saw it (start to result). */
  stepRunMedianMs: number;
  /** chained: median workflow time from a step's result to its successor's start, in the parent. */
  handOverMedianMs: number | null;
  cpu: CpuPerStep | null;
}

function jobnetInput(name: string, shape: Shape, steps: number): JobnetRunInput {
  const names = Array.from({ length: steps }, (_, i) => `step-${String(i + 1).padStart(4, '0')}`);
  const stepInputs: Record<string, JobnetStepRunInput> = {};
  names.forEach((step, i) => {
    stepInputs[step] = { job: { command: ['true'] }, needs: shape !== 'independent' && i > 0 ? [names[i - 1]!] : [] };
  });
  return { name, businessDate: BUSINESS_DATE, steps: stepInputs, stepRuns: shape === 'chained-child-steps' ? 'child' : 'inline' };
}

/** N spawns of `true`, one after another: the work a jobnet's steps do, without jobnet. */
async function spawnLoop(n: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('true', [], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.resume();
      child.stderr.resume();
      child.once('error', reject);
      child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`true exited with ${code}`))));
    });
  }
  return performance.now() - started;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface CpuReading {
  worker: ReturnType<typeof processCpu>;
  server: ReturnType<typeof processCpu>;
  bench: NodeJS.CpuUsage;
  machine: number | null;
}

function readCpu(workerPid: number | undefined, serverPids: number[]): CpuReading {
  return {
    worker: workerPid === undefined ? null : processCpu(workerPid),
    server: processesCpu(serverPids),
    bench: process.cpuUsage(),
    machine: machineBusyMs(),
  };
}

function cpuPerStep(before: CpuReading, after: CpuReading, wallMs: number, steps: number): CpuPerStep | null {
  if (!before.worker || !after.worker || !before.server || !after.server || before.machine === null || after.machine === null) return null;
  const worker = after.worker.ownMs - before.worker.ownMs;
  const commands = after.worker.reapedChildrenMs + after.worker.liveDescendantsMs - (before.worker.reapedChildrenMs + before.worker.liveDescendantsMs);
  const server = after.server.ownMs + after.server.reapedChildrenMs - (before.server.ownMs + before.server.reapedChildrenMs);
  const bench = (after.bench.user + after.bench.system - before.bench.user - before.bench.system) / 1000;
  const machine = after.machine - before.machine;
  return {
    worker: worker / steps,
    commands: commands / steps,
    server: server / steps,
    bench: bench / steps,
    // /proc counts in 10 ms ticks: a small negative remainder is rounding, not a figure.
    other: Math.max(0, machine - worker - commands - server - bench) / steps,
    machineBusyPercent: (100 * machine) / (wallMs * os.cpus().length),
  };
}

/** Step timings from the result, in workflow time (the start of the workflow task that saw them). */
function stepTimings(result: JobnetResult, shape: Shape): { stepRunMedianMs: number; handOverMedianMs: number | null } {
  const states = Object.values(result.steps);
  const runs = states.map((s) => Date.parse(s.endTime!) - Date.parse(s.startTime!));
  if (shape === 'independent') return { stepRunMedianMs: median(runs), handOverMedianMs: null };
  const handOvers = states.slice(1).map((s, i) => Date.parse(s.startTime!) - Date.parse(states[i]!.endTime!));
  return { stepRunMedianMs: median(runs), handOverMedianMs: handOvers.length > 0 ? median(handOvers) : null };
}

/** The floor of a chain: the plainest SDK workflow of the same N steps, on the floor's worker. */
async function timeFloor(
  client: Client,
  shape: Shape,
  round: number,
  pids: { worker?: number; server: number[] },
): Promise<{ ms: number; cpu: CpuPerStep | null }> {
  const workflowType = shape === 'floor-activities' ? 'chainedActivities' : 'chainedChildren';
  const before = readCpu(pids.worker, pids.server);
  const started = performance.now();
  // The floor is plain SDK code: a client without jobnet's codec.
  await new Client({ connection: client.connection }).workflow.execute(workflowType, {
    taskQueue: FLOOR_QUEUE,
    workflowId: `bench-${shape}-r${round}`,
    args: [STEPS],
  });
  const ms = performance.now() - started;
  return { ms, cpu: cpuPerStep(before, readCpu(pids.worker, pids.server), ms, STEPS) };
}

async function timeJobnet(
  client: Client,
  shape: Shape,
  round: number,
  pids: { worker?: number; server: number[] },
  taskQueue: string,
): Promise<{ ms: number; result: JobnetResult; cpu: CpuPerStep | null }> {
  const input = jobnetInput(`bench-${shape}-r${round}`, shape, STEPS);
  const before = readCpu(pids.worker, pids.server);
  const started = performance.now();
  const { handle, started: isNew } = await triggerJobnet(client, { input, taskQueue });
  if (!isNew) throw new Error(`${handle.workflowId} exists already on a fresh server`);
  const result = jobnetResultSchema.parse(await handle.result());
  const ms = performance.now() - started;
  const after = readCpu(pids.worker, pids.server);
  const notSucceeded = Object.entries(result.steps).filter(([, s]) => s.status !== 'succeeded');
  if (result.status !== 'success' || notSucceeded.length > 0)
    throw new Error(`${handle.workflowId} ended ${result.status}; steps not succeeded: ${notSucceeded.map(([n]) => n).join(', ')}`);
  return { ms, result, cpu: cpuPerStep(before, after, ms, STEPS) };
}

const fmt = (ms: number | null, digits = 1) => (ms === null ? '-' : ms.toFixed(digits));

function describe(sample: Sample, of: string): string {
  const head = `${of} ${sample.shape.padEnd(11)} ${sample.steps} steps: jobnet ${(sample.jobnetMs / 1000).toFixed(2)} s`;
  const figure =
    sample.shape === 'independent'
      ? ` → ${fmt(sample.perStepMs, 2)} ms/step (a step's run ${fmt(sample.stepRunMedianMs, 0)} ms median)`
      : `, plain loop ${fmt(sample.baselineMs)} ms (${fmt(sample.baselineMs! / sample.steps, 2)} ms/spawn) → overhead ${fmt(sample.perStepMs)} ms/step` +
        (sample.shape.startsWith('floor')
          ? ''
          : ` (step run ${fmt(sample.stepRunMedianMs, 0)} ms + hand-over ${fmt(sample.handOverMedianMs, 0)} ms, medians in workflow time)`);
  const cpu = sample.cpu;
  const cpuLine = cpu
    ? `\n    CPU per step: worker ${fmt(cpu.worker)} ms, commands+reaper ${fmt(cpu.commands)} ms, server ${fmt(cpu.server)} ms, bench ${fmt(cpu.bench)} ms, ` +
      `other programs ${fmt(cpu.other)} ms; machine busy ${cpu.machineBusyPercent.toFixed(0)}% of ${os.cpus().length} cores`
    : '';
  return head + figure + cpuLine;
}

/**
 * The code the worker bundled: the commit, and the files under src/ that differ from it. In a
 * checkout shared with other engineers the figure belongs to this, not to the last commit.
 */
function codeUnderTest(): { commit: string | null; uncommittedSrc: string[] } {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' });
    const uncommittedSrc = git('status', '--porcelain', '--', 'src')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(3));
    return { commit: git('rev-parse', 'HEAD').trim(), uncommittedSrc };
  } catch {
    return { commit: null, uncommittedSrc: [] };
  }
}

async function main(): Promise<void> {
  const code = codeUnderTest();
  console.log(`code: ${code.commit ?? 'unknown commit'}${code.uncommittedSrc.length > 0 ? ` + uncommitted ${code.uncommittedSrc.join(', ')}` : ''}`);
  const work = mkdtempSync(path.join(os.tmpdir(), 'jobnet-bench-jobnet-'));
  const loadBefore = os.loadavg();
  console.log(`load average before: ${loadBefore.map((l) => l.toFixed(2)).join(' ')} (${os.cpus().length} cores)`);
  const server = await startBenchServer(SERVER, work);
  const { connection } = server;
  const client = jobnetClient(connection);
  const samples: Sample[] = [];
  const memory: { workerPeakRssMiB: number | null; floorWorkerPeakRssMiB: number | null; serverPeakRssMiB: number | null } = {
    workerPeakRssMiB: null,
    floorWorkerPeakRssMiB: null,
    serverPeakRssMiB: null,
  };
  try {
    const worker = await startBenchWorker({ address: server.address, queue: QUEUE, env: { JOBNET_LOG_DIR: path.join(work, 'runlog') } });
    const floor = await startFloorWorker({ address: server.address, queue: FLOOR_QUEUE });
    const codecOff = SHAPES_RUN.includes('chained-codec-off')
      ? {
          worker: await startBenchWorker({
            address: server.address,
            queue: PLAIN_QUEUE,
            env: { JOBNET_CODEC: 'off', JOBNET_LOG_DIR: path.join(work, 'runlog-codec-off') },
          }),
          client: jobnetClient(connection, undefined, { mode: 'off' }),
        }
      : undefined;
    try {
      for (let round = 0; round <= ROUNDS; round++) {
        const of = round === 0 ? 'warm-up      ' : `round ${round}/${ROUNDS}  `;
        // The order rotates per round: on the dev server a run's time depends on what ran just before it.
        for (const shape of rotated(SHAPES_RUN, round)) {
          const isFloor = shape.startsWith('floor');
          const plain = shape === 'chained-codec-off' ? codecOff! : undefined;
          const pids = { worker: (isFloor ? floor : (plain?.worker ?? worker)).child.pid, server: server.pids() };
          const baselineMs = CHAINED.includes(shape) ? await spawnLoop(STEPS) : null;
          const timed = isFloor
            ? { ...(await timeFloor(client, shape, round, pids)), result: undefined }
            : await timeJobnet(plain?.client ?? client, shape, round, pids, plain === undefined ? QUEUE : PLAIN_QUEUE);
          const perStepMs = baselineMs === null ? timed.ms / STEPS : (timed.ms - baselineMs) / STEPS;
          const timings = timed.result ? stepTimings(timed.result, shape) : { stepRunMedianMs: 0, handOverMedianMs: null };
          const sample: Sample = { round, warmUp: round === 0, shape, steps: STEPS, baselineMs, jobnetMs: timed.ms, perStepMs, ...timings, cpu: timed.cpu };
          samples.push(sample);
          console.log(describe(sample, of));
        }
      }
    } finally {
      memory.workerPeakRssMiB = worker.peakRssMiB();
      memory.floorWorkerPeakRssMiB = floor.peakRssMiB();
      memory.serverPeakRssMiB = server.peakRssMiB();
      await Promise.all([worker.stop(), floor.stop(), codecOff?.worker.stop()]);
    }
  } finally {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const loadAfter = os.loadavg();
  console.log(`load average after: ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);

  const FIGURES: Record<Shape, string> = {
    chained: 'overhead per chained step beyond the spawn (steps inline), ms',
    'chained-codec-off': 'the same without payload encryption (JOBNET_CODEC=off), ms',
    'chained-child-steps': 'overhead per chained step beyond the spawn (each step a child jobWorkflow), ms',
    'floor-activities': 'floor: overhead per chained plain SDK activity, ms',
    'floor-children': 'floor: overhead per chained plain SDK child workflow, ms',
    independent: 'wall time per independent step, ms',
  };
  const summary = SHAPES_RUN.map((shape) => {
    const counted = samples.filter((s) => s.shape === shape && !s.warmUp);
    const perStep = counted.map((s) => s.perStepMs);
    const baselines = counted.flatMap((s) => (s.baselineMs === null ? [] : [s.baselineMs / s.steps]));
    return {
      shape,
      figure: FIGURES[shape],
      medianMs: median(perStep),
      minMs: Math.min(...perStep),
      baselineMsPerSpawn: baselines.length > 0 ? median(baselines) : null,
      targetMs: shape === 'chained' ? TARGET_MS_PER_STEP : null,
    };
  });
  const floorMs = summary.find((s) => s.shape === 'floor-activities')?.medianMs;
  const jobnetMs = summary.find((s) => s.shape === 'chained')?.medianMs;
  const ratioToFloor = floorMs !== undefined && jobnetMs !== undefined && floorMs > 0 ? jobnetMs / floorMs : null;
  console.log(`\n${STEPS} steps, ${ROUNDS} round(s) after a warm-up:`);
  const verdict = chainedVerdict(jobnetMs, floorMs);
  for (const s of summary) {
    const target = s.targetMs === null || verdict === null ? '' : `  target ${verdict.rule}: ${verdict.met ? 'met' : 'NOT met'}`;
    const baseline = s.baselineMsPerSpawn === null ? '' : `  (plain loop: ${s.baselineMsPerSpawn.toFixed(2)} ms per spawn)`;
    console.log(`  ${s.figure}: median ${s.medianMs.toFixed(1)}, min ${s.minMs.toFixed(1)}${baseline}${target}`);
  }
  if (ratioToFloor !== null) console.log(`  jobnet ÷ activity floor (chained): ${ratioToFloor.toFixed(2)}×`);
  const plainMs = summary.find((s) => s.shape === 'chained-codec-off')?.medianMs;
  const codecCost = plainMs !== undefined && jobnetMs !== undefined && plainMs > 0 ? jobnetMs / plainMs - 1 : null;
  if (codecCost !== null) console.log(`  cost of payload encryption (chained ÷ chained-codec-off − 1): ${(100 * codecCost).toFixed(1)} %  target ≤ 5 %`);
  console.log(
    `  peak memory: worker ${memory.workerPeakRssMiB ?? '?'} MiB, floor worker ${memory.floorWorkerPeakRssMiB ?? '?'} MiB, server ${memory.serverPeakRssMiB ?? '?'} MiB`,
  );

  const report = {
    at: new Date().toISOString(),
    host: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadAverageBefore: loadBefore, loadAverageAfter: loadAfter },
    server: `${server.description}, one worker process`,
    // Payload encryption, as production runs it (JOBNET_CODEC=off measures without).
    codec: codecSettings().mode,
    options: { steps: STEPS, rounds: ROUNDS, shapes: SHAPES_RUN },
    code,
    summary,
    ratioToFloor,
    chainedTarget: verdict,
    codecCost,
    memory,
    samples,
  };
  const dir = path.join(ROOT, '.data', 'bench');
  mkdirSync(dir, { recursive: true });
  // A cluster's figures are filed apart, so `jobnet-latest.json` stays the dev server's.
  const stem = SERVER === 'cluster' ? 'jobnet-cluster' : 'jobnet';
  const file = path.join(dir, `${stem}-${report.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(dir, `${stem}-latest.json`), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`figures saved to ${path.relative(ROOT, file)}`);
}

main().catch((error: unknown) => {
  console.error(`bench:jobnet: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});

/** `shapes` starting at the round's own place, so each shape runs first in some round. */
function rotated<T>(shapes: readonly T[], round: number): T[] {
  const start = round % shapes.length;
  return [...shapes.slice(start), ...shapes.slice(0, start)];
}

/**
 * The issue's rule for the chained step: ≤ 25 ms overhead, or — only when the chained-activity
 * floor itself is above 25 ms on the day — within 1.1× of that floor. Without the floor in
 * the run, the absolute bound alone.
 */
function chainedVerdict(jobnetMs: number | undefined, floorMs: number | undefined): { rule: string; met: boolean } | null {
  if (jobnetMs === undefined) return null;
  if (floorMs !== undefined && floorMs > TARGET_MS_PER_STEP) {
    const bound = 1.1 * floorMs;
    return {
      rule: `≤ 1.1× the activity floor (${floorMs.toFixed(1)} ms, above ${TARGET_MS_PER_STEP} ms today) = ${bound.toFixed(1)} ms`,
      met: jobnetMs <= bound,
    };
  }
  const why = floorMs === undefined ? 'no floor in this run' : `the activity floor was ${floorMs.toFixed(1)} ms, not above ${TARGET_MS_PER_STEP}`;
  return { rule: `≤ ${TARGET_MS_PER_STEP} ms (${why})`, met: jobnetMs <= TARGET_MS_PER_STEP };
}
