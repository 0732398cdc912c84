import { fileCommands } from '../files/file-commands';
import { transferCommands } from '../data/transfer-commands';
import type { FtpConnection } from './ftp-connection';
import type { Reply } from './replies';
import { sessionCommands } from './session-commands';

export interface Command {
  run(connection: FtpConnection, argument: string): void | Promise<void>;
  /** Answered before a login. */
  beforeLogin?: boolean;
  /** Answered before TLS on a secure-only server (ftp.plain off): the list, no more. */
  beforeTls?: boolean;
}

export const commands: Record<string, Command> = {
  ...sessionCommands,
  ...fileCommands,
  ...transferCommands,
};

/** Secure-only: every command but the few above, USER first of all, before a password can go. */
export const secureFirst: Reply = {
  code: 530,
  text: 'connect securely (AUTH TLS) before logging in: this server does not take passwords in clear',
};

export const notLoggedIn: Reply = { code: 530, text: 'log in with USER and PASS first' };
