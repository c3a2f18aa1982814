/**
 * A job run's current details (Temporal user metadata) for its Web UI page: its status, what
 * it waits for, and its events so far, newest last. Pure (workflow code).
 */
import type { JobState } from '../contracts/job';

/** `2026-12-01 13:00:05Z`. */
const at = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;

export function jobDetails(workflowId: string, state: JobState): string {
  const waiting = state.waiting
    ? ` — waiting for ${state.waiting.kind === 'lock' ? `lock ${state.waiting.lock}` : `${state.waiting.job} of ${state.businessDate}`} since ${at(state.waiting.since)}`
    : '';
  const lines = [`**${workflowId}** — ${state.status}${waiting} · attempts ${state.attempts}`, ''];
  if (state.events.length > 0) lines.push('| at | event | detail |', '| --- | --- | --- |');
  for (const event of state.events) {
    const detail = [
      event.attempt !== undefined && `attempt ${event.attempt}`,
      event.retryAt && `retry at ${at(event.retryAt)}`,
      event.lock && `lock ${event.lock}`,
      event.predecessor && `after ${event.predecessor}`,
      event.error,
    ]
      .filter(Boolean)
      .join(' · ')
      .replaceAll('|', '\\|')
      .replace(/\s*\n\s*/g, ' ');
    lines.push(`| ${at(event.at)} | ${event.type} | ${detail} |`);
  }
  return lines.join('\n');
}
