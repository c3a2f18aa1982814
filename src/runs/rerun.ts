import type { Client, WorkflowHandle } from '@temporalio/client';
import { parseOrThrow, InvalidInputError } from '../validation/validation-error';
import { jobnetRunSchema, type JobnetRunInput } from '../catalog/compile/jobnet-input';
import { type JobnetState, type OnFailure, type OperatorAction, type StepState } from '../contracts/jobnet';
import { initialStepState, type JobnetCarry } from '../workflows/jobnet-definitions';
import type { jobnetWorkflow } from '../workflows';
import { readRunState } from './run-state';
import { triggerWorkflow } from './trigger';

/**
 * Rerunning an ended jobnet run (JP1/AJS3's "rerun from the failed job"): a new run of the same
 * jobnet and business date starts from the ended run's outcome — the steps that succeeded (or
 * were skipped) keep their outcome and do not run again; the others run again, each under a run
 * id of its own (`#<n>` counted on from the ended run), so commands keyed to their run id do
 * their work again while nothing that succeeded is repeated.
 */

export interface RerunPlan {
  carry: JobnetCarry;
  /** The steps that run again, in the jobnet's order. */
  again: string[];
  /** The steps whose outcome is kept. */
  kept: string[];
}

const OUTCOME_KEPT: ReadonlyArray<StepState['status']> = ['succeeded', 'skipped'];

/**
 * Which steps run again and the state the new run starts from. `from`: that step and every step
 * after it (its dependants, transitively), whatever their outcome; without it, every step that
 * did not succeed (failed, not run, aborted).
 */
export function planRerun(
  ended: JobnetState,
  graph: Readonly<Record<string, { needs: readonly string[]; onFailure: OnFailure }>>,
  options: { endedWorkflowId: string; from?: string | undefined; action: OperatorAction; now: Date },
): RerunPlan {
  const names = Object.keys(ended.steps);
  let again: Set<string>;
  if (options.from !== undefined) {
    if (!Object.hasOwn(ended.steps, options.from)) {
      throw new InvalidInputError(
        [{ path: '--from', message: `no step "${options.from}" in ${options.endedWorkflowId}; steps: ${names.join(', ')}` }],
        'arguments',
      );
    }
    again = new Set([options.from]);
    // Dependants are found by walking needs until nothing new joins (a jobnet is a DAG, so this ends).
    for (let grew = true; grew;) {
      grew = false;
      for (const name of names) {
        if (!again.has(name) && (graph[name]?.needs ?? []).some((need) => again.has(need))) {
          again.add(name);
          grew = true;
        }
      }
    }
  } else {
    again = new Set(names.filter((name) => !OUTCOME_KEPT.includes(ended.steps[name]!.status)));
    if (again.size === 0) {
      throw new InvalidInputError(
        [
          {
            path: options.endedWorkflowId,
            message: 'every step succeeded or was skipped: nothing to run again (--from <step> reruns a step and those after it)',
          },
        ],
        'arguments',
      );
    }
  }
  const steps: Record<string, StepState> = {};
  for (const name of names) {
    const before = ended.steps[name]!;
    if (!again.has(name)) {
      steps[name] = { ...before, held: before.held ?? null };
      continue;
    }
    steps[name] = {
      ...initialStepState(graph[name]?.needs ?? []),
      // Counted on: the step's next run is `#<attempts + 1>`, a run id of its own.
      attempts: before.attempts,
      reason: `runs again (rerun of ${options.endedWorkflowId}${before.status === 'succeeded' ? ', where it succeeded' : `, where it was ${before.status}`})`,
      uses: before.uses,
      kind: before.kind,
    };
  }
  // A failed step kept as it was (a rerun --from another branch) still stops the run as it did.
  const stopCauses = names.filter((name) => !again.has(name) && steps[name]!.status === 'failed' && graph[name]?.onFailure !== 'continue');
  const carry: JobnetCarry = {
    startTime: options.now.toISOString(),
    steps,
    operatorActions: [...ended.operatorActions, options.action],
    stopCauses,
    reason: stopCauses.length === 0 ? null : `${stopCauses.join(', ')} failed in ${options.endedWorkflowId} (kept by the rerun)`,
    aborted: false,
    warnings: [],
    deadlinePassed: false,
    rerunOf: options.endedWorkflowId,
  };
  const order = (set: (name: string) => boolean) => names.filter(set);
  return { carry, again: order((name) => again.has(name)), kept: order((name) => !again.has(name)) };
}

/**
 * Starts the rerun of an ended jobnet run with the catalog's current definition of the jobnet
 * (a fix to the catalog is what a rerun is usually for); its steps must be the ended run's.
 */
export async function rerunJobnet(
  client: Client,
  request: {
    endedWorkflowId: string;
    /** The jobnet's run input for the ended run's business date, from the catalog as it is now. */
    inputFor: (name: string, businessDate: string) => JobnetRunInput;
    taskQueue: string;
    from?: string | undefined;
    reason?: string | undefined;
    by: string;
    description?: string | undefined;
    now?: Date;
  },
): Promise<{ handle: WorkflowHandle<typeof jobnetWorkflow>; plan: RerunPlan }> {
  const ended = await readRunState(client, request.endedWorkflowId);
  const path = request.endedWorkflowId;
  if (ended.kind !== 'jobnet')
    throw new InvalidInputError([{ path, message: `is not a jobnet run; rerun reruns jobnet runs (a job: jobnet run <job> --force)` }], 'arguments');
  if (ended.temporalStatus === 'RUNNING')
    throw new InvalidInputError([{ path, message: 'is still running: act on its steps (retry, skip, force) or abort it first' }], 'arguments');
  if (ended.state === undefined)
    throw new InvalidInputError(
      [
        {
          path,
          message: `ended ${ended.temporalStatus.toLowerCase()} without a result to rerun from (terminated or timed out): start a new run with jobnet run --force`,
        },
      ],
      'arguments',
    );
  const state = ended.state;
  const input = parseOrThrow(jobnetRunSchema, request.inputFor(state.name, state.businessDate), 'jobnet run');
  const catalogSteps = Object.keys(input.steps);
  const endedSteps = Object.keys(state.steps);
  if (catalogSteps.length !== endedSteps.length || catalogSteps.some((name) => !Object.hasOwn(state.steps, name))) {
    throw new InvalidInputError(
      [
        {
          path,
          message: `its steps (${endedSteps.join(', ')}) are not the catalog's ${state.name} now (${catalogSteps.join(', ')}): start a new run with jobnet run ${state.name} --date ${state.businessDate} --force`,
        },
      ],
      'arguments',
    );
  }
  const now = request.now ?? new Date();
  const action: OperatorAction = {
    at: now.toISOString(),
    action: 'rerun',
    via: 'start',
    ...(request.from === undefined ? {} : { job: request.from }),
    ...(request.reason === undefined ? {} : { reason: request.reason }),
    by: request.by,
    accepted: true,
    note: `rerun of ${request.endedWorkflowId}`,
  };
  const graph = Object.fromEntries(catalogSteps.map((name) => [name, { needs: input.steps[name]!.needs, onFailure: input.steps[name]!.onFailure }]));
  const plan = planRerun(state, graph, { endedWorkflowId: request.endedWorkflowId, from: request.from, action, now });
  const { handle } = await triggerWorkflow<typeof jobnetWorkflow>(client, {
    workflowType: 'jobnetWorkflow',
    name: state.name,
    businessDate: state.businessDate,
    args: [input, plan.carry],
    taskQueue: request.taskQueue,
    // An extra run of the date, with an id of its own (`<jobnet>@<date>+<ms>`), as a forced run.
    force: true,
    now,
    description: request.description,
  });
  return { handle, plan };
}
