import { z } from 'zod';

/**
 * The names and dates every schema speaks of. Kept apart from job-schema.ts, which embeds the
 * event routing (and through it the catalog's notify schema): the notify schema needs the job
 * name rule too, and importing it from here keeps that import free of a cycle.
 */

export const jobNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a job name is letters, digits, "_", "." or "-", starting with a letter or digit');

export const businessDateSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a business date is written YYYY-MM-DD');
