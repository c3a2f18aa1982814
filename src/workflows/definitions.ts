import { defineQuery } from '@temporalio/workflow';
import type { JobEvent, JobStatusValue } from '../catalog/run-result';
import type { Waiting } from './coordination';

/**
 * Queries of the workflows, defined once for the workflows and for the clients (CLI, Web UI
 * users reading the docs) that ask them.
 */
export interface JobState {
  name: string;
  businessDate: string;
  status: JobStatusValue;
  attempts: number;
  events: JobEvent[];
  /** What the run waits for now (a lock, or another schedule's run), and since when. */
  waiting: Waiting | null;
}

/** The live state of a job run: `jobnet status <run>` and the Web UI's query tab. */
export const jobStateQuery = defineQuery<JobState>('state');
