import type { JobnetEvent } from '../events/event-schema';
import { factsOf, titleOf } from './format-common';

/**
 * An e-mail about an event: the subject says severity, job, what happened and the business
 * date, so an inbox list is already a report; the body repeats the facts, the message and the
 * links, as plain text and as simple HTML.
 */
export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (text: string): string => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

export function formatEmail(event: JobnetEvent): EmailContent {
  const title = titleOf(event);
  const facts = factsOf(event);
  const links: [string, string][] = [['Run in Temporal UI', event.uiUrl]];
  if (event.runbookUrl !== undefined) links.push([`Runbook (${event.errorType ?? 'error'})`, event.runbookUrl]);

  const width = Math.max(...facts.map(([label]) => label.length), ...links.map(([label]) => label.length));
  const text = [
    title,
    '',
    ...facts.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${value}`),
    '',
    event.message,
    '',
    ...links.map(([label, url]) => `${`${label}:`.padEnd(width + 2)}${url}`),
    '',
    `-- jobnet · ${event.type} · ${event.workflowId}`,
    '',
  ].join('\n');

  const rows = facts.map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('');
  const html = [
    `<h2>${escapeHtml(title)}</h2>`,
    `<table>${rows}</table>`,
    event.message ? `<pre>${escapeHtml(event.message)}</pre>` : '',
    `<p>${links.map(([label, url]) => `<a href="${escapeHtml(url)}">${escapeHtml(label)}</a>`).join(' · ')}</p>`,
    `<p style="color:#888">jobnet · ${escapeHtml(event.type)} · ${escapeHtml(event.workflowId)}</p>`,
  ].join('\n');

  return { subject: `[jobnet ${event.severity.toUpperCase()}] ${title} (${event.businessDate})`, text, html };
}
