/**
 * The task queue lock and gate workflows run on. Every jobnet worker serves it, whatever queues
 * it runs jobs from, so a lock or gate keeps answering while any worker is up — not only while
 * the worker of its first asker (a `gpu` or `host:` queue) is.
 */
export const COORDINATION_QUEUE = 'jobnet-coordination';

/**
 * The patch around a lock's or gate's continue-as-new onto COORDINATION_QUEUE: one started on
 * its first asker's queue before moves there; its recorded runs replay as they continued.
 */
export const COORDINATION_QUEUE_PATCH = 'coordination-queue';
