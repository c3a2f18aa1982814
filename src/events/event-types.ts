/**
 * Event types and their default severities: defined with the run contract (src/contracts/events.ts).
 * No zod here: workflows import this module, and every run would build what it imports
 * (the schemas are in event-schema.ts).
 */
import type { Severity } from '../contracts/events';

export { DEFAULT_SEVERITY, EVENT_TYPES, type EventType, type Severity } from '../contracts/events';

export const SEVERITIES = ['critical', 'warning', 'info'] as const satisfies readonly Severity[];
