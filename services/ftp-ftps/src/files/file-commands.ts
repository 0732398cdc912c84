import { parentOf, type FileSession } from '@tessera/storage';
import type { Command } from '../control/commands';
import type { FtpConnection } from '../control/ftp-connection';
import { storageReply } from '../control/replies';
import { mlsxLine, timeVal } from './listing';

/** "\"/a \"\"b\"\"\"": RFC 959's quoting of a path in a 257 reply. */
const quoted = (path: string) => `"${path.replace(/"/g, '""')}"`;

/**
 * Runs a file operation for a logged-in connection; storage's refusals become their FTP replies
 * (550, 553, 552, 451), anything else is thrown to the dispatcher (451 and a log line).
 */
function withFiles(run: (files: FileSession, c: FtpConnection, argument: string) => Promise<void>) {
  return async (c: FtpConnection, argument: string): Promise<void> => {
    try {
      await run(c.files!, c, argument);
    } catch (error) {
      const reply = storageReply(error);
      if (!reply) throw error;
      c.send(reply);
    }
  };
}

const pwd = (c: FtpConnection) =>
  c.reply(257, `${quoted(c.files!.currentFolder)} is the current folder`);

const cwd = withFiles(async (files, c, argument) => {
  const now = await files.changeFolder(argument);
  c.reply(250, `the current folder is now ${quoted(now)}`);
});

const cdup = withFiles(async (files, c) => {
  const now = await files.changeFolder('..');
  c.reply(250, `the current folder is now ${quoted(now)}`);
});

const mkd = withFiles(async (files, c, argument) => {
  await files.mkdir(argument);
  c.reply(257, `${quoted(files.virtualPath(argument))} created`);
});

const rmd = withFiles(async (files, c, argument) => {
  await files.rmdir(argument);
  c.reply(250, `${files.virtualPath(argument)} removed`);
});

const dele = withFiles(async (files, c, argument) => {
  await files.remove(argument);
  c.reply(250, `${files.virtualPath(argument)} deleted`);
});

const rnfr = withFiles(async (files, c, argument) => {
  c.renameFrom = null;
  await files.lstat(argument);
  c.renameFrom = files.virtualPath(argument);
  c.reply(350, 'ready for RNTO');
});

const rnto = withFiles(async (files, c, argument) => {
  const from = c.renameFrom;
  c.renameFrom = null;
  if (!from) return c.reply(503, 'RNFR first, then RNTO');
  // As rename(2) and every FTP server on POSIX: an existing target is replaced (storage
  // asks for 'overwrite' then).
  await files.rename(from, argument, { overwrite: true });
  c.reply(250, `renamed to ${files.virtualPath(argument)}`);
});

const size = withFiles(async (files, c, argument) => {
  const entry = await files.stat(argument);
  if (entry.kind !== 'file') return c.reply(550, `${files.virtualPath(argument)}: not a file`);
  c.reply(213, String(entry.size));
});

const mdtm = withFiles(async (files, c, argument) => {
  const entry = await files.stat(argument);
  c.reply(213, timeVal(entry.mtime));
});

const mlst = withFiles(async (files, c, argument) => {
  const path = files.virtualPath(argument);
  const entry = await files.stat(argument);
  const holder = files.privilegesAt(parentOf(path));
  const itself = entry.kind === 'folder' ? files.privilegesAt(path) : undefined;
  c.reply(250, `Listing ${path}\n${mlsxLine(entry, path, { holder, itself })}\nEnd`);
});

const rest = (c: FtpConnection, argument: string) => {
  const offset = Number(argument.trim());
  if (!/^\d{1,15}$/.test(argument.trim()) || !Number.isSafeInteger(offset)) {
    return c.reply(501, 'REST needs a byte offset');
  }
  c.restOffset = offset;
  c.reply(350, `restarting at ${offset}; send STOR or RETR`);
};

export const fileCommands: Record<string, Command> = {
  PWD: { run: pwd },
  XPWD: { run: pwd },
  CWD: { run: cwd },
  XCWD: { run: cwd },
  CDUP: { run: cdup },
  XCUP: { run: cdup },
  MKD: { run: mkd },
  XMKD: { run: mkd },
  RMD: { run: rmd },
  XRMD: { run: rmd },
  DELE: { run: dele },
  RNFR: { run: rnfr },
  RNTO: { run: rnto },
  SIZE: { run: size },
  MDTM: { run: mdtm },
  MLST: { run: mlst },
  REST: { run: rest },
};
