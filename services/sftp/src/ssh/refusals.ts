import type { ServerChannel } from 'ssh2';

/** What a client that asks for a shell or a command is told, on its terminal. */
export const sftpOnlyMessage =
  'This server offers SFTP only: shell access and commands are refused.';

/**
 * Answers a channel we will not serve (shell, exec, an over-limit login) with a message on the
 * client's stderr and exit status 1, then closes it. OpenSSH's `ssh` prints the message; a bare
 * channel refusal would only say "request failed on channel 0".
 */
export function refuseWithMessage(channel: ServerChannel, message: string): void {
  channel.stderr.write(`${message}\r\n`);
  channel.exit(1);
  channel.end();
}
