/**
 * The workflow types the worker registers, each loading its own module on its first call.
 *
 * Why not `export { jobWorkflow } from './job'`: the worker evaluates the bundle's modules
 * afresh for every workflow run (the SDK keeps module state apart per run), so re-exports
 * would make every partition, lock and notification build the zod schemas of every other
 * workflow too — 20–30 ms of CPU per run on this machine, the cap on fan-out throughput
 * (`npm run bench:workflow-start`). A `require` inside each function loads only that type's
 * module graph, once per run, synchronously and deterministically (it is part of the bundle).
 */
import type * as Job from './job';
import type * as Scheduled from './scheduled';
import type * as Refresh from './refresh';
import type * as Jobnet from './jobnet';
import type * as Lock from './lock';
import type * as Gate from './gate';
import type * as Notify from './notify';
import type * as Fanout from './fanout';

export async function jobWorkflow(...args: Parameters<typeof Job.jobWorkflow>): ReturnType<typeof Job.jobWorkflow> {
  return (require('./job') as typeof Job).jobWorkflow(...args);
}

export async function scheduledRunWorkflow(...args: Parameters<typeof Scheduled.scheduledRunWorkflow>): ReturnType<typeof Scheduled.scheduledRunWorkflow> {
  return (require('./scheduled') as typeof Scheduled).scheduledRunWorkflow(...args);
}

export async function refreshSchedulesWorkflow(
  ...args: Parameters<typeof Refresh.refreshSchedulesWorkflow>
): ReturnType<typeof Refresh.refreshSchedulesWorkflow> {
  return (require('./refresh') as typeof Refresh).refreshSchedulesWorkflow(...args);
}

export async function jobnetWorkflow(...args: Parameters<typeof Jobnet.jobnetWorkflow>): ReturnType<typeof Jobnet.jobnetWorkflow> {
  return (require('./jobnet') as typeof Jobnet).jobnetWorkflow(...args);
}

export async function lockWorkflow(...args: Parameters<typeof Lock.lockWorkflow>): ReturnType<typeof Lock.lockWorkflow> {
  return (require('./lock') as typeof Lock).lockWorkflow(...args);
}

export async function gateWorkflow(...args: Parameters<typeof Gate.gateWorkflow>): ReturnType<typeof Gate.gateWorkflow> {
  return (require('./gate') as typeof Gate).gateWorkflow(...args);
}

export async function notifyWorkflow(...args: Parameters<typeof Notify.notifyWorkflow>): ReturnType<typeof Notify.notifyWorkflow> {
  return (require('./notify') as typeof Notify).notifyWorkflow(...args);
}

export async function fanoutWorkflow(...args: Parameters<typeof Fanout.fanoutWorkflow>): ReturnType<typeof Fanout.fanoutWorkflow> {
  return (require('./fanout') as typeof Fanout).fanoutWorkflow(...args);
}
