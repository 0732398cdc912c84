import { extensionHandlers } from './extensions';
import { ResponseType, sftpVersion } from './protocol';
import { sshString } from './replies';

/**
 * The VERSION reply to the client's INIT: version 3 and the extensions we answer. This is what
 * ssh2's own SFTP server cannot send (it always answers with no extensions, so OpenSSH's client
 * never learns `limits@openssh.com` and stays at 32 KiB requests) and why this service carries
 * its own SFTP packet layer over ssh2's SSH channel.
 */
export function versionReply(): Buffer {
  const pairs = [...extensionHandlers].flatMap(([name, ext]) => [
    sshString(name),
    sshString(ext.version),
  ]);
  const body = Buffer.concat([Buffer.from([ResponseType.VERSION, 0, 0, 0, sftpVersion]), ...pairs]);
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32BE(body.length, 0);
  return Buffer.concat([length, body]);
}
