/**
 * The board a jobnet run keeps as its current details (Temporal user metadata), so the Web
 * UI's run page is the operator's console (JP1/AJS3's jobnet monitor, Airflow's grid): each
 * step with its status, times and attempt, what it waits for, and for a step waiting for an
 * operator the exact Signal (name and JSON body) the Web UI's "Send a Signal" takes and the
 * CLI command that does the same. Markdown, as the Web UI renders it.
 *
 * Pure and deterministic (workflow code): no clock, times as the run recorded them (UTC).
 */
import type { JobnetState, StepState } from '../contracts/jobnet';

/** Up to this many steps the board lists every step; a larger jobnet lists the ones that need looking at. */
export const FULL_BOARD_STEPS = 30;

export interface BoardRun {
  workflowId: string;
  /** Each step's needs, for what a waiting step waits for. */
  needs: Readonly<Record<string, readonly string[]>>;
  /** How long a step waits for an operator before it is taken as failed. */
  operatorMaxWaitMs: number;
}

const STATUS_MARK: Record<StepState['status'], string> = {
  pending: '○',
  'waiting-dependency': '◔',
  running: '▶',
  succeeded: '✔',
  failed: '✖',
  skipped: '↷',
  'waiting-operator': '⏸',
  'not-run': '–',
};

/** `2026-12-01 13:00:05Z`: short enough for a table cell, unambiguous. */
function at(iso: string | null): string {
  return iso === null ? '' : `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

/** Table cells hold no pipes or line breaks. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replace(/\s*\n\s*/g, ' ');
}

/** What a step that has not finished waits for, in words. */
export function waitsFor(name: string, step: StepState, state: JobnetState, run: BoardRun): string {
  if (step.held) return `release (held${step.held.by ? ` by ${step.held.by}` : ''} since ${at(step.held.since)})`;
  switch (step.status) {
    case 'waiting-dependency': {
      const open = (run.needs[name] ?? []).filter((need) => {
        const status = state.steps[need]?.status;
        return status !== 'succeeded' && status !== 'failed' && status !== 'skipped' && status !== 'not-run';
      });
      return open.length > 0 ? `predecessor ${open.join(', ')}` : 'its predecessors';
    }
    case 'running':
      if (step.waiting?.kind === 'lock') return `lock ${step.waiting.lock ?? ''} since ${at(step.waiting.since)}`;
      if (step.waiting?.kind === 'after') return `${step.waiting.job ?? 'another run'} of ${state.businessDate} since ${at(step.waiting.since)}`;
      return '';
    case 'waiting-operator':
      return `operator until ${at(operatorDeadline(step, run))}`;
    default:
      return '';
  }
}

function operatorDeadline(step: StepState, run: BoardRun): string | null {
  if (step.waitingSince === null) return null;
  return new Date(Date.parse(step.waitingSince) + run.operatorMaxWaitMs).toISOString();
}

function stepRow(name: string, step: StepState, state: JobnetState, run: BoardRun): string {
  const note = step.error ?? step.reason ?? '';
  return `| ${cell(name)} | ${STATUS_MARK[step.status]} ${step.status} | ${step.attempts} | ${at(step.startTime)} | ${at(step.endTime)} | ${cell(waitsFor(name, step, state, run))} | ${cell(note)} |`;
}

/** What an operator can do about a step waiting for them: the Signal the Web UI sends, and the CLI command. */
function operatorActions(name: string, step: StepState, run: BoardRun): string[] {
  const body = JSON.stringify({ job: name });
  return [
    '',
    `### ⏸ ${name} waits for an operator`,
    '',
    `${step.error ? `It failed: \`${cell(step.error)}\`. ` : ''}Taken as failed at ${at(operatorDeadline(step, run))} if no one acts.`,
    '',
    '| to | Send a Signal (Web UI) | or run |',
    '| --- | --- | --- |',
    `| run it again | \`retry\` with \`${body}\` | \`npx jobnet retry ${run.workflowId} ${name}\` |`,
    `| take it as succeeded | \`skip\` with \`${body}\` | \`npx jobnet skip ${run.workflowId} ${name}\` |`,
    `| end the jobnet | \`abort\` with \`{"reason":"…"}\` | \`npx jobnet abort ${run.workflowId} --reason "…"\` |`,
  ];
}

/** A held step: how to let it start. */
function releaseActions(name: string, step: StepState, run: BoardRun): string[] {
  const held = step.held!;
  return [
    '',
    `### ⏸ ${name} is held`,
    '',
    `Held${held.by ? ` by ${cell(held.by)}` : ''} at ${at(held.since)}${held.reason ? `: ${cell(held.reason)}` : ''}. It does not start until released.`,
    '',
    '| to | Send a Signal (Web UI) | or run |',
    '| --- | --- | --- |',
    `| let it start | \`release\` with \`${JSON.stringify({ job: name, reason: '…' })}\` | \`npx jobnet release ${run.workflowId} ${name} --reason "…"\` |`,
  ];
}

/** One line of the run's record of operator actions: when, what, who, why. */
function actionLine(action: JobnetState['operatorActions'][number]): string {
  const what = `${action.action}${action.job ? ` ${action.job}` : ''}${action.outcome ? ` → ${action.outcome}` : ''}`;
  const who = action.by ? ` by ${cell(action.by)}` : '';
  return `- ${at(action.at)} ${what}${who} (${action.via})${action.accepted ? '' : ` — ignored: ${cell(action.note ?? '')}`}${action.reason ? ` — ${cell(action.reason)}` : ''}`;
}

/** The board as markdown. */
export function jobnetBoard(state: JobnetState, run: BoardRun): string {
  const names = Object.keys(state.steps);
  const counts = new Map<string, number>();
  for (const name of names) counts.set(state.steps[name]!.status, (counts.get(state.steps[name]!.status) ?? 0) + 1);
  const tally = [...counts].map(([status, count]) => `${count} ${status}`).join(' · ');
  const lines = [
    `**${run.workflowId}** — ${state.status}${state.reason ? `: ${cell(state.reason)}` : ''}`,
    '',
    `started ${at(state.startTime)}${state.endTime ? ` · ended ${at(state.endTime)}` : ''}${state.deadline ? ` · deadline ${at(state.deadline)}` : ''} · ${names.length} steps: ${tally}`,
    '',
    ...state.warnings.map((warning) => `> ⚠ ${cell(warning)}`),
    ...(state.warnings.length > 0 ? [''] : []),
  ];
  // A large jobnet shows what needs looking at; the rest is in `npx jobnet status`.
  const shown =
    names.length <= FULL_BOARD_STEPS ? names : names.filter((name) => !['succeeded', 'skipped', 'not-run', 'pending'].includes(state.steps[name]!.status));
  if (shown.length > 0) {
    lines.push('| step | status | attempt | started | ended | waits for | error / reason |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const name of shown) lines.push(stepRow(name, state.steps[name]!, state, run));
  }
  if (shown.length < names.length)
    lines.push('', `${names.length - shown.length} more steps (succeeded, skipped, not run or not started): \`npx jobnet status ${run.workflowId}\``);
  for (const name of names) {
    const step = state.steps[name]!;
    if (state.status !== 'running') continue;
    if (step.status === 'waiting-operator') lines.push(...operatorActions(name, step, run));
    if (step.held) lines.push(...releaseActions(name, step, run));
  }
  if (state.status === 'running' && names.some((name) => state.steps[name]!.status === 'running')) {
    lines.push(
      '',
      `To end a running step now (its work is stopped): \`force\` with \`{"job":"<step>","outcome":"failed","reason":"…"}\` or \`npx jobnet force ${run.workflowId} <step> --failed --reason "…"\` (\`succeeded\` / \`--succeeded\` lets its dependants run). A step not started yet: \`hold\` / \`npx jobnet hold ${run.workflowId} <step> --reason "…"\`.`,
    );
  }
  if (state.operatorActions.length > 0) {
    lines.push('', '### Operator actions', '');
    for (const action of state.operatorActions) lines.push(actionLine(action));
  }
  // Last: the Web UI sizes the details frame a line short, and this line can spare it.
  lines.push('', `<sub>the same in a terminal: \`npx jobnet status ${run.workflowId}\`</sub>`);
  return lines.join('\n');
}
