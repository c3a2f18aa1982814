import { asWritten, isDeferred, unsetVariables, type TreeProblem } from '../schema/interpolate';
import { isRecord, isWellFormedName, type RawObject } from '../schema/catalog-values';
import { findCycles, type Edge } from './cycles';
import { closest } from '../../validation/suggest';

/**
 * The rules that need the whole file: names that refer to other sections (locks, calendars,
 * jobs, jobnets, steps, channels), cycles, and one namespace for jobs and jobnets.
 *
 * They read the raw document, not the parsed catalog, so they run even when the schema found
 * problems elsewhere and everything is reported at once. Values the schema rejects (a
 * malformed name, a list that is not a list) are skipped here: one problem, reported once.
 */

type Path = (string | number)[];

const entries = (value: unknown): [string, unknown][] => (isRecord(value) ? Object.entries(value) : []);
const items = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

interface Names {
  jobs: RawObject;
  jobnets: RawObject;
  locks: string[];
  calendars: string[];
  channels: string[];
  /** Groups some job or step declares (`group:`). */
  groups: string[];
}

export function checkReferences(catalog: unknown): TreeProblem[] {
  if (!isRecord(catalog)) return [];
  const notify = isRecord(catalog.notify) ? catalog.notify : {};
  const names: Names = {
    jobs: isRecord(catalog.jobs) ? catalog.jobs : {},
    jobnets: isRecord(catalog.jobnets) ? catalog.jobnets : {},
    locks: entries(catalog.locks).map(([name]) => name),
    calendars: entries(catalog.calendars).map(([name]) => name),
    channels: entries(notify.channels).map(([name]) => name),
    groups: declaredGroups(catalog),
  };
  const problems: TreeProblem[] = [];
  const report = (path: Path, message: string) => problems.push({ path, message });

  for (const name of Object.keys(names.jobnets)) {
    if (Object.hasOwn(names.jobs, name)) {
      report(['jobnets', name], `"${name}" is also a job; jobs and jobnets share one namespace, since \`jobnet run <name>\` takes either`);
    }
  }

  for (const [name, job] of entries(names.jobs)) checkJob(['jobs', name], job, names, undefined, report);
  for (const [name, jobnet] of entries(names.jobnets)) {
    if (!isRecord(jobnet)) continue;
    checkSchedule(['jobnets', name], jobnet.schedule, names, report);
    const steps = entries(jobnet.jobs).map(([step]) => step);
    for (const [step, definition] of entries(jobnet.jobs)) checkJob(['jobnets', name, 'jobs', step], definition, names, steps, report);
  }

  items(notify.routes).forEach((route, index) => {
    if (!isRecord(route)) return;
    items(route.channels).forEach((channel, at) => checkName(['notify', 'routes', index, 'channels', at], channel, names.channels, 'channel', report));
    items(route.jobs).forEach((job, at) => checkName(['notify', 'routes', index, 'jobs', at], job, runnableNames(names), 'job or jobnet', report));
    // A group no job belongs to routes nothing: most likely a typo, or a team that was renamed.
    items(route.groups).forEach((group, at) =>
      checkName(
        ['notify', 'routes', index, 'groups', at],
        group,
        names.groups,
        'group',
        report,
        names.groups.length === 0 ? `no job or step has group: ${String(group)}` : undefined,
      ),
    );
  });

  problems.push(...needsCycles(names), ...afterCycles(names), ...nestingCycles(names));
  return problems;
}

/** Every `group:` written on a job or a jobnet step, once each. */
function declaredGroups(catalog: RawObject): string[] {
  const groupOf = (job: unknown): unknown[] => (isRecord(job) && typeof job.group === 'string' ? [job.group] : []);
  const jobs = entries(catalog.jobs).flatMap(([, job]) => groupOf(job));
  const steps = entries(catalog.jobnets).flatMap(([, jobnet]) => entries(isRecord(jobnet) ? jobnet.jobs : undefined).flatMap(([, step]) => groupOf(step)));
  return [...new Set([...jobs, ...steps].filter(isWellFormedName))];
}

const runnableNames = (names: Names): string[] => [...new Set([...Object.keys(names.jobs), ...Object.keys(names.jobnets)])];

/** The references of one job (`steps` undefined) or one step of a jobnet. */
function checkJob(path: Path, job: unknown, names: Names, steps: string[] | undefined, report: (path: Path, message: string) => void): void {
  if (!isRecord(job)) return;
  const jobNames = Object.keys(names.jobs);
  const jobnetNames = Object.keys(names.jobnets);
  if (steps === undefined) checkSchedule(path, job.schedule, names, report);
  items(job.locks).forEach((lock, index) => checkName([...path, 'locks', index], lock, names.locks, 'lock', report));
  items(job.after).forEach((after, index) => {
    if (isRecord(after)) checkName([...path, 'after', index, 'job'], after.job, runnableNames(names), 'job or jobnet', report);
  });
  const jobnetIsJob = jobNames.includes(String(job.jobnet));
  checkName(
    [...path, 'jobnet'],
    job.jobnet,
    jobnetNames,
    'jobnet',
    report,
    jobnetIsJob ? `"${String(job.jobnet)}" is a job, not a jobnet; run it with use: ${String(job.jobnet)}` : undefined,
  );
  if (isRecord(job.fanout)) checkName([...path, 'fanout', 'job'], job.fanout.job, jobNames, 'job', report);
  if (steps === undefined) return;
  const useIsJobnet = jobnetNames.includes(String(job.use));
  checkName(
    [...path, 'use'],
    job.use,
    jobNames,
    'job',
    report,
    useIsJobnet ? `"${String(job.use)}" is a jobnet, not a job; nest it with jobnet: ${String(job.use)}` : undefined,
  );
  items(job.needs).forEach((need, index) => checkName([...path, 'needs', index], need, steps, 'step', report, undefined, ` in jobnet ${String(path[1])}`));
}

function checkSchedule(path: Path, schedule: unknown, names: Names, report: (path: Path, message: string) => void): void {
  if (!isRecord(schedule)) return;
  const calendar = schedule.calendar;
  const where = [...path, 'schedule', 'calendar'];
  // The schedule schema accepts any text as a calendar's name, so its shape is checked here.
  if (isDeferred(calendar)) {
    report(
      where,
      `environment variable ${unsetVariables(calendar).join(', ')} is not set, and a calendar must be known to check the schedule ("${asWritten(calendar)}")`,
    );
  } else if (typeof calendar === 'string' && calendar !== '' && !names.calendars.includes(calendar)) {
    report(where, unknownName(calendar, names.calendars, 'calendar'));
  }
}

function checkName(
  path: Path,
  value: unknown,
  known: readonly string[],
  what: string,
  report: (path: Path, message: string) => void,
  hint?: string,
  where = '',
): void {
  if (!isWellFormedName(value) || known.includes(value)) return;
  report(path, hint ?? unknownName(value, known, what, where));
}

/** `unknown lock "rankngs" — did you mean "rankings"?`, else the names there are. */
function unknownName(value: string, known: readonly string[], what: string, where = ''): string {
  const head = `unknown ${what} "${value}"${where}`;
  const match = closest(value, known);
  if (match !== undefined) return `${head} — did you mean "${match}"?`;
  if (known.length === 0) return `${head}; there is none`;
  const shown = known.slice(0, 8).join(', ');
  return `${head}; known: ${shown}${known.length > 8 ? ', …' : ''}`;
}

function needsCycles(names: Names): TreeProblem[] {
  return entries(names.jobnets).flatMap(([jobnet, definition]) => {
    if (!isRecord(definition)) return [];
    const steps = entries(definition.jobs);
    const edges: Edge<Path>[] = steps.flatMap(([step, job]) =>
      isRecord(job)
        ? items(job.needs)
            .filter(isWellFormedName)
            .map((need) => ({ from: step, to: need, where: ['jobnets', jobnet, 'jobs', step, 'needs'] }))
        : [],
    );
    return findCycles(
      steps.map(([step]) => step),
      edges,
    ).map((cycle) => ({ path: cycle.first.where, message: `needs form a cycle: ${cycle.nodes.join(' → ')}; each step needs the next, so none can start` }));
  });
}

/** A job that waits (`after`) for itself through others would wait until its maxWait, every day. */
function afterCycles(names: Names): TreeProblem[] {
  const afterEdges = (from: string, job: unknown, where: Path): Edge<Path>[] =>
    isRecord(job)
      ? items(job.after).flatMap((after, index) =>
          isRecord(after) && isWellFormedName(after.job) ? [{ from, to: after.job, where: [...where, 'after', index, 'job'] }] : [],
        )
      : [];
  const edges = [
    ...entries(names.jobs).flatMap(([name, job]) => afterEdges(name, job, ['jobs', name])),
    ...entries(names.jobnets).flatMap(([name, jobnet]) =>
      entries(isRecord(jobnet) ? jobnet.jobs : undefined).flatMap(([step, job]) => afterEdges(name, job, ['jobnets', name, 'jobs', step])),
    ),
  ];
  return findCycles(runnableNames(names), edges).map((cycle) => ({
    path: cycle.first.where,
    message: `after forms a cycle: ${cycle.nodes.join(' → ')}; each waits for the next, so none would start`,
  }));
}

/** A jobnet that contains itself — directly, through a used job, or through a fan-out — never ends. */
function nestingCycles(names: Names): TreeProblem[] {
  const jobNode = (name: string) => `job ${name}`;
  const jobnetNode = (name: string) => `jobnet ${name}`;
  const runsOf = (from: string, job: unknown, where: Path): Edge<Path>[] => {
    if (!isRecord(job)) return [];
    const edges: Edge<Path>[] = [];
    if (isWellFormedName(job.jobnet)) edges.push({ from, to: jobnetNode(job.jobnet), where: [...where, 'jobnet'] });
    if (isWellFormedName(job.use)) edges.push({ from, to: jobNode(job.use), where: [...where, 'use'] });
    if (isRecord(job.fanout) && isWellFormedName(job.fanout.job)) edges.push({ from, to: jobNode(job.fanout.job), where: [...where, 'fanout', 'job'] });
    return edges;
  };
  const nodes = [...Object.keys(names.jobnets).map(jobnetNode), ...Object.keys(names.jobs).map(jobNode)];
  const edges = [
    ...entries(names.jobnets).flatMap(([name, jobnet]) =>
      entries(isRecord(jobnet) ? jobnet.jobs : undefined).flatMap(([step, job]) => runsOf(jobnetNode(name), job, ['jobnets', name, 'jobs', step])),
    ),
    // Top-level jobs cannot `use`; only their jobnet and fan-out run something else.
    ...entries(names.jobs).flatMap(([name, job]) => (isRecord(job) ? runsOf(jobNode(name), { jobnet: job.jobnet, fanout: job.fanout }, ['jobs', name]) : [])),
  ];
  return findCycles(nodes, edges).map((cycle) => ({
    path: cycle.first.where,
    message: `${cycle.nodes[0]} runs itself: ${cycle.nodes.join(' → ')}; a jobnet or job cannot contain itself`,
  }));
}
