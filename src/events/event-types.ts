/** Event types and their default severities: defined with the run contract (src/contracts/events.ts). */
import { z } from 'zod';
import type { Severity } from '../contracts/events';

export { DEFAULT_SEVERITY, EVENT_TYPES, type EventType, type Severity } from '../contracts/events';

export const SEVERITIES = ['critical', 'warning', 'info'] as const satisfies readonly Severity[];
export const severitySchema = z.enum(SEVERITIES);
