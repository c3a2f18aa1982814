/**
 * `npm run chaos -- --kills N [--seed S] [--out file.json]` — a chaos campaign against jobnet's
 * promise (seed 002: a crash anywhere never leaves a job "running", successors start by
 * themselves, nothing is lost, nothing done twice through its exactly-once mechanisms).
 *
 * A dev server persisted to a file, worker processes, a PostgreSQL database and a catalog of its
 * own (scripts/chaos/catalog.ts); a workload that keeps starting runs (workload.ts) while the
 * killer SIGKILLs a worker, the server or a command at seeded random moments (killer.ts); then
 * every run must end within the drain bound, and the ledger counts (ledger.ts). Prints each
 * kill, then the figures and the closing line (report.ts); exit 0 only if nothing was stuck,
 * lost, duplicated or overlapping, 1 otherwise, 2 for bad options.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { useThrowawayKeyUnlessConfigured } from '../src/codec/keys';
import { loadCatalog } from '../src/catalog/load/load';
import { campaignCatalogYaml, HEARTBEAT_TIMEOUT_MS } from './chaos/catalog';
import { TemporalServer, WorkerSlot } from './chaos/cluster';
import { openCampaignDatabase } from './chaos/database';
import { Killer } from './chaos/killer';
import { count, readEffectsLog, runLogCounts } from './chaos/ledger';
import { seededRandom } from './chaos/random';
import { failed, killsByKind, printFigures, recoveryFigures, writeFigures, type CampaignFigures } from './chaos/report';
import { Workload } from './chaos/workload';

const ROOT = path.resolve(__dirname, '..');
const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `expected at least ${min}`).max(max, `expected at most ${max}`));
const optionsSchema = z.strictObject({
  kills: wholeNumber(1, 100_000),
  seed: wholeNumber(0, 2 ** 32 - 1).default(() => Date.now() % 2 ** 32),
  out: z.string().min(1).optional(),
  workers: wholeNumber(2, 8).default(3),
  /** Seconds the runs get to end after the last kill. */
  drain: wholeNumber(10, 3_600).default(180),
  /** Rounds of the workload running at once. */
  rounds: wholeNumber(1, 20).default(2),
  /** Keep the work directory (logs, effects, the server's database) even when all is well. */
  keep: z.boolean().default(false),
});
type Options = z.infer<typeof optionsSchema>;

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      kills: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      workers: { type: 'string' },
      drain: { type: 'string' },
      rounds: { type: 'string' },
      keep: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.kills === undefined) throw new BadOptions('--kills N is required (how many kills the campaign makes)');
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`);
    throw new BadOptions(problems.join('; '));
  }
  return parsed.data;
}

class BadOptions extends Error {}

/** What to stop if the campaign ends early (an error, Ctrl-C): its children must not outlive it. */
const cleanups: Array<() => Promise<unknown>> = [];
async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
}

async function campaign(options: Options): Promise<number> {
  const startedAt = Date.now();
  const say = (line: string) => process.stdout.write(`[${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
  useThrowawayKeyUnlessConfigured(process.env, 'chaos');
  const work = mkdtempSync(path.join(os.tmpdir(), 'jobnet-chaos-'));
  for (const dir of ['effects', 'first', 'runlog', 'workers']) mkdirSync(path.join(work, dir));
  const catalogFile = path.join(work, 'chaos.yaml');
  writeFileSync(catalogFile, campaignCatalogYaml());
  loadCatalog(catalogFile);
  const effectsLog = path.join(work, 'effects.log');
  say(`chaos campaign: ${options.kills} kills, seed ${options.seed}, ${options.workers} workers; work directory ${work}`);

  const random = seededRandom(options.seed);
  const database = await openCampaignDatabase(work);
  cleanups.push(() => database.drop());
  const server = await TemporalServer.start(work);
  cleanups.push(() => server.stop());
  say(
    `dev server on ${server.address} (database file ${path.join(work, 'temporal.db')}); PostgreSQL database ready (${database.companyCodes.length} companies)`,
  );
  const workerEnv = { DATABASE_URL: database.url, CHAOS_DIR: work, JOBNET_LOG_DIR: path.join(work, 'runlog') };
  const workers = Array.from(
    { length: options.workers },
    (_, i) => new WorkerSlot(`worker-${i + 1}`, { address: server.address, env: workerEnv, logDir: path.join(work, 'workers'), log: say }),
  );
  cleanups.push(() => Promise.allSettled(workers.map((worker) => worker.stop())));
  const workload = new Workload({ catalogFile, address: server.address, openRounds: options.rounds }, random, say);
  const killer = new Killer({ kills: options.kills, gap: { min: 2, max: 8 }, effectsLog }, server, workers, random, say, startedAt);
  let stuck = new Map<string, string>();
  try {
    await Promise.all(workers.map((worker) => worker.startUntilReady()));
    say(`${workers.length} workers ready`);
    workload.start();
    await killer.run();
    say('kills done; no new rounds; waiting for the workers to be back and every run to end');
    workload.stopStarting();
    await killer.settle();
    stuck = await workload.drain(options.drain * 1_000);
  } finally {
    killer.stop();
    await workload.close();
  }

  const counts = count({
    lines: readEffectsLog(effectsLog),
    kills: killer.kills,
    rounds: workload.rounds.map((round) => round.date),
    stuckRuns: new Set(stuck.keys()),
    partitionEffects: await database.effects(),
    companyCodes: database.companyCodes,
    runLog: runLogCounts(path.join(work, 'runlog')),
  });
  const figures: CampaignFigures = {
    date: new Date(startedAt).toISOString(),
    seed: options.seed,
    kills: killer.kills.length,
    killsByKind: killsByKind(killer.kills),
    killLog: killer.kills.map((kill) => ({ atS: (kill.at - startedAt) / 1000, kind: kill.kind, target: kill.target, pids: kill.pids })),
    stuck: [...stuck.keys()].sort(),
    stuckWhy: Object.fromEntries(stuck),
    lost: counts.lost,
    duplicated: counts.duplicated,
    lockOverlaps: counts.lockOverlaps,
    orderViolations: counts.orderViolations,
    repeatedCommands: counts.repeated,
    recovery: recoveryFigures(counts, HEARTBEAT_TIMEOUT_MS + 2_000),
    rounds: workload.rounds.length,
    runs: workload.rounds.reduce((sum, round) => sum + round.runs.length, 0),
    commandsRun: counts.commandsRun,
    operatorAnswers: workload.answers.length,
    workerStarts: workers.reduce((sum, worker) => sum + worker.starts, 0),
    workerExitsOfTheirOwn: workers.reduce((sum, worker) => sum + worker.exitsOfItsOwn, 0),
    wallTimeS: (Date.now() - startedAt) / 1000,
    workloadErrors: Object.fromEntries(workload.errors),
    machine: { cpus: os.cpus().length, loadAverage: os.loadavg() },
  };

  await cleanUp();
  const out = options.out ?? path.join(ROOT, '.data', 'bench', `chaos-${figures.date.slice(0, 19).replaceAll(':', '')}.json`);
  writeFigures(figures, out);
  printFigures(figures, (line) => process.stdout.write(`${line}\n`));
  const bad = failed(figures);
  if (bad || options.keep) process.stderr.write(`figures in ${out}; work directory kept: ${work} (effects.log, workers/, runlog/, temporal.db)\n`);
  else {
    rmSync(work, { recursive: true, force: true });
    process.stderr.write(`figures in ${out}\n`);
  }
  return bad ? 1 : 0;
}

let options: Options;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(
    `chaos: ${(error as Error).message}\nusage: npm run chaos -- --kills N [--seed S] [--out file.json] [--workers 3] [--drain 180] [--rounds 2] [--keep]\n`,
  );
  process.exit(2);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`chaos: ${signal}: stopping the workers, the server and the database\n`);
    void cleanUp().finally(() => process.exit(130));
  });
}
campaign(options).then(
  (code) => process.exit(code),
  async (error: Error) => {
    process.stderr.write(`chaos: ${error.stack ?? error.message}\n`);
    await cleanUp();
    process.exit(1);
  },
);
