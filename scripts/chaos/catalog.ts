/**
 * The catalog the chaos campaign runs (written into its work directory), and what one round of
 * its workload must leave behind. Every command is scripts/chaos/command.sh, which records its
 * start, its keyed effect and its end in the campaign's effects log.
 *
 * One round, for one business date D:
 *   chaos-chain@D    a → b → c                                   (a chained jobnet)
 *   chaos-flow@D     extract → left ‖ right ‖ bill (fan-out) → gate (onFailure: wait, fails first) → load
 *   chaos-lock-a@D, chaos-lock-b@D    two jobs contending for the lock chaos-lock
 *   chaos-delayed@D                   fails its immediate attempts, succeeds in its delayedRetry
 *   chaos-after-first@D, chaos-after-second@D    the second waits (`after`) for the first
 */
import path from 'node:path';

/** The campaign's heartbeat time-out (catalog `defaults`): a killed worker's attempt runs again after it. */
export const HEARTBEAT_TIMEOUT_MS = 5_000;
export const DEFAULT_QUEUE = 'default';
export const FANOUT_QUEUE = 'chaos-fan';
export const LOCK_NAME = 'chaos-lock';
/** Companies of the fan-out: one partition each, billed through runOnce on PostgreSQL. */
export const COMPANIES = 6;

const COMMAND = path.join(__dirname, 'command.sh');
const command = (mode: 'plain' | 'lock' | 'fail-first' | 'delayed', seconds: number) => `[sh, "${COMMAND}", ${mode}, "${seconds}"]`;

export function campaignCatalogYaml(): string {
  return `# Written by scripts/chaos.ts for one chaos campaign.
version: 1
timezone: UTC
defaults:
  timeout: 2m
  killGrace: 2s
  heartbeatTimeout: ${HEARTBEAT_TIMEOUT_MS / 1000}s
  # Command kills fail attempts: enough immediate retries that chaos alone never exhausts them.
  retry: { attempts: 6, interval: 1s }
  queue: ${DEFAULT_QUEUE}
locks:
  ${LOCK_NAME}: { policy: wait, maxWait: 10m }
jobs:
  chaos-lock-a: { command: ${command('lock', 1)}, locks: [${LOCK_NAME}] }
  chaos-lock-b: { command: ${command('lock', 1)}, locks: [${LOCK_NAME}] }
  chaos-delayed:
    command: ${command('delayed', 0.3)}
    retry: { attempts: 2, interval: 1s }
    delayedRetry: { after: 8s }
  chaos-after-first: { command: ${command('plain', 1)} }
  chaos-after-second:
    command: ${command('plain', 0.3)}
    after: [{ job: chaos-after-first, maxWait: 10m }]
  chaos-bill-company:
    activity: billingCompany
    args: { externalCallMs: 300 }
    retry: { attempts: 6, interval: 1s, nonRetryable: [UnknownPlan, UsageDataError, CompanyNotFound] }
  chaos-billing:
    fanout:
      itemsFrom: { sql: "SELECT code AS key FROM billing_companies WHERE active" }
      job: chaos-bill-company
      maxParallel: 3
      queue: ${FANOUT_QUEUE}
jobnets:
  chaos-chain:
    jobs:
      a: { command: ${command('plain', 1)} }
      b: { command: ${command('plain', 1)}, needs: [a] }
      c: { command: ${command('plain', 1)}, needs: [b] }
  chaos-flow:
    jobs:
      extract: { command: ${command('plain', 0.3)} }
      left:    { command: ${command('plain', 1.5)}, needs: [extract] }
      right:   { command: ${command('plain', 1.5)}, needs: [extract] }
      bill:    { use: chaos-billing, needs: [extract] }
      gate:
        command: ${command('fail-first', 0.3)}
        needs: [left, right]
        onFailure: wait
        retry: { attempts: 6, interval: 1s, nonRetryable: ["exit:3"] }
      load:    { command: ${command('plain', 0.3)}, needs: [gate, bill] }
`;
}

/** The catalog entries one round starts (jobs and jobnets), in the order it starts them. */
export const ROUND_ENTRIES = ['chaos-chain', 'chaos-flow', 'chaos-lock-a', 'chaos-lock-b', 'chaos-delayed', 'chaos-after-second', 'chaos-after-first'] as const;

/**
 * The steps of one round that must each take effect exactly once, as the run ids their commands
 * see without an operator retry's `#n` (a step retried by an operator is the same step).
 */
export function expectedSteps(businessDate: string): string[] {
  const d = businessDate;
  return [
    ...['a', 'b', 'c'].map((step) => `chaos-chain@${d}/${step}`),
    ...['extract', 'left', 'right', 'gate', 'load'].map((step) => `chaos-flow@${d}/${step}`),
    ...['chaos-lock-a', 'chaos-lock-b', 'chaos-delayed', 'chaos-after-first', 'chaos-after-second'].map((job) => `${job}@${d}`),
  ];
}

/** The run key of each partition of the round's fan-out (`<fan-out run>/<key>`, the same in every round of it). */
export function expectedPartitionKeys(businessDate: string, companyCodes: string[]): string[] {
  return companyCodes.map((code) => `chaos-flow@${businessDate}/bill/${code}`);
}

/** The logical step of a command's run id: an operator's retry (`…/gate#2`) is the same step. */
export function stepOf(runId: string): string {
  return runId.replace(/#\d+$/, '');
}
