import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { executeChild, log, workflowInfo } from '@temporalio/workflow';
import { businessDateAt } from '../time/business-date';
import type * as ScheduledRunSchema from '../catalog/compile/scheduled-run-schema';
import type { JobResult } from '../contracts/job';
import type { ScheduledRun } from '../contracts/scheduled';
import { TemporalScheduledStartTime } from '../contracts/search-attributes';
import { parseWorkflowInput } from './input';
import { jobWorkflow } from './job';
import { fanoutWorkflow } from './fanout';
import type { FanoutResult } from './fanout-definitions';
import { jobnetWorkflow } from './jobnet';
import type { JobnetResult } from './jobnet-definitions';

export type ScheduledRunResult =
  { outcome: 'ran'; workflowId: string; result: JobResult | JobnetResult | FanoutResult } | { outcome: 'already-ran'; workflowId: string };

/**
 * What a Schedule fires. Temporal gives a scheduled run an id with the fire time appended, so
 * this small parent turns the nominal fire time into the business date and starts the job as
 * `<job>@<business date>` — the same id a manual `jobnet run` uses, so a date never runs twice.
 * A schedule that fires several times a day runs each fire as `<job>@<date>T<HHMM>` (`T<HHMMSS>`
 * off the whole minute). A
 * scheduled jobnet starts the same way, as `<jobnet>@<business date>`.
 */
export async function scheduledRunWorkflow(input: ScheduledRun): Promise<ScheduledRunResult> {
  // What a Schedule passes was written by `jobnet sync` (parsed): checked all the same, as any run started from outside.
  const { scheduledRunInputSchema } = require('../catalog/compile/scheduled-run-schema') as typeof ScheduledRunSchema;
  const run = parseWorkflowInput(scheduledRunInputSchema, input);
  const info = workflowInfo();
  // The nominal time, not the start time: a run caught up after an outage keeps its own date.
  const firedAt = info.typedSearchAttributes.get(TemporalScheduledStartTime) ?? info.startTime;
  const businessDate = businessDateAt(firedAt, run.timezone, run.dayBoundary);
  const workflowId = run.perFire ? `${run.name}@${businessDate}T${wallClock(firedAt, run.timezone)}` : `${run.name}@${businessDate}`;
  try {
    // Checked with this run's own input: the child takes it as it is.
    const result = run.fanout
      ? await executeChild(fanoutWorkflow, { workflowId, args: [{ ...run.fanout, businessDate }], workflowIdReusePolicy: 'REJECT_DUPLICATE' })
      : run.jobnet
        ? await executeChild(jobnetWorkflow, {
            workflowId,
            args: [{ name: run.name, businessDate, ...run.jobnet, ...(run.notify === undefined ? {} : { notify: run.notify }) }],
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
          })
        : await executeChild(jobWorkflow, {
            workflowId,
            args: [{ name: run.name, businessDate, job: run.job!, ...(run.notify === undefined ? {} : { notify: run.notify }) }],
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
          });
    return { outcome: 'ran', workflowId, result };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      log.info(`${workflowId} exists already; this fire does not start it again`);
      return { outcome: 'already-ran', workflowId };
    }
    throw error;
  }
}

/**
 * "0315": the fire's wall-clock time in the catalog's zone, for per-fire run ids — with the
 * seconds ("031520") for a fire that is not on a whole minute, so a schedule firing more than
 * once a minute (`interval: 20`) runs every fire, not one a minute.
 */
function wallClock(instant: Date, timezone: string): string {
  const [hour, minute, second] = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  })
    .format(instant)
    .split(':');
  return `${hour}${minute}${second === '00' ? '' : second}`;
}
