/** The job run's query and state: defined with the run contract (src/contracts/job.ts). */
export { jobStateQuery, type JobState } from '../contracts/job';
