import { workflowInfo } from '@temporalio/workflow';

/**
 * What a workflow knows of itself. In workflow code `Date` is Temporal's deterministic time (the
 * time of the current workflow task, the same on replay), not the host's.
 */
export const nowIso = (): string => new Date().toISOString();

/** Time to continue as new: the history reached `limit` events, or the server suggests it. */
export function historyIsLong(limit: number): boolean {
  const info = workflowInfo();
  return info.historyLength >= limit || info.continueAsNewSuggested;
}
