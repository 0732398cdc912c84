import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { noticeWebhookBodySchema, type NoticeWebhookBody } from '@tessera/contracts';

export interface WebhookCall {
  deliveryId: string;
  signatureValid: boolean;
  body: NoticeWebhookBody;
}

/** A real HTTP receiver that checks each call's signature as a customer's would. */
export class WebhookReceiver {
  readonly calls: WebhookCall[] = [];
  private server = this.makeServer();
  port = 0;

  constructor(private readonly secret: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Down: the port refuses connections until `listen` again. */
  async down(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
    this.server = this.makeServer();
  }

  close(): Promise<void> {
    return this.down();
  }

  private makeServer() {
    return http.createServer((req, res) => {
      // A sender killed mid-call (a test does that) resets the connection: not the receiver's fault.
      req.on('error', () => undefined);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        const header = String(req.headers['tessera-signature'] ?? '');
        this.calls.push({
          deliveryId: String(req.headers['tessera-delivery']),
          signatureValid: verify(this.secret, header, text),
          body: noticeWebhookBodySchema.parse(JSON.parse(text)),
        });
        res.writeHead(204).end();
      });
    });
  }
}

/** Stripe's check: t and v1 from the header, HMAC over "t.body", compared in constant time. */
export function verify(secret: string, header: string, body: string): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2)));
  const t = Number(parts.t);
  if (!parts.v1 || !Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(String(parts.v1), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server (smtp-server) that keeps every message. */
export class MailReceiver {
  readonly mails: ReceivedMail[] = [];
  port = 0;
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData: (stream, session, done) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        this.mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString(),
        });
        done();
      });
    },
  });

  async listen(): Promise<void> {
    // smtp-server emits a connection's reset (a sender killed mid-mail, as a test does) as an
    // 'error' event, which would otherwise throw in the test process.
    this.server.on('error', () => undefined);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
