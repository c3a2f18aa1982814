import { z } from 'zod';
import { hasReference, isDeferred } from './interpolate';

/**
 * Small value schemas the catalog's sections share: the names that reference each other, and
 * URLs that may wait for an environment variable. Pure (no Node APIs), like the schemas.
 */

export type RawObject = Record<string, unknown>;
export const isRecord = (value: unknown): value is RawObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * For refinements that must run even when a field failed (so "two kinds" is reported with the
 * field errors), but only on a mapping: anything else already has its type error.
 */
export const whenObject = (payload: { value: unknown }): boolean => isRecord(payload.value);

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * A name other parts of the catalog refer to (a lock, a calendar, a channel, a jobnet, a step).
 * Same alphabet as job names, which end up in workflow ids.
 */
export function nameSchema(what: string) {
  return z.string().regex(NAME_PATTERN, `a ${what} name is letters, digits, "_", "." or "-", starting with a letter or digit`);
}

/** Only well-formed names are looked up as references; a malformed one is the schema's problem. */
export function isWellFormedName(value: unknown): value is string {
  return typeof value === 'string' && NAME_PATTERN.test(value);
}

/** A list of names where each may appear once: a repeat is a copy-paste slip, never a meaning. */
export function uniqueNames(item: z.ZodString) {
  return z.array(item).superRefine((names, ctx) => {
    names.forEach((name, index) => {
      if (names.indexOf(name) !== index) ctx.addIssue({ code: 'custom', path: [index], message: `"${name}" is listed twice` });
    });
  });
}

/**
 * A URL with one of `protocols`, or a value deferred until an unset variable is known (its
 * shape is checked where it is resolved). Notification URLs carry secrets, so deferring them is
 * the normal case on machines that only read the catalog.
 */
export function urlSchema(protocols: readonly string[]) {
  const list = protocols.map((p) => `${p}://`).join(' or ');
  return z.string().refine((value) => isDeferred(value) || hasProtocol(value, protocols), {
    error: (issue) => `"${String(issue.input)}" is not a URL starting with ${list}`,
  });
}

/**
 * A URL resolved on the worker that uses it (a channel's, see host-values.ts): a value written
 * with a `${VAR}` is checked there, once resolved; a value without one is checked here.
 */
export function hostUrlSchema(protocols: readonly string[]) {
  const list = protocols.map((p) => `${p}://`).join(' or ');
  return z.string().refine((value) => hasReference(value) || hasProtocol(value, protocols), {
    error: (issue) => `"${String(issue.input)}" is not a URL starting with ${list}`,
  });
}

function hasProtocol(value: string, protocols: readonly string[]): boolean {
  const parsed = z.url().safeParse(value);
  return parsed.success && protocols.some((protocol) => value.toLowerCase().startsWith(`${protocol}://`));
}
