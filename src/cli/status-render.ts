import type { Client } from '@temporalio/client';
import type { JobState } from '../contracts/job';
import { fanoutStatusLines } from '../workflows/fanout-definitions';
import type { JobnetState, StepState } from '../contracts/jobnet';
import { readRunState, type Progress, type RunState } from '../runs/run-state';
import { readableInZone } from '../planning/format-time';

/**
 * `jobnet status <run>` as text: a job run's events, a jobnet run as a tree of its steps (with
 * what a running step waits for, and nested jobnets drawn inside), a fan-out's progress.
 */

/** What a rendering depends on besides the run: the time now, and the zone times are shown in. */
export interface RenderView {
  now: Date;
  timeZone: string;
}

export const viewNow = (timeZone: string): RenderView => ({ now: new Date(), timeZone });

/** Times of the run in the view's zone, with the offset (`2026-12-01 09:00:05+09:00`). */
function timeIn(view: RenderView): (iso: string | null | undefined) => string {
  return (iso) => (iso ? readableInZone(iso, view.timeZone) : '');
}

function since(iso: string, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7_200) return `${Math.round(seconds / 60)}m`;
  return `${(seconds / 3_600).toFixed(1)}h`;
}

export function renderJob(workflowId: string, temporalStatus: string, state: JobState | undefined, progress: Progress[], view: RenderView): string[] {
  if (!state) return [`${workflowId}: ${temporalStatus.toLowerCase()}`];
  const time = timeIn(view);
  const lines = [`${workflowId}: ${state.status} (attempts ${state.attempts})${waitingText(state, view.now)}`];
  for (const p of progress) {
    const amount = p.processed === undefined ? '' : ` ${p.processed}${p.total === undefined ? '' : ` of ${p.total}`}`;
    lines.push(`  progress: ${p.phase ?? p.activity}${amount}`);
  }
  for (const event of state.events) {
    const extra = [
      event.retryAt && `retry at ${time(event.retryAt)}`,
      event.lock && `lock ${event.lock}`,
      event.predecessor && `after ${event.predecessor}`,
      event.waitedMs !== undefined && `waited ${Math.round(event.waitedMs / 1000)}s`,
      event.error,
    ]
      .filter(Boolean)
      .join(' — ');
    lines.push(`  ${time(event.at)}  ${event.type}${extra ? `  ${extra}` : ''}`);
  }
  return lines;
}

function waitingText(state: JobState, now: Date): string {
  const waiting = state.waiting;
  if (!waiting) return '';
  const what = waiting.kind === 'lock' ? `lock ${waiting.lock}` : `${waiting.job} of the same business date`;
  return ` — waiting for ${what} for ${since(waiting.since, now)}`;
}

function stepText(name: string, step: StepState, width: number, view: RenderView): string {
  const time = timeIn(view);
  const now = view.now;
  // A worker from before holds answers without `held`.
  const parts = [name.padEnd(width), step.held ? `${step.status}, HELD${step.held.by ? ` by ${step.held.by}` : ''}` : step.status];
  if (step.attempts > 1) parts.push(`attempt ${step.attempts}`);
  if (step.status === 'waiting-operator' && step.waitingSince) parts.push(`for ${since(step.waitingSince, now)}`);
  if (step.startTime) parts.push(`${time(step.startTime)}${step.endTime ? ` → ${time(step.endTime)}` : ''}`);
  if (step.recordCount !== null) parts.push(`records ${step.recordCount}`);
  if (step.error) parts.push(`error: ${step.error}`);
  if (step.reason) parts.push(`(${step.reason})`);
  return parts.join('  ');
}

/**
 * A jobnet run and its steps as a tree. Running steps are asked for their own state, so the
 * tree shows a step waiting for a lock or for another schedule, and a nested jobnet's steps.
 */
export async function renderJobnet(
  client: Client,
  workflowId: string,
  temporalStatus: string,
  state: JobnetState | undefined,
  view: RenderView,
  indent = '',
): Promise<string[]> {
  if (!state) return [`${indent}${workflowId}: ${temporalStatus.toLowerCase()}`];
  const time = timeIn(view);
  const lines = [
    `${indent}${workflowId}: ${state.status}${state.reason ? ` — ${state.reason}` : ''}  (started ${time(state.startTime)}${state.endTime ? `, ended ${time(state.endTime)}` : ''})`,
  ];
  // A run of a worker from before deadlines answers without warnings.
  for (const warning of state.warnings ?? []) lines.push(`${indent}   warning: ${warning}`);
  const names = Object.keys(state.steps);
  const width = Math.max(...names.map((name) => name.length));
  for (const [index, name] of names.entries()) {
    const step = state.steps[name]!;
    const last = index === names.length - 1;
    const branch = `${indent}${last ? '└─ ' : '├─ '}`;
    const below = `${indent}${last ? '   ' : '│  '}`;
    lines.push(`${branch}${stepText(name, step, width, view)}`);
    if (step.status === 'waiting-operator') {
      lines.push(`${below}   → jobnet retry|skip ${workflowId} ${name}   or   jobnet abort ${workflowId}`);
    }
    if (step.held && temporalStatus === 'RUNNING') lines.push(`${below}   → jobnet release ${workflowId} ${name}`);
    if (step.status === 'running' && step.workflowId) {
      const child = await readRunState(client, step.workflowId).catch(() => undefined);
      if (child) lines.push(...(await childLines(client, child, view, `${below}   `)));
    }
  }
  const acted = state.operatorActions;
  if (acted.length > 0) {
    lines.push(`${indent}operator actions:`);
    for (const action of acted) {
      const what = `${action.action}${action.job ? ` ${action.job}` : ''}${action.outcome ? ` → ${action.outcome}` : ''}`;
      const who = action.by ? ` by ${action.by}` : '';
      lines.push(
        `${indent}  ${time(action.at)}  ${what}${who} (${action.via})${action.accepted ? '' : ` ignored: ${action.note ?? ''}`}${action.reason ? ` — ${action.reason}` : ''}`,
      );
    }
  }
  return lines;
}

async function childLines(client: Client, child: RunState, view: RenderView, indent: string): Promise<string[]> {
  switch (child.kind) {
    case 'job': {
      const [, ...rest] = renderJob(child.workflowId, child.temporalStatus, child.state, child.progress, view);
      const head = child.state ? `${child.state.status}${waitingText(child.state, view.now)}` : child.temporalStatus.toLowerCase();
      // The step line says the rest; of the child, what it waits for and its progress matter.
      return [`${indent}${head}`, ...rest.filter((line) => line.startsWith('  progress')).map((line) => `${indent}${line.trim()}`)];
    }
    case 'jobnet':
      return renderJobnet(client, child.workflowId, child.temporalStatus, child.state, view, indent);
    case 'fanout':
      return child.state ? fanoutStatusLines(child.state).map((line) => `${indent}${line}`) : [];
    default:
      return [];
  }
}

export async function renderRun(client: Client, run: RunState, view: RenderView): Promise<string[]> {
  switch (run.kind) {
    case 'job':
      return renderJob(run.workflowId, run.temporalStatus, run.state, run.progress, view);
    case 'jobnet':
      return renderJobnet(client, run.workflowId, run.temporalStatus, run.state, view);
    case 'fanout':
      return run.state ? [`${run.workflowId}:`, ...fanoutStatusLines(run.state)] : [`${run.workflowId}: ${run.temporalStatus.toLowerCase()}`];
    default:
      return [`${run.workflowId}: ${run.type}, ${run.temporalStatus.toLowerCase()}`];
  }
}
