import { createHash } from 'node:crypto';
import type { ServerChannel } from 'ssh2';
import type { ChecksumAlgorithm, FileSession } from '@tessera/storage';

/**
 * The only commands the door answers besides the sftp subsystem: `md5sum`, `sha1sum`,
 * `sha256sum` and `sha512sum`, with one file or none (standard input). rclone compares files by
 * asking these over SSH; without them it finds no common hash and `rclone check` can only
 * compare sizes. Nothing runs a shell: the command line is parsed here, and anything else
 * (options, several files, pipes, variables) is refused like any other command.
 */
const commands: Record<string, ChecksumAlgorithm> = {
  md5sum: 'md5',
  sha1sum: 'sha1',
  sha256sum: 'sha256',
  sha512sum: 'sha512',
};

export interface HashCommand {
  algorithm: ChecksumAlgorithm;
  /** The file, as the client named it; none means standard input. */
  path?: string;
}

/** rclone hashes its empty standard input to check the command works: more is not needed. */
const maxInputBytes = 64 * 1024;

export function parseHashCommand(line: string): HashCommand | null {
  const words = shellWords(line);
  const algorithm = words && commands[words[0] ?? ''];
  if (!words || !algorithm || words.length > 2) return null;
  const path = words[1];
  if (path === undefined) return { algorithm };
  if (path.startsWith('-') || path === '') return null;
  return { algorithm, path };
}

/**
 * The words of a command line as a POSIX shell splits them, with quotes and backslashes, or null
 * when it holds anything a shell would expand or act on ($, `, *, ?, ;, |, &, <, >, ...).
 */
export function shellWords(line: string): string[] | null {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === ' ' || c === '\t') {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return null;
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      const quoted = doubleQuoted(line, i + 1);
      if (!quoted) return null;
      word = (word ?? '') + quoted.text;
      i = quoted.end;
    } else if (c === '\\') {
      if (i + 1 >= line.length) return null;
      word = (word ?? '') + line[++i];
    } else if (/[$`*?[\]{}();|&<>~#!\n\r]/.test(c)) {
      return null;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/** Inside "...": backslash escapes only $ ` " \ and newline; $ and ` would expand. */
function doubleQuoted(line: string, from: number): { text: string; end: number } | null {
  let text = '';
  for (let i = from; i < line.length; i++) {
    const c = line[i] as string;
    if (c === '"') return { text, end: i };
    if (c === '$' || c === '`') return null;
    if (c === '\\' && /[$`"\\]/.test(line[i + 1] ?? '')) text += line[++i];
    else text += c;
  }
  return null;
}

/** Answers like coreutils: "<hex>  <name>" and exit 0, or a message on stderr and exit 1. */
export async function runHashCommand(
  channel: ServerChannel,
  command: HashCommand,
  files: FileSession,
): Promise<void> {
  try {
    const digest =
      command.path === undefined
        ? await digestInput(channel, command.algorithm)
        : await files.checksum(command.path, command.algorithm);
    channel.write(`${digest}  ${command.path ?? '-'}\n`);
    channel.exit(0);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    channel.stderr.write(`${command.path ?? '-'}: ${reason}\n`);
    channel.exit(1);
  }
  channel.end();
}

function digestInput(channel: ServerChannel, algorithm: ChecksumAlgorithm): Promise<string> {
  const hash = createHash(algorithm);
  let read = 0;
  return new Promise((resolve, reject) => {
    channel.on('data', (chunk: Buffer) => {
      read += chunk.length;
      if (read > maxInputBytes) reject(new Error(`more than ${maxInputBytes} bytes of input`));
      else hash.update(chunk);
    });
    channel.once('end', () => resolve(hash.digest('hex')));
    channel.once('close', () => reject(new Error('the channel closed')));
  });
}
