/**
 * The board a jobnet run keeps as its current details (Temporal user metadata), so the Web
 * UI's run page is the operator's console (JP1/AJS3's jobnet monitor, Airflow's grid): each
 * step with its status, times and attempt, what it waits for, and for a step waiting for an
 * operator the exact Signal (name and JSON body) the Web UI's "Send a Signal" takes and the
 * CLI command that does the same. Markdown, as the Web UI renders it.
 *
 * Pure and deterministic (workflow code): no clock, times as the run recorded them (UTC).
 */
import type { JobnetState, StepState, StepStatus } from '../contracts/jobnet';

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

/** The tally's order, fixed so that a count keeps its place as the board refreshes: what is going on first. */
const TALLY_ORDER: readonly StepStatus[] = ['running', 'waiting-operator', 'waiting-dependency', 'pending', 'succeeded', 'failed', 'skipped', 'not-run'];

/**
 * Statuses a large jobnet's board leaves out of its table: nothing to look at there. A step
 * waiting for its predecessors is one too — what it waits for is in the table (running, failed
 * or waiting for an operator) — and a long chain would otherwise list almost every step.
 */
const QUIET: ReadonlySet<StepStatus> = new Set(['succeeded', 'skipped', 'not-run', 'pending', 'waiting-dependency']);

/** A step a large jobnet's board shows: one in a status worth a look, or held (it has an action). */
export function isNotable(step: StepState): boolean {
  return step.held !== null || !QUIET.has(step.status);
}

/**
 * What the board is drawn from besides the state: the count of steps in each status and the
 * notable steps in catalog order. A running jobnet keeps both as its steps change, so drawing
 * the board costs the same for 50 steps or 5,000 (it is drawn once per workflow task).
 */
export interface BoardIndex {
  counts: ReadonlyMap<StepStatus, number>;
  notable: readonly string[];
}

/** The index worked out from the state alone (every step once). */
export function boardIndex(state: JobnetState): BoardIndex {
  const counts = new Map<StepStatus, number>();
  const notable: string[] = [];
  for (const [name, step] of Object.entries(state.steps)) {
    counts.set(step.status, (counts.get(step.status) ?? 0) + 1);
    if (isNotable(step)) notable.push(name);
  }
  return { counts, notable };
}

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
export function jobnetBoard(state: JobnetState, run: BoardRun, index: BoardIndex = boardIndex(state)): string {
  const { counts, notable } = index;
  const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
  const tally = TALLY_ORDER.filter((status) => (counts.get(status) ?? 0) > 0)
    .map((status) => `${counts.get(status)} ${status}`)
    .join(' · ');
  const lines = [
    `**${run.workflowId}** — ${state.status}${state.reason ? `: ${cell(state.reason)}` : ''}`,
    '',
    `started ${at(state.startTime)}${state.endTime ? ` · ended ${at(state.endTime)}` : ''}${state.deadline ? ` · deadline ${at(state.deadline)}` : ''} · ${total} steps: ${tally}`,
    '',
    ...state.warnings.map((warning) => `> ⚠ ${cell(warning)}`),
    ...(state.warnings.length > 0 ? [''] : []),
  ];
  // A large jobnet shows what needs looking at; the rest is in `npx jobnet status`.
  const shown = total <= FULL_BOARD_STEPS ? Object.keys(state.steps) : notable.filter((name) => !QUIET.has(state.steps[name]!.status));
  if (shown.length > 0) {
    lines.push('| step | status | attempt | started | ended | waits for | error / reason |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const name of shown) lines.push(stepRow(name, state.steps[name]!, state, run));
  }
  if (shown.length < total)
    lines.push(
      '',
      `${total - shown.length} more steps (succeeded, skipped, not run, waiting for predecessors or not started): \`npx jobnet status ${run.workflowId}\``,
    );
  // Steps waiting for an operator and held steps are notable: their actions follow the table.
  if (state.status === 'running') {
    for (const name of notable) {
      const step = state.steps[name]!;
      if (step.status === 'waiting-operator') lines.push(...operatorActions(name, step, run));
      if (step.held) lines.push(...releaseActions(name, step, run));
    }
  }
  if (state.status === 'running' && (counts.get('running') ?? 0) > 0) {
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
