import type { Channel, Route } from '../catalog/schema/notify-schema';
import type { JobnetEvent } from '../events/event-schema';

/**
 * Which channels get an event: pure, so workflows can decide it deterministically and tests can
 * state it in a line. A route matches when every condition it states holds — severity always,
 * and `jobs`, `groups`, `events` when written. A channel named by several matching routes gets
 * the event once.
 */

export type RoutableEvent = Pick<JobnetEvent, 'type' | 'severity' | 'job' | 'jobnet' | 'group'>;

export function routeMatches(route: Route, event: RoutableEvent): boolean {
  if (!route.severity.includes(event.severity)) return false;
  if (route.events && !route.events.includes(event.type)) return false;
  // A jobnet's name covers its steps: "everything of daily-ranking goes to the ranking team".
  if (route.jobs && !route.jobs.includes(event.job) && !(event.jobnet !== undefined && route.jobs.includes(event.jobnet))) return false;
  if (route.groups && !(event.group !== undefined && route.groups.includes(event.group))) return false;
  return true;
}

/** Channel names in the order routes first name them, each once. */
export function routeEvent(event: RoutableEvent, routes: readonly Route[]): string[] {
  const names: string[] = [];
  for (const route of routes) {
    if (!routeMatches(route, event)) continue;
    for (const name of route.channels) if (!names.includes(name)) names.push(name);
  }
  return names;
}

export interface RoutedChannel {
  name: string;
  channel: Channel;
}

/**
 * The routed channels with their settings. A name without a channel cannot come from a loaded
 * catalog (references are checked there); it is returned in `unknown` so the caller can say so
 * rather than drop the event silently.
 */
export function routedChannels(
  event: RoutableEvent,
  notify: { channels: Readonly<Record<string, Channel>>; routes: readonly Route[] },
): { channels: RoutedChannel[]; unknown: string[] } {
  const channels: RoutedChannel[] = [];
  const unknown: string[] = [];
  for (const name of routeEvent(event, notify.routes)) {
    const channel = Object.hasOwn(notify.channels, name) ? notify.channels[name] : undefined;
    if (channel) channels.push({ name, channel });
    else unknown.push(name);
  }
  return { channels, unknown };
}
