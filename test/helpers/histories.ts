/**
 * The saved workflow histories under test/histories/ (the deploy guard): where they are, the
 * key they are encrypted under, the workflow types that must have one, and how to read them.
 * Shared by `npm run histories:record` (scripts/record-histories.ts) and
 * test/histories-replay.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { parseKeyList, type CodecSettings } from '../../src/codec/keys';

export const HISTORIES_DIR = path.join(__dirname, '..', 'histories');
export const MANIFEST_FILE = path.join(HISTORIES_DIR, 'manifest.json');

/**
 * The payload key the saved histories are encrypted with. It protects nothing — it is public,
 * checked in, and used for nothing but these recordings — and is here so that the saved
 * histories, stored encrypted exactly as the server held them, can be decoded when they are
 * replayed. Never use it for a real deployment.
 */
export const HISTORIES_CODEC_KEYS = 'histories:6UMjCYRt3D+3e0A+Qd3fE2VS93tf+JlOZ0fzAzIkjvc=';
export const historiesCodec = (): CodecSettings => ({ mode: 'on', keyring: parseKeyList(HISTORIES_CODEC_KEYS, 'HISTORIES_CODEC_KEYS') });

/**
 * Every workflow type the worker registers (src/workflows/index.ts). Each must have at least
 * one saved history; a type added there without one fails the replay test.
 */
export const WORKFLOW_TYPES = [
  'jobWorkflow',
  'jobnetWorkflow',
  'fanoutWorkflow',
  'lockWorkflow',
  'gateWorkflow',
  'notifyWorkflow',
  'scheduledRunWorkflow',
  'refreshSchedulesWorkflow',
] as const;
export type WorkflowType = (typeof WORKFLOW_TYPES)[number];

/** `<workflow type>.<what the run shows>.json`: the file name says the type. */
export const historyFileName = (type: WorkflowType, form: string): string => `${type}.${form}.json`;

type History = temporal.api.history.v1.IHistory;

/**
 * A history as JSON: protobufjs's own object form (enums by name, 64-bit integers as strings,
 * bytes in base64, timestamps as { seconds, nanos }). Not the SDK's historyToJSON/historyFromJSON:
 * they fail with "type must be a Type" here, because the lock file gives @temporalio/common and
 * @temporalio/proto two copies of protobufjs and the SDK's JSON helper checks types by instanceof.
 */
export function historyToObject(history: History): unknown {
  return temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.fromObject(history), { longs: String, enums: String, bytes: String });
}
export const historyFromObject = (json: unknown): History => temporal.api.history.v1.History.fromObject(json as Record<string, unknown>);

export interface SavedHistory {
  file: string;
  type: string;
  workflowId: string;
  history: History;
}

/** The saved histories, each with the type and workflow id its file says. */
export function savedHistories(dir = HISTORIES_DIR): SavedHistory[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json') && file !== path.basename(MANIFEST_FILE))
    .sort()
    .map((file) => {
      const saved = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { workflowType: string; workflowId: string; history: unknown };
      return { file, type: saved.workflowType, workflowId: saved.workflowId, history: historyFromObject(saved.history) };
    });
}
