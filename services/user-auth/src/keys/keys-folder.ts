import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { usernameSchema } from '@tessera/contracts';
import type { Logger } from '@tessera/config';
import type { PrismaClient } from '@tessera/db';
import type { AnnounceAccountChange } from '../accounts/account-changes';
import { KeyLineError, parsePublicKeyLine, type ParsedPublicKey } from './public-key-line';

/**
 * Rumpus compatibility: `<data>/sshkeys/<username>.pub` holds one or more key lines for that user.
 * The folder is the truth for keys that came from it: a key added to a file starts working, one
 * removed from it (or a deleted file) stops, with no restart. Keys added by the CLI are left alone.
 *
 * Changes are seen by a short poll (watch events are a hint only: they are unreliable on network
 * and container volumes), and a login with an unknown key re-reads that user's file at once.
 */
/** The file a user's keys-folder keys are read from. */
export function keysFolderFile(dir: string, username: string): string {
  return path.join(dir, `${username}.pub`);
}

export class KeysFolder {
  private applied = new Map<string, string>();
  private reported = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private watcher?: FSWatcher;

  constructor(
    private readonly dir: string,
    private readonly prisma: PrismaClient,
    private readonly logger: Logger,
    /** Keys dropped from a file are announced: sessions logged in with them end. */
    private readonly announce: AnnounceAccountChange = async () => undefined,
    private readonly pollMs = 2000,
  ) {}

  async start(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await this.syncAll();
    this.timer = setInterval(() => void this.syncAll(), this.pollMs);
    try {
      this.watcher = watch(this.dir, () => void this.syncAll());
    } catch {
      this.logger.warn({ dir: this.dir }, 'cannot watch the keys folder; relying on polling');
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.watcher?.close();
  }

  /** Re-reads every file; one pass at a time so two passes never race on the same rows. */
  syncAll(): Promise<void> {
    return this.serial(async () => {
      const names = await this.userFiles();
      for (const username of names) await this.syncFile(username);
      await this.forgetRemovedFiles(names);
    });
  }

  /** Re-reads one user's file now: a key dropped a moment ago logs in at once. */
  syncUser(username: string): Promise<void> {
    return this.serial(() => this.syncFile(username, true));
  }

  private serial(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work).catch((err: unknown) => {
      this.logger.error({ err }, 'keys folder sync failed');
    });
    this.queue = next;
    return next;
  }

  private async userFiles(): Promise<string[]> {
    const entries = await readdir(this.dir).catch(() => [] as string[]);
    const names: string[] = [];
    for (const entry of entries.filter((e) => e.endsWith('.pub'))) {
      const username = entry.slice(0, -'.pub'.length);
      if (usernameSchema.safeParse(username).success) names.push(username);
      else this.reportOnce(entry, 'name', 'keys folder file name is not a valid username; ignored');
    }
    return names;
  }

  private async syncFile(username: string, force = false): Promise<void> {
    const file = keysFolderFile(this.dir, username);
    const version = await stat(file).then(
      (s) => `${s.mtimeMs}:${s.size}`,
      () => 'missing',
    );
    if (!force && this.applied.get(username) === version) return;
    const user = await this.prisma.user.findUnique({ where: { username }, select: { id: true } });
    if (!user) {
      if (version !== 'missing')
        this.reportOnce(file, version, 'keys folder file for an unknown user; ignored');
      return;
    }
    const keys = version === 'missing' ? [] : await this.readKeys(file, version);
    await this.apply(user.id, username, keys);
    this.applied.set(username, version);
  }

  private async readKeys(file: string, version: string): Promise<ParsedPublicKey[]> {
    const lines = (await readFile(file, 'utf8')).split(/\r?\n/);
    const keys: ParsedPublicKey[] = [];
    lines.forEach((line, index) => {
      if (!line.trim() || line.trimStart().startsWith('#')) return;
      try {
        keys.push(parsePublicKeyLine(line));
      } catch (err) {
        if (!(err instanceof KeyLineError)) throw err;
        this.reportOnce(
          `${file}:${index + 1}`,
          version,
          `keys folder line refused: ${err.message}`,
        );
      }
    });
    return keys;
  }

  private async apply(userId: string, username: string, keys: ParsedPublicKey[]): Promise<void> {
    const wanted = new Set(keys.map((k) => k.fingerprint));
    const dropped = { userId, source: 'keys-folder', fingerprint: { notIn: [...wanted] } };
    const gone = await this.prisma.publicKey.findMany({
      where: dropped,
      select: { fingerprint: true },
    });
    if (gone.length) {
      await this.prisma.publicKey.deleteMany({ where: dropped });
      const fingerprints = gone.map((k) => k.fingerprint);
      this.logger.info({ username, fingerprints }, 'keys dropped from the keys folder');
      await this.announce(username, ['key-removed'], fingerprints);
    }
    for (const key of keys) {
      const holder = await this.prisma.publicKey.findUnique({
        where: { fingerprint: key.fingerprint },
      });
      if (!holder) {
        await this.prisma.publicKey.create({ data: { ...key, userId, source: 'keys-folder' } });
        this.logger.info(
          { username, fingerprint: key.fingerprint },
          'key picked up from the keys folder',
        );
      } else if (holder.userId !== userId) {
        this.reportOnce(
          key.fingerprint,
          username,
          `key ${key.fingerprint} in ${username}.pub belongs to another user; ignored`,
        );
      }
    }
  }

  /** Users whose file disappeared lose the keys that came from it. */
  private async forgetRemovedFiles(present: string[]): Promise<void> {
    const gone = await this.prisma.publicKey.findMany({
      where: { source: 'keys-folder', user: { username: { notIn: present } } },
      select: { user: { select: { username: true } } },
      distinct: ['userId'],
    });
    for (const { user } of gone) await this.syncFile(user.username, true);
  }

  private reportOnce(subject: string, version: string, message: string): void {
    if (this.reported.get(subject) === version) return;
    this.reported.set(subject, version);
    this.logger.warn({ file: subject }, message);
  }
}
