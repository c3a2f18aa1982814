import { promises as fs } from 'node:fs';
import path from 'node:path';
import { asyncLocalStorage } from '@temporalio/activity';
import { recordRunMetrics } from '../metrics/run-metrics';

/**
 * The run log of batch_runner (seed 003): one JSON line per finished run in
 * logs/batch/batch_YYYYMMDD.jsonl, plus jobnet's run id, business date, attempts, delayed
 * retry and record count. Operators grep it; it is not jobnet's state (Temporal is).
 */
export interface RunLogRecord {
  job_name: string;
  start_time: string;
  end_time: string;
  status: string;
  output: string;
  error: string | null;
  run_id: string;
  workflow_id: string;
  business_date: string;
  attempt: number;
  delayed_retry: boolean;
  record_count: number | null;
}

/** The log line keeps a short tail of the output; the full tail is in the workflow result. */
const OUTPUT_IN_LOG_CHARS = 4_000;

export function runLogDir(): string {
  return process.env.JOBNET_LOG_DIR ?? path.join(process.cwd(), 'logs', 'batch');
}

export function runLogFile(dir: string, businessDate: string): string {
  return path.join(dir, `batch_${businessDate.replaceAll('-', '')}.jsonl`);
}

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

/**
 * Appends the run's line exactly once: a retried activity (worker died after the write, before
 * reporting it) finds its own run id already in the file and writes nothing.
 */
export async function appendRunLog(record: RunLogRecord): Promise<{ file: string; written: boolean }> {
  const dir = runLogDir();
  const file = runLogFile(dir, record.business_date);
  await fs.mkdir(dir, { recursive: true });
  if (await alreadyLogged(file, record.run_id)) return { file, written: false };
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
