import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { asyncLocalStorage } from '@temporalio/activity';
import type { RunLogRecord } from '../contracts/run-log';
import { recordRunMetrics } from '../metrics/run-metrics';

export type { RunLogRecord };

/** The log line keeps a short tail of the output; the full tail is in the workflow result. */
const OUTPUT_IN_LOG_CHARS = 4_000;

export function runLogDir(): string {
  return process.env.JOBNET_LOG_DIR ?? path.join(process.cwd(), 'logs', 'batch');
}

export function runLogFile(dir: string, businessDate: string): string {
  return path.join(dir, `batch_${businessDate.replaceAll('-', '')}.jsonl`);
}

/**
 * Whether a line of `runId` is in the file: read only when this run's marker says a write was
 * begun before (a retried append), never on the normal path.
 */
async function alreadyLogged(file: string, runId: string): Promise<boolean> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  // Cheap substring test first; parse only the candidate lines.
  const needle = JSON.stringify(runId);
  return text.split('\n').some((line) => {
    if (!line.includes(needle)) return false;
    try {
      return (JSON.parse(line) as Partial<RunLogRecord>).run_id === runId;
    } catch {
      return false;
    }
  });
}

/** Markers of begun writes are kept this many days, by business date, then pruned. */
const MARKER_DAYS = 40;

/**
 * Marks that this run's line is being written: true the first time (the normal path), false
 * when a write was begun before — the activity is a retry. An exclusive create is one system
 * call, whatever the size of the day's file.
 */
async function firstWrite(dir: string, record: RunLogRecord): Promise<boolean> {
  const day = path.join(dir, '.written', record.business_date.replaceAll('-', ''));
  const marker = path.join(day, createHash('sha256').update(record.run_id).digest('hex').slice(0, 32));
  try {
    await fs.writeFile(marker, '', { flag: 'wx' });
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'ENOENT') throw error;
  }
  // The day's first line: its marker folder is new; old days' markers go.
  await fs.mkdir(day, { recursive: true });
  await pruneMarkers(path.dirname(day), record.business_date);
  await fs.writeFile(marker, '', { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return true;
}

async function pruneMarkers(root: string, businessDate: string): Promise<void> {
  const cutoff = new Date(Date.parse(`${businessDate}T00:00:00Z`) - MARKER_DAYS * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  for (const name of await fs.readdir(root).catch(() => [])) {
    if (/^\d{8}$/.test(name) && name < cutoff) await fs.rm(path.join(root, name), { recursive: true, force: true });
  }
}

/**
 * Appends the run's line exactly once, in O(1): the normal path is one marker create and one
 * append. A retried activity (the worker died after the marker, before reporting) finds the
 * marker and only then reads the day's file for its own run id — written: nothing to do; not
 * written: it appends.
 */
export async function appendRunLog(record: RunLogRecord): Promise<{ file: string; written: boolean }> {
  const dir = runLogDir();
  const file = runLogFile(dir, record.business_date);
  await fs.mkdir(dir, { recursive: true });
  if (!(await firstWrite(dir, record)) && (await alreadyLogged(file, record.run_id))) return { file, written: false };
  const line = JSON.stringify({ ...record, output: record.output.slice(-OUTPUT_IN_LOG_CHARS) }) + '\n';
  // One write with O_APPEND: lines from concurrent runs never interleave.
  await fs.appendFile(file, line, { encoding: 'utf8', flag: 'a' });
  reportFinishedRun(record);
  return { file, written: true };
}

/**
 * The run's end line in the worker log and its metrics, at the one place that is reached once
 * per run (a repeated append returns above). Outside a worker (a direct call) there is no
 * activity context, hence no logger or meter: the file line alone is written.
 */
function reportFinishedRun(record: RunLogRecord): void {
  const context = asyncLocalStorage.getStore();
  if (!context) return;
  recordRunMetrics(context.metricMeter, record);
  const durationMs = Math.max(0, Date.parse(record.end_time) - Date.parse(record.start_time));
  const fields = {
    job: record.job_name,
    runId: record.run_id,
    workflowId: record.workflow_id,
    businessDate: record.business_date,
    startTime: record.start_time,
    endTime: record.end_time,
    durationMs,
    status: record.status,
    recordCount: record.record_count,
    attempts: record.attempt,
    delayedRetry: record.delayed_retry,
  };
  if (record.status === 'success') context.log.info(`run ended: ${record.workflow_id} ${record.status}`, fields);
  else context.log.error(`run ended: ${record.workflow_id} ${record.status}`, { ...fields, error: record.error });
}
