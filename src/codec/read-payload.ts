import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';

/**
 * A payload a client reads raw from Temporal (heartbeat details in a describe answer, which
 * the SDK hands over undecoded), decoded with the client's own codecs and converter.
 */
export async function readPayload(client: Client, payload: Payload): Promise<unknown> {
  const { payloadCodecs, payloadConverter } = client.options.loadedDataConverter;
  let decoded = [payload];
  for (const codec of [...payloadCodecs].reverse()) decoded = await codec.decode(decoded);
  return payloadConverter.fromPayload(decoded[0]!);
}
