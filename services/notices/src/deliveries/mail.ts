import nodemailer from 'nodemailer';
import type { NoticeTrigger, Settings } from '@tessera/contracts';
import { DeliveryFailed } from './webhook';

/** The SMTP settings of the moment (`notices.smtp-*`), followed live. */
export type SmtpSettings = Pick<
  Settings,
  | 'notices.smtp-host'
  | 'notices.smtp-port'
  | 'notices.smtp-security'
  | 'notices.smtp-user'
  | 'notices.smtp-password'
  | 'notices.mail-from'
>;

export interface MailMessage {
  subject: string;
  text: string;
}

/** Sends one message through the configured server; no server configured is a failure to log. */
export async function sendMail(
  smtp: SmtpSettings,
  to: string[],
  message: MailMessage,
  timeoutMs: number,
): Promise<void> {
  const host = smtp['notices.smtp-host'];
  if (!host)
    throw new DeliveryFailed('no SMTP server is set (tessera settings set notices.smtp-host)');
  const security = smtp['notices.smtp-security'];
  const user = smtp['notices.smtp-user'];
  const transport = nodemailer.createTransport({
    host,
    port: smtp['notices.smtp-port'],
    secure: security === 'tls',
    requireTLS: security === 'starttls',
    ignoreTLS: security === 'none',
    ...(user ? { auth: { user, pass: smtp['notices.smtp-password'] ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    await transport.sendMail({ from: smtp['notices.mail-from'], to, ...message });
  } catch (err) {
    throw new DeliveryFailed(`SMTP ${host}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    transport.close();
  }
}

const verbs: Record<NoticeTrigger, string> = {
  uploaded: 'uploaded',
  downloaded: 'downloaded',
  deleted: 'deleted',
  renamed: 'renamed',
  'folder-created': 'created the folder',
  'login-failed': 'failed to log in',
};

/** The template of a trigger: one line per event, and a subject that says what and how many. */
export function mailFor(
  notice: string,
  trigger: NoticeTrigger,
  events: Record<string, unknown>[],
  test: boolean,
): MailMessage {
  const lines = events.map((e) => eventLine(trigger, e));
  const first = events[0] ?? {};
  const what =
    events.length === 1
      ? `${String(first.username)} ${verbs[trigger]} ${trigger === 'login-failed' ? '' : String(first.path)}`.trim()
      : `${events.length} events: ${trigger}`;
  return {
    subject: `${test ? '[test] ' : ''}[Tessera] ${what}`,
    text: [
      `Notice "${notice}" (${trigger})${test ? ': a test message' : ''}`,
      '',
      ...lines,
      '',
      'Sent by Tessera. Change or stop it with `tessera notices`.',
    ].join('\n'),
  };
}

function eventLine(trigger: NoticeTrigger, e: Record<string, unknown>): string {
  const when = String(e.endedAt ?? e.at ?? '');
  const from = e.remoteAddress ? ` from ${String(e.remoteAddress)}` : '';
  const by = `${String(e.username)} (${String(e.protocol)}${from})`;
  switch (trigger) {
    case 'uploaded':
      return `${when}  ${String(e.path)}  ${String(e.size)} bytes  sha256 ${String(e.sha256 ?? 'unknown')}  by ${by}`;
    case 'downloaded':
      return `${when}  ${String(e.path)}  ${String(e.size)} bytes  by ${by}`;
    case 'renamed':
      return `${when}  ${String(e.path)} -> ${String(e.toPath)}  by ${by}`;
    case 'login-failed':
      return `${when}  ${by}: ${String(e.reason)}`;
    default:
      return `${when}  ${String(e.path)}  by ${by}`;
  }
}
