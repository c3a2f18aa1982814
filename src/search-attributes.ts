import { defineSearchAttributeKey } from '@temporalio/common';

/**
 * Search attributes on every run (DESIGN.md §5.9), so the Web UI can filter and the CLI can
 * answer "last status" and "previous day's count" from Temporal itself. `npm run dev`
 * registers them; on another cluster: `temporal operator search-attribute create`.
 */
export const JobName = defineSearchAttributeKey('JobName', 'KEYWORD');
export const BusinessDate = defineSearchAttributeKey('BusinessDate', 'KEYWORD');
export const JobStatus = defineSearchAttributeKey('JobStatus', 'KEYWORD');
export const RecordCount = defineSearchAttributeKey('RecordCount', 'INT');
export const Host = defineSearchAttributeKey('Host', 'KEYWORD');

export const JOBNET_SEARCH_ATTRIBUTES = [JobName, BusinessDate, JobStatus, RecordCount, Host] as const;

/** `--search-attribute` arguments of `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  const typeNames = { KEYWORD: 'Keyword', INT: 'Int' } as const;
  return JOBNET_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${typeNames[key.type as keyof typeof typeNames]}`]);
}

/** Set by Temporal on every run a Schedule starts: the nominal fire time, the basis of the business date. */
export const TemporalScheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', 'DATETIME');
