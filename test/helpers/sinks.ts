/**
 * Real receivers for notifications, on loopback, started by the tests: an HTTP server that
 * plays a Slack incoming webhook and a generic JSON webhook, and an SMTP server (smtp-server).
 * They record exactly what arrives, so a test can say "this channel got this event once".
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { jobnetEventSchema, type JobnetEvent, type JobnetEventInput } from '../../src/events/event-schema';

export interface HttpDelivery {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** How the HTTP sink answers: accept, answer with a status (500 = down, 404 = revoked webhook), or refuse connections. */
export type HttpSinkMode = 'up' | 'refuse' | { status: number };

export class HttpSink {
  readonly deliveries: HttpDelivery[] = [];
  /** Requests answered with an error status, by path. */
  readonly rejected: HttpDelivery[] = [];
  private server: http.Server | undefined;
  private port = 0;
  private mode: HttpSinkMode = 'up';

  async start(): Promise<void> {
    await this.listen();
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Deliveries that arrived at `path` (one channel). */
  at(path: string): HttpDelivery[] {
    return this.deliveries.filter((delivery) => delivery.path === path);
  }

  async setMode(mode: HttpSinkMode): Promise<void> {
    const wasRefusing = this.mode === 'refuse';
    this.mode = mode;
    // Refusing is real: nothing listens on the port, so a connection attempt gets ECONNREFUSED.
    if (mode === 'refuse' && !wasRefusing) await this.close();
    if (mode !== 'refuse' && wasRefusing) await this.listen(this.port);
  }

  async stop(): Promise<void> {
    await this.close();
  }

  private listen(port = 0): Promise<void> {
    const server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // Kept as text: the test then fails on the body's shape, with the text to read.
        }
        const delivery = { path: request.url ?? '', headers: request.headers, body };
        const mode = this.mode;
        if (mode === 'up') {
          this.deliveries.push(delivery);
          response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        } else {
          this.rejected.push(delivery);
          response.writeHead(mode === 'refuse' ? 503 : mode.status, { 'content-type': 'text/plain' }).end('sink is down');
        }
      });
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        this.port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}

export interface MailDelivery {
  from: string;
  to: string[];
  subject: string;
  messageId: string;
  raw: string;
}

/** A plain SMTP server (no TLS, no AUTH) that keeps every message it accepts. */
export class SmtpSink {
  readonly messages: MailDelivery[] = [];
  /** Recipients answered with 550 (a mailbox that does not exist), to test permanent refusals. */
  readonly refusedRecipients = new Set<string>();
  private readonly server: SMTPServer;
  private port = 0;

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        if (this.refusedRecipients.has(address.address)) {
          callback(Object.assign(new Error(`mailbox ${address.address} does not exist`), { responseCode: 550 }));
          return;
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          this.messages.push({
            from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((address) => address.address),
            subject: header(raw, 'subject'),
            messageId: header(raw, 'message-id'),
            raw,
          });
          callback();
        });
      },
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A header of a raw message, unfolded (long headers continue on indented lines). */
function header(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const match = new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(head);
  return match?.[1]?.replace(/\r?\n[ \t]+/g, ' ').trim() ?? '';
}

/** An event as a job run raises it, for tests of what the sinks receive. */
export function sampleEvent(overrides: Partial<JobnetEventInput> = {}): JobnetEvent {
  return jobnetEventSchema.parse({
    type: 'failed',
    severity: 'critical',
    job: 'BATCH-001',
    workflowId: 'BATCH-001@2026-12-01',
    runId: '0192-run',
    namespace: 'default',
    businessDate: '2026-12-01',
    at: '2026-12-01T18:03:12.000Z',
    message: 'deadlock detected while updating <Rankings> & friends',
    errorType: 'DeadlockError',
    attempt: 3,
    uiUrl: 'http://localhost:8233/namespaces/default/workflows/BATCH-001%402026-12-01/0192-run',
    runbookUrl: 'https://wiki.example/runbooks/deadlock',
    ...overrides,
  });
}
