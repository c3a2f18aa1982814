/**
 * The one-line summary every run carries in Temporal's user metadata, so the Web UI's run page
 * and lists say what the run is without opening it: `BATCH-001 — ranking update · BATCH-001@2026-12-01`.
 * Pure: clients set it when they start a run, workflows when they start a child.
 */
export function runSummary(run: { name: string; description?: string | undefined; workflowId: string }): string {
  const description = run.description?.trim();
  return `${run.name}${description ? ` — ${description}` : ''} · ${run.workflowId}`;
}
