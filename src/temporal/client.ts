import os from 'node:os';
import { Client, Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { JOBNET_SEARCH_ATTRIBUTES, SEARCH_ATTRIBUTE_TYPE_NAMES } from '../contracts/search-attributes';
import { temporalTarget, type TemporalTarget } from './connection';
import { jobnetDataConverter } from '../codec/data-converter';
import { codecSettings, type CodecSettings } from '../codec/keys';

export class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachable';
}

/**
 * A client on `connection` that reads and writes payloads with jobnet's codec — the only way
 * jobnet's code makes one, so nothing it sends to Temporal is plaintext.
 */
export function jobnetClient(connection: Connection, namespace?: string, codec: CodecSettings = codecSettings()): Client {
  return new Client({ connection, namespace, identity: `${operatorIdentity()} (pid ${process.pid})`, dataConverter: jobnetDataConverter('client', codec) });
}

/**
 * Who this client acts for: `JOBNET_OPERATOR` when set (a shared console, a bot), else
 * `<user>@<host>`. Operator actions carry it as `by`, and Temporal records it as the identity
 * of every request this client sends (the Web UI shows it beside each signal and update).
 */
export function operatorIdentity(): string {
  const configured = process.env.JOBNET_OPERATOR?.trim();
  if (configured) return configured;
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry for the uid (some containers): the host still says where.
  }
  return `${user}@${os.hostname()}`;
}

/**
 * A connected client, or a TemporalUnreachableError that says where we tried. The codec's
 * settings are checked first: a malformed key is bad input, reported before any connection.
 */
export async function connectClient(target: TemporalTarget = temporalTarget()): Promise<Client> {
  const codec = codecSettings();
  const { address, tls, apiKey, metadata } = target.connectionOptions;
  try {
    const connection = await Connection.connect({ address, tls, apiKey, metadata, connectTimeout: '5s' });
    return jobnetClient(connection, target.namespace, codec);
  } catch (error) {
    throw new TemporalUnreachableError(
      `cannot reach Temporal at ${address} (namespace ${target.namespace}): ${(error as Error).message}. ` +
        'Start it with `npm run dev`, or set TEMPORAL_ADDRESS.',
    );
  }
}

/** The OperatorService request that registers jobnet's search attributes (enum codes of the API). */
export function addSearchAttributesRequest(namespace: string, keys: ReadonlyArray<(typeof JOBNET_SEARCH_ATTRIBUTES)[number]> = JOBNET_SEARCH_ATTRIBUTES) {
  const typeCodes: Partial<Record<SearchAttributeType, number>> = { KEYWORD: 2, INT: 3, BOOL: 5, KEYWORD_LIST: 7 };
  return { namespace, searchAttributes: Object.fromEntries(keys.map((key) => [key.name, typeCodes[key.type] ?? 0])) };
}

/**
 * Makes sure the namespace knows jobnet's search attributes; a run that upserts an unknown one
 * would fail its workflow task again and again. Registers missing ones where allowed (dev
 * server), and otherwise says which command an administrator must run.
 */
export async function ensureSearchAttributes(client: Client): Promise<string[]> {
  const { namespace } = client.options;
  const operator = client.connection.operatorService;
  const { customAttributes } = await operator.listSearchAttributes({ namespace });
  const missing = JOBNET_SEARCH_ATTRIBUTES.filter((key) => !(key.name in (customAttributes ?? {})));
  if (missing.length === 0) return [];
  try {
    await operator.addSearchAttributes(addSearchAttributesRequest(namespace, missing));
  } catch (error) {
    const commands = missing.map(
      (key) => `temporal operator search-attribute create --namespace ${namespace} --name ${key.name} --type ${SEARCH_ATTRIBUTE_TYPE_NAMES[key.type]}`,
    );
    throw new Error(
      `search attributes missing in namespace ${namespace} and not registrable by this client (${(error as Error).message}); run:\n  ${commands.join('\n  ')}`,
    );
  }
  return missing.map((key) => key.name);
}
