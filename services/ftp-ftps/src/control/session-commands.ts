import { FileSession } from '@tessera/storage';
import { loginOutcomes } from '@tessera/door';
import { mlstFacts } from '../files/listing';
import type { Command } from './commands';
import type { FtpConnection } from './ftp-connection';

const always = { beforeLogin: true, beforeTls: true };

/** What this connection can offer now: FEAT must tell the truth (ftp-srv's did not). */
function tlsOffered(c: FtpConnection): boolean {
  return c.entry === 'implicit' || c.secure || c.door.live()['ftp.explicit-tls'];
}

function feat(c: FtpConnection): void {
  const lines = ['Features:'];
  if (c.entry === 'ftp-port' && !c.secure && c.door.live()['ftp.explicit-tls']) {
    lines.push('AUTH TLS');
  }
  if (tlsOffered(c)) lines.push('PBSZ', 'PROT');
  lines.push(
    'EPSV',
    'PASV',
    'MDTM',
    `MLST ${mlstFacts.map((f) => `${f}*;`).join('')}`,
    'REST STREAM',
    'SIZE',
    'TVFS',
    'UTF8',
    'End',
  );
  c.reply(211, lines.join('\n'));
}

function auth(c: FtpConnection, argument: string): void {
  const mechanism = argument.trim().toUpperCase();
  if (!['TLS', 'SSL', 'TLS-C', 'TLS-P'].includes(mechanism)) {
    return c.reply(504, `AUTH ${mechanism.slice(0, 16)}: only AUTH TLS is offered`);
  }
  if (c.secure) return c.reply(503, 'the connection is already secured by TLS');
  if (c.entry !== 'ftp-port' || !c.door.live()['ftp.explicit-tls']) {
    return c.reply(502, 'AUTH TLS is off on this server (ftp.explicit-tls)');
  }
  c.startTls();
}

function pbsz(c: FtpConnection): void {
  if (!c.secure) return c.reply(503, 'PBSZ needs a secure connection: AUTH TLS first');
  c.reply(200, 'PBSZ=0');
}

function prot(c: FtpConnection, argument: string): void {
  if (!c.secure) return c.reply(503, 'PROT needs a secure connection: AUTH TLS first');
  const level = argument.trim().toUpperCase();
  if (level === 'P') {
    c.protection = 'P';
    return c.reply(200, 'PROT P: data connections are protected by TLS');
  }
  if (level === 'C') {
    if (!c.door.live()['ftp.plain']) {
      return c.reply(534, 'PROT C is refused: this server sends data over TLS only');
    }
    c.protection = 'C';
    return c.reply(200, 'PROT C: data connections are in clear');
  }
  c.reply(504, `PROT ${level.slice(0, 8)}: only C and P are offered`);
}

function user(c: FtpConnection, argument: string): void {
  if (c.user) return c.reply(503, `already logged in as ${c.user.username}`);
  const name = argument.trim();
  if (!name) return c.reply(501, 'USER needs a name');
  c.pendingUser = name;
  c.reply(331, `password required for ${name.slice(0, 64)}`);
}

async function pass(c: FtpConnection, argument: string): Promise<void> {
  if (c.user) return c.reply(503, `already logged in as ${c.user.username}`);
  const username = c.pendingUser;
  if (!username) return c.reply(503, 'USER first, then PASS');
  c.pendingUser = null;
  const protocol = c.protocol;
  const decision = await c
    .attemptsFor(protocol)
    .decide(username, 'password', () =>
      c.door.logins[protocol].withPassword(username, argument, c.remoteAddress),
    );
  if (!loginOutcomes[decision.outcome].accept || !decision.user) {
    const text =
      decision.outcome === 'locked' && decision.detail ? decision.detail : 'login incorrect';
    if (c.loginsExhausted) return c.end({ code: 530, text: `${text}; too many failed logins` });
    return c.reply(530, text);
  }
  const claim = c.door.limits.logIn(decision.user.username);
  if (!claim.granted) {
    c.log.warn({ username: decision.user.username, reason: claim.reason }, 'login over the limit');
    return c.end({ code: 421, text: claim.reason });
  }
  c.loggedIn(decision.user, openFiles(c, decision.user), claim.release);
  c.log.info({ username: decision.user.username, protocol, session: c.sessionId }, 'logged in');
  c.reply(230, `logged in as ${decision.user.username}`);
}

function openFiles(c: FtpConnection, user: NonNullable<FtpConnection['user']>): FileSession {
  return new FileSession({
    homesRoot: c.door.config.paths.homes,
    user,
    protocol: c.protocol,
    remoteAddress: c.remoteAddress,
    notices: c.door.notices,
    maxFileSize: c.door.config.TESSERA_MAX_FILE_SIZE,
    keepPartialUploads: () => c.door.live()['uploads.keep-partial'],
  });
}

function opts(c: FtpConnection, argument: string): void {
  const [option = '', value = ''] = argument.trim().split(/\s+/);
  switch (option.toUpperCase()) {
    case 'UTF8':
    case 'UTF-8':
      return value.toUpperCase() === 'OFF'
        ? c.reply(504, 'names are always UTF-8')
        : c.reply(200, 'UTF-8 is on');
    case 'MLST':
      return c.reply(200, `MLST OPTS ${mlstFacts.join(';')};`);
    default:
      return c.reply(501, `OPTS ${option.slice(0, 16)}: not an option`);
  }
}

function type(c: FtpConnection, argument: string): void {
  const t = argument.trim().toUpperCase();
  // ASCII is accepted and sent as is, as vsftpd does by default: no line-ending rewriting.
  if (['I', 'A', 'L 8', 'A N'].includes(t)) return c.reply(200, `TYPE is now ${t}`);
  c.reply(504, `TYPE ${t.slice(0, 8)}: only I and A`);
}

const helpText = [
  'Commands:',
  'ABOR APPE AUTH CDUP CWD DELE EPSV FEAT HELP LIST MDTM MKD MLSD MLST MODE NLST NOOP',
  'OPTS PASS PASV PBSZ PROT PWD QUIT REST RETR RMD RNFR RNTO SIZE STOR STOU STRU SYST TYPE USER',
  'End',
].join('\n');

export const sessionCommands: Record<string, Command> = {
  FEAT: { ...always, run: feat },
  AUTH: { ...always, run: auth },
  PBSZ: { ...always, run: pbsz },
  PROT: { ...always, run: prot },
  HELP: { ...always, run: (c) => c.reply(214, helpText) },
  NOOP: { ...always, run: (c) => c.reply(200, 'NOOP ok') },
  SYST: { ...always, run: (c) => c.reply(215, 'UNIX Type: L8') },
  QUIT: { ...always, run: (c) => c.end({ code: 221, text: 'goodbye' }) },
  USER: { beforeLogin: true, run: user },
  PASS: { beforeLogin: true, run: pass },
  OPTS: { beforeLogin: true, run: opts },
  TYPE: { run: type },
  MODE: {
    run: (c, a) =>
      a.trim().toUpperCase() === 'S'
        ? c.reply(200, 'MODE S')
        : c.reply(504, 'only MODE S (stream)'),
  },
  STRU: {
    run: (c, a) =>
      a.trim().toUpperCase() === 'F' ? c.reply(200, 'STRU F') : c.reply(504, 'only STRU F (file)'),
  },
  ALLO: { run: (c) => c.reply(202, 'ALLO is not needed here') },
};
