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
/** Set on a run that scheduled its delayed retry: the monthly count of delayed retries reads it (seed 000). */
export const DelayedRetry = defineSearchAttributeKey('DelayedRetry', 'BOOL');

/**
 * On a jobnet run: the catalog jobs its steps run inline — each step's name and the job it
 * uses — so `history`, `list`, the report and the checks find a job's runs as steps too.
 */
export const StepJobs = defineSearchAttributeKey('StepJobs', 'KEYWORD_LIST');

export const JOBNET_SEARCH_ATTRIBUTES = [JobName, BusinessDate, JobStatus, RecordCount, Host, DelayedRetry, StepJobs] as const;

/** The type names `temporal` (CLI and dev server) writes, by the SDK's type of each of jobnet's keys. */
export const SEARCH_ATTRIBUTE_TYPE_NAMES = { KEYWORD: 'Keyword', INT: 'Int', BOOL: 'Bool', KEYWORD_LIST: 'KeywordList' } as const;

/** `--search-attribute` arguments of `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  return JOBNET_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${SEARCH_ATTRIBUTE_TYPE_NAMES[key.type]}`]);
}

/** Set by Temporal on every run a Schedule starts: the nominal fire time, the basis of the business date. */
export const TemporalScheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', 'DATETIME');
