import type { JobnetEvent } from '../events/event-schema';
import { SEVERITY_MARK, factsOf, titleOf, truncate } from './format-common';

/**
 * A Slack incoming-webhook message (Block Kit) an operator can act on from the phone: what
 * happened and how bad in the header, the facts as fields, the message, and buttons to the run
 * in the Temporal Web UI and to the runbook. `text` is the fallback shown in notifications.
 */

/** Block Kit limits (api.slack.com/reference/block-kit/blocks), kept with a margin. */
const HEADER_MAX = 150;
const FIELD_MAX = 2_000;
const SECTION_MAX = 3_000;
const FIELDS_MAX = 10;

interface TextObject {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}

interface Button {
  type: 'button';
  text: TextObject;
  url: string;
  action_id: string;
  style?: 'primary' | 'danger';
}

export type SlackBlock =
  | { type: 'header'; text: TextObject }
  | { type: 'section'; text?: TextObject; fields?: TextObject[] }
  | { type: 'actions'; elements: Button[] }
  | { type: 'context'; elements: TextObject[] };

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** Slack's mrkdwn gives &, < and > a meaning; everything else is shown as written. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export function formatSlack(event: JobnetEvent): SlackMessage {
  const mark = SEVERITY_MARK[event.severity];
  const title = titleOf(event);
  const fields = factsOf(event)
    .filter(([label]) => label !== 'At')
    .slice(0, FIELDS_MAX)
    .map(([label, value]): TextObject => ({ type: 'mrkdwn', text: truncate(`*${label}*\n${escapeMrkdwn(value)}`, FIELD_MAX) }));
  const buttons: Button[] = [
    {
      type: 'button',
      text: { type: 'plain_text', text: 'Open run in Temporal UI' },
      url: event.uiUrl,
      action_id: 'open-run',
      ...(event.severity === 'critical' ? { style: 'danger' as const } : {}),
    },
  ];
  if (event.runbookUrl !== undefined) {
    buttons.push({
      type: 'button',
      text: { type: 'plain_text', text: `Runbook: ${truncate(event.errorType ?? 'error', 60)}` },
      url: event.runbookUrl,
      action_id: 'open-runbook',
    });
  }
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`${mark} ${title}`, HEADER_MAX), emoji: true } },
    { type: 'section', fields },
  ];
  if (event.message.trim() !== '') {
    // Messages are often the tail of a command's stderr: a code block keeps its lines apart.
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `\`\`\`${truncate(escapeMrkdwn(event.message), SECTION_MAX - 6)}\`\`\`` } });
  }
  blocks.push(
    { type: 'actions', elements: buttons },
    { type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(`${event.type} · ${event.at} · ${event.workflowId}`) }] },
  );
  return {
    text: truncate(`${mark} ${event.severity.toUpperCase()}: ${title} (${event.businessDate})${event.message ? `: ${event.message}` : ''}`, SECTION_MAX),
    blocks,
  };
}
