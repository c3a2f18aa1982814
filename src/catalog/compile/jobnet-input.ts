import { z } from 'zod';
import { eventRoutingSchema } from '../schema/event-routing-schema';
import type { Catalog } from '../schema/catalog-schema';
import { ON_FAILURE_VALUES, WHEN_VALUES } from '../schema/catalog-job-schema';
import { nameSchema, uniqueNames } from '../schema/catalog-values';
import { awaitedNames, jobSpecOf } from './job-spec';
import { findCycles, type Edge } from '../load/cycles';
import { milliseconds } from '../../time/duration';
import type { Env } from '../schema/interpolate';
import { fanoutRunInput, type NestedFanoutRun } from './fanout-input';
import { jobnetRouting, stepRouting, type RunRoutingOptions } from './run-routing';
import { businessDateSchema, runnableJobRunSchema } from '../schema/job-schema';
import type { JobnetRun, JobnetStepRun, NestedJobnetRun } from '../../contracts/jobnet';
import { sameType } from '../../validation/same-type';
import { effectiveStep } from './steps';
import { closest } from '../../validation/suggest';
import { InvalidInputError, problemFromIssue, type InputProblem } from '../../validation/validation-error';

/**
 * The input of one jobnet run (jobnetWorkflow, src/contracts/jobnet.ts): every step as the job
 * it runs (parsed, durations in milliseconds), with its place in the graph and its failure
 * policy, resolved from the catalog before the run starts — so the workflow never reads the
 * catalog and a run keeps the definition it began with. The schema checks a run input; the
 * builder makes one from the catalog.
 */

export const jobnetStepRunSchema = z
  .strictObject({
    /** The job the step runs (parsed); for a nested jobnet, `jobnet` instead. */
    job: runnableJobRunSchema.optional(),
    /**
     * Checked only for its shape here: the nested run validates it in full at its own entry
     * (a recursive zod schema would lose its inferred types).
     */
    jobnet: z.custom<NestedJobnetRun>((value) => typeof value === 'object' && value !== null && 'steps' in value, 'a nested jobnet run input').optional(),
    /** A fan-out step: fanoutWorkflow's input without the business date (the jobnet's), validated in full at its own entry. */
    fanout: z
      .custom<NestedFanoutRun>((value) => typeof value === 'object' && value !== null && 'source' in value && 'item' in value, 'a fan-out run input')
      .optional(),
    /** Steps of the same run that must be settled first; `when` says which outcomes let it run. */
    needs: uniqueNames(nameSchema('step')).default([]),
    when: z.enum(WHEN_VALUES).default('success'),
    onFailure: z.enum(ON_FAILURE_VALUES).default('stop'),
    /** false: the step does not run; it counts as skipped, so its dependants run. */
    enabled: z.boolean().default(true),
    /** Where the step's events go (its job run's, and its waiting_operator); absent: nowhere. */
    notify: eventRoutingSchema.optional(),
    /** The catalog job the step uses (`use:`): its runs are found under that name too (history, checks, report). */
    uses: z.string().min(1).optional(),
  })
  .refine((step) => Number(step.job !== undefined) + Number(step.jobnet !== undefined) + Number(step.fanout !== undefined) === 1, {
    error: 'a step runs exactly one of job, jobnet and fanout',
  });

type StepsForCheck = Record<string, { needs: string[] }>;

/** A fan-out step is built with this date; its run gets the jobnet run's. */
const FANOUT_TEMPLATE_DATE = '2000-01-01';

/**
 * A run whose graph cannot finish must fail at its entry rather than hang: a need naming no
 * step would never settle, and in a cycle every step waits for the next.
 */
function checkGraph(steps: StepsForCheck, ctx: z.RefinementCtx): void {
  const names = Object.keys(steps);
  const edges: Edge<PropertyKey[]>[] = [];
  for (const [name, step] of Object.entries(steps)) {
    step.needs.forEach((need, index) => {
      // Own names only: `constructor` must not be found on Object.prototype.
      if (Object.hasOwn(steps, need)) {
        edges.push({ from: name, to: need, where: [name, 'needs'] });
        return;
      }
      const match = closest(need, names);
      ctx.addIssue({
        code: 'custom',
        path: [name, 'needs', index],
        message: `unknown step "${need}"${match === undefined ? `; steps: ${names.join(', ')}` : ` — did you mean "${match}"?`}`,
      });
    });
  }
  for (const cycle of findCycles(names, edges)) {
    ctx.addIssue({
      code: 'custom',
      path: cycle.first.where,
      message: `needs form a cycle: ${cycle.nodes.join(' → ')}; each step needs the next, so none can start`,
    });
  }
}

const stepsSchema = z
  .record(nameSchema('step'), jobnetStepRunSchema)
  .refine((steps) => Object.keys(steps).length > 0, 'a jobnet needs at least one step')
  .superRefine(checkGraph);

const nestedJobnetRunSchema = z.strictObject({
  name: nameSchema('jobnet'),
  /** Step name → step. A step's name is its child run's job name, so it follows job-name rules. */
  steps: stepsSchema,
  /** How long a step with `onFailure: wait` waits for an operator before it counts as failed (stop). */
  operatorMaxWait: milliseconds.default(86_400_000),
  /** As a job's: the name its success is announced under to runs waiting with `after`. */
  announceAs: nameSchema('jobnet').optional(),
  /** Where the jobnet's own events (its failure) go; absent: nowhere. */
  notify: eventRoutingSchema.optional(),
  /**
   * How a step that runs a job (a command or an activity) runs: `inline`, in this run's own
   * history (its attempts are activities of this run), or `child`, as a jobWorkflow run of its
   * own — the figures of both are in README "Benchmark: overhead per jobnet step".
   */
  stepRuns: z.enum(['inline', 'child']).default('inline'),
  /** From the run's start: past it with the run still going, a critical `sla_warning`; the run goes on. */
  deadline: milliseconds.optional(),
});

export const jobnetRunSchema = z.strictObject({
  ...nestedJobnetRunSchema.shape,
  businessDate: businessDateSchema,
});

/** A jobnet's run input before its defaults are filled (what the builder, benches and tests write). */
export type JobnetRunInput = z.input<typeof jobnetRunSchema>;
export type JobnetStepRunInput = z.input<typeof jobnetStepRunSchema>;
export type { JobnetRun, JobnetStepRun, NestedJobnetRun } from '../../contracts/jobnet';
sameType<z.output<typeof jobnetStepRunSchema>, JobnetStepRun>(true);
sameType<z.output<typeof nestedJobnetRunSchema>, NestedJobnetRun>(true);
sameType<z.output<typeof jobnetRunSchema>, JobnetRun>(true);

/**
 * The run input of catalog jobnet `jobnetName` for `businessDate`: each step with its
 * effective settings (a used job's under the step's own), as a command job. Only command steps
 * run in a jobnet so far — a step of another kind, or `use` of a job of another kind, is bad
 * input here, before anything starts. Every problem of the jobnet is reported at once, at its
 * catalog path (`jobnets.<n>.jobs.<step>…`). `${VAR}` values left for run time are resolved from
 * `env`, as for a single job. With `routing.routeEvents`, the run and each step carry where
 * their events go (`notify`); without it, their events go nowhere.
 */
export function jobnetRunInput(
  catalog: Catalog,
  jobnetName: string,
  businessDate: string,
  env: Env = process.env,
  routing: Pick<RunRoutingOptions, 'routeEvents'> = {},
): JobnetRun {
  const jobnet = catalog.jobnets[jobnetName];
  if (jobnet === undefined) {
    const known = Object.keys(catalog.jobnets);
    const match = closest(jobnetName, known);
    const hint = match !== undefined ? ` — did you mean "${match}"?` : known.length > 0 ? `; jobnets: ${known.join(', ')}` : '; the catalog has none';
    throw new InvalidInputError([{ path: `jobnets.${jobnetName}`, message: `no such jobnet${hint}` }], 'catalog');
  }
  const nested = nestedRunInput(catalog, jobnetName, env, [], { ...routing, env });
  return checked(jobnetRunSchema, { ...nested, businessDate }, jobnetName);
}

/** The run input as the schema reads it (defaults filled), or bad input at the catalog's paths: nothing starts. */
function checked<S extends z.ZodType>(schema: S, input: unknown, jobnetName: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new InvalidInputError(
      result.error.issues.map((issue) => problemFromIssue({ ...issue, path: catalogPath(jobnetName, issue.path) })),
      'catalog',
    );
  }
  return result.data;
}

/**
 * A jobnet's run input without its business date: each step as the job it runs, or, for
 * `jobnet:` steps, as the nested jobnet's own run input (the catalog refuses nesting cycles).
 */
function nestedRunInput(catalog: Catalog, jobnetName: string, env: Env, enclosing: readonly string[], routing: RunRoutingOptions): NestedJobnetRun {
  const chain = [...enclosing, jobnetName];
  const jobnet = catalog.jobnets[jobnetName];
  if (jobnet === undefined) throw new RangeError(`no jobnet "${jobnetName}"`);
  const problems: InputProblem[] = [];
  const steps: Record<string, JobnetStepRunInput> = {};
  for (const stepName of Object.keys(jobnet.jobs)) {
    const where = `jobnets.${jobnetName}.jobs.${stepName}`;
    const step = effectiveStep(catalog, jobnetName, stepName);
    const graph = { needs: step.needs, when: step.when, onFailure: step.onFailure, enabled: step.enabled };
    try {
      if (step.jobnet !== undefined) {
        steps[stepName] = {
          jobnet: nestedRunInput(catalog, step.jobnet, env, chain, routing),
          ...graph,
          ...stepNotify(catalog, chain, stepName, step, routing),
        };
        continue;
      }
      if (step.fanout !== undefined) {
        // The fan-out raises its own events (partition failures, deadline), so the step's routing goes inside it.
        const notify = stepRouting(catalog, chain, stepName, step, routing);
        const { businessDate: _date, ...fanout } = fanoutRunInput(catalog, step, stepName, FANOUT_TEMPLATE_DATE, env, notify);
        steps[stepName] = { fanout, ...graph };
        continue;
      }
      const job = jobSpecOf(catalog, step, stepName, env, step.use);
      steps[stepName] = { job, ...graph, ...stepNotify(catalog, chain, stepName, step, routing), ...(step.use === undefined ? {} : { uses: step.use }) };
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      // jobSpecOf speaks of `jobs.<name>`; here the values belong to the step.
      const own = `jobs.${stepName}`;
      const from = step.use === undefined ? '' : ` (from jobs.${step.use})`;
      problems.push(
        ...error.problems.map((p) => ({ ...p, path: p.path.startsWith(own) ? `${where}${p.path.slice(own.length)}` : p.path, message: `${p.message}${from}` })),
      );
    }
  }
  if (problems.length > 0) throw new InvalidInputError(problems, 'catalog');
  const notify = jobnetRouting(catalog, chain, routing);
  return checked(
    nestedJobnetRunSchema,
    {
      name: jobnetName,
      steps,
      ...(awaitedNames(catalog).has(jobnetName) ? { announceAs: jobnetName } : {}),
      ...(notify === undefined ? {} : { notify }),
      ...(jobnet.deadline === undefined ? {} : { deadline: jobnet.deadline }),
    },
    jobnetName,
  );
}

/** A step's `notify`, when any route concerns it. */
function stepNotify(...args: Parameters<typeof stepRouting>): Pick<JobnetStepRunInput, 'notify'> {
  const notify = stepRouting(...args);
  return notify === undefined ? {} : { notify };
}

/** `steps.<s>.job.<field>` of the run input is `jobnets.<n>.jobs.<s>.<field>` in the catalog. */
function catalogPath(jobnetName: string, path: readonly PropertyKey[]): PropertyKey[] {
  if (path[0] !== 'steps' || path.length < 2) return [...path];
  const rest = path[2] === 'job' ? path.slice(3) : path.slice(2);
  return ['jobnets', jobnetName, 'jobs', path[1]!, ...rest];
}
