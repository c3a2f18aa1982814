/**
 * jobnet's workflows with one change that breaks determinism: `jobWorkflow` first sleeps a
 * millisecond, so its first command is a timer where every saved history of a job run has the
 * run's first activity. The deploy-guard test replays the saved histories against a bundle of
 * this module and expects the replay to fail (test/histories-replay.test.ts).
 */
import { sleep } from '@temporalio/workflow';
import { jobWorkflow as realJobWorkflow } from '../../src/workflows';

// The other types exactly as the worker registers them; the local jobWorkflow below takes
// precedence over the one this re-exports.
export * from '../../src/workflows';

export async function jobWorkflow(...args: Parameters<typeof realJobWorkflow>): ReturnType<typeof realJobWorkflow> {
  await sleep(1);
  return realJobWorkflow(...args);
}
