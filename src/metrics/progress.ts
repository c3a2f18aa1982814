/** A command reports its records with lines `JOBNET_RECORD_COUNT=<n>` (the running total). */
const RECORD_COUNT_LINE = /^JOBNET_RECORD_COUNT=(\d+)\s*$/;
/** Seed 001: a progress line every 1000 records. */
export const PROGRESS_EVERY = 1000;
/** A line longer than this is no count line; dropping it keeps memory bounded for binary output. */
const MAX_PENDING_CHARS = 4096;

/**
 * Progress of one run: calls `onProgress(total)` once each time the record total passes a
 * multiple of `every` — whether the total comes from a command's streamed stdout (`push`) or
 * from a TypeScript activity (`update`). A jump over several multiples reports once.
 */
export class RecordProgress {
  private pending = '';
  private reported = 0;

  constructor(
    private readonly onProgress: (records: number) => void,
    private readonly every = PROGRESS_EVERY,
  ) {}

  /** The command's stdout as it arrives; count lines may be split across chunks. */
  push(chunk: Buffer | string): void {
    const lines = (this.pending + chunk.toString()).split('\n');
    this.pending = lines.pop() ?? '';
    if (this.pending.length > MAX_PENDING_CHARS) this.pending = '';
    for (const line of lines) {
      const match = RECORD_COUNT_LINE.exec(line.replace(/\r$/, ''));
      if (match) this.update(Number(match[1]));
    }
  }

  /** The run's running total of records. */
  update(total: number): void {
    const step = Math.floor(total / this.every);
    if (step > this.reported) {
      this.reported = step;
      this.onProgress(total);
    }
  }
}
