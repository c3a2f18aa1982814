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
