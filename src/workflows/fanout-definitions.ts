import type { FailureGroup, FanoutState, PartitionFailure } from '../contracts/fanout';

export {
  FANOUT_FAILED,
  FANOUT_PARTIAL,
  FANOUT_STATUSES,
  MAX_FAILURES_KEPT,
  fanoutStateQuery,
  type FailureGroup,
  type FanoutResult,
  type FanoutState,
  type FanoutStatus,
  type PartitionFailure,
  type PartitionFailureEvent,
} from '../contracts/fanout';

/**
 * How a fan-out's failures are grouped and its state printed, for fanoutWorkflow and the clients
 * (`jobnet status`, `jobnet retry-partitions`, tests); the contract itself is src/contracts/fanout.ts.
 */

/** Failures grouped by error type, largest group first, each listing at most `keysPerGroup` keys. */
export function groupFailures(failures: readonly PartitionFailure[], runbooks: Readonly<Record<string, string>>, extra = 0, keysPerGroup = 20): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const failure of failures) {
    const runbookUrl = Object.hasOwn(runbooks, failure.errorType) ? runbooks[failure.errorType]! : null;
    const group = groups.get(failure.errorType) ?? { errorType: failure.errorType, count: 0, runbookUrl, keys: [] };
    group.count++;
    if (group.keys.length < keysPerGroup) group.keys.push(failure.key);
    groups.set(failure.errorType, group);
  }
  const list = [...groups.values()].sort((a, b) => b.count - a.count || a.errorType.localeCompare(b.errorType));
  if (extra > 0) list.push({ errorType: '(not kept)', count: extra, runbookUrl: null, keys: [] });
  return list;
}

/**
 * The lines `jobnet status <run>` prints for a fan-out run (state from the query, or a
 * finished run's result): progress, rate, deadline, failures by type with their runbooks.
 */
export function fanoutStatusLines(state: FanoutState): string[] {
  const total = state.total ?? state.seen;
  const pending = Math.max(0, total - state.succeeded - state.failed - state.running);
  const of = state.total === null ? `${total}+ so far` : String(total);
  const lines = [
    `${state.name} (${state.businessDate}): ${state.status} — ${state.succeeded + state.failed}/${of} partitions done: ` +
      `${state.succeeded} succeeded, ${state.failed} failed, ${state.running} running, ${pending} pending; ${state.rate.toFixed(1)}/s` +
      (state.round > 1 ? `; round ${state.round}` : ''),
  ];
  if (state.deadline !== null || state.projectedFinish !== null) {
    lines.push(`  deadline ${state.deadline ?? '(none)'}, projected finish ${state.projectedFinish ?? '(not yet known)'}`);
  }
  for (const warning of state.warnings) lines.push(`  warning: ${warning}`);
  for (const group of state.failures) {
    const keys = group.keys.length < group.count ? `${group.keys.join(', ')}, …` : group.keys.join(', ');
    lines.push(`  failed ${group.errorType} ×${group.count}${group.runbookUrl ? ` (runbook ${group.runbookUrl})` : ''}${keys ? `: ${keys}` : ''}`);
  }
  return lines;
}
