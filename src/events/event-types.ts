/** Event types and their default severities: defined with the run contract (src/contracts/events.ts). */
export { DEFAULT_SEVERITY, EVENT_TYPES, type EventType } from '../contracts/events';
