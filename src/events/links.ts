/**
 * The links an event carries, without zod: workflows build them, and every workflow run
 * evaluates the modules it imports afresh.
 */

/** The Web UI of the dev server; `notify.uiBaseUrl` or JOBNET_UI_URL name another. */
export const DEFAULT_UI_BASE_URL = 'http://localhost:8233';

/** Where the Temporal Web UI shows a run. */
export function runUiUrl(uiBaseUrl: string, namespace: string, workflowId: string, runId: string): string {
  const base = uiBaseUrl.replace(/\/+$/, '');
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}`;
}

/** The runbook an error type links to; none when the job has no runbook for that type. */
export function runbookFor(runbooks: Readonly<Record<string, string>>, errorType: string | undefined): string | undefined {
  if (errorType === undefined || !Object.hasOwn(runbooks, errorType)) return undefined;
  return runbooks[errorType];
}
