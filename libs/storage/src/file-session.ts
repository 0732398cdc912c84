import { randomBytes } from 'node:crypto';
import { constants, promises as fs, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import type { Privilege, Protocol } from '@tessera/contracts';
import { digestOf, type ChecksumAlgorithm } from './checksum';
import { DownloadTransfer } from './download';
import { toEntry, type FileEntry } from './entries';
import { errnoOf, fromFsError, StorageError } from './errors';
import { Jail } from './jail';
import { now, Reporter, type NoticeSink } from './notices';
import {
  baseName,
  isAtOrBelow,
  isUploadTempName,
  normaliseVirtualPath,
  parentOf,
  uploadTempPrefix,
} from './paths';
import {
  hasPrivilege,
  hasRulesAtOrBelow,
  privilegesAt,
  type EffectivePrivileges,
  type PrivilegeSubject,
} from './privileges';
import {
  processHomeUsages,
  sizeOfFile,
  type HomeUsages,
  type Quota,
  type QuotaCharge,
} from './quota';
import { checkStaged, hashStaged, moveInto } from './staged';
import { UploadTransfer, type UploadResult } from './upload';

export interface FileSessionUser extends PrivilegeSubject {
  username: string;
  /** Relative to `homesRoot`, e.g. "alice" or "customers/acme". */
  homeFolder: string;
  /** The most bytes the home folder may hold (see quota.ts); null or absent: no quota. */
  quotaBytes?: number | null;
}

export interface FileSessionOptions {
  /** The storage root's homes folder (`<TESSERA_DATA_DIR>/homes`). */
  homesRoot: string;
  user: FileSessionUser;
  protocol: Protocol;
  remoteAddress?: string;
  notices?: NoticeSink;
  /** The size one file may reach (TESSERA_MAX_FILE_SIZE): writes past it are refused at once. */
  maxFileSize: number;
  /** Where homes' usage is counted: by default one count per process (see quota.ts). */
  homeUsages?: HomeUsages;
  /**
   * Asked when an upload is cut (`uploads.keep-partial`, live): true leaves what arrived under
   * the real name, reported as incomplete, for a later resume. Default: never (atomic uploads).
   */
  keepPartialUploads?: () => boolean;
  /**
   * Where resumable web uploads (tus) are staged, outside the homes on the same data volume:
   * `adoptStaged` takes files from there only.
   */
  stagingRoot?: string;
}

/**
 * What a client means to do with a file it writes, in no protocol's words: each door maps its
 * own verbs here, and the session decides once how the file is opened and what that needs.
 * - 'create': a new file, or a whole replacement of an existing one (FTP STOR, SFTP
 *   WRITE|CREAT|TRUNC): written under a temporary name, put in place when complete;
 * - 'create-exclusive': only if the name is free (FTP STOU-like, SFTP CREAT|EXCL), atomic;
 * - 'overwrite': a whole replacement of a file that must exist (SFTP TRUNC without CREAT);
 * - 'resume': written in place from `offset` (default: the end) (FTP REST+STOR, SFTP WRITE
 *   without TRUNC); `createMissing` makes a new file (as 'create') when there is none;
 * - 'append': every write at the end, whatever position it names (FTP APPE, SFTP APPEND);
 * - 'read-write': the file itself, read and written in place (SFTP READ|WRITE).
 * `append` on the creating kinds puts writes in arrival order (SFTP CREAT|TRUNC|APPEND).
 */
export type WriteIntent =
  | { kind: 'create' | 'create-exclusive' | 'overwrite'; append?: boolean }
  | { kind: 'resume'; offset?: number; createMissing?: boolean }
  | { kind: 'append'; createMissing?: boolean }
  | ({ kind: 'read-write' } & OpenReadWriteOptions);

export type OpenWriteOptions =
  /**
   * A new file under a temporary name, put in place at commit. `exclusive`: only when the name
   * is free, decided at commit by a hard link that fails when the name exists (atomic).
   */
  | { mode: 'create'; exclusive?: boolean; append?: boolean }
  /** Writes in place into an existing file from `offset` (default: its end). */
  | { mode: 'resume'; offset?: number; append?: boolean };

/** How a read-write open treats the file (SFTP's CREAT, EXCL, TRUNC and APPEND flags). */
export interface OpenReadWriteOptions {
  /** Create the file when it is missing (needs 'upload'). */
  create: boolean;
  /** Create it only if it is missing: O_EXCL on the real name. */
  exclusive: boolean;
  /** Cut the existing content at once. */
  truncate: boolean;
  /** Every write goes to the end of the file. */
  append: boolean;
}

// O_NOFOLLOW: never open through a link swapped in as the last name. O_NONBLOCK: a FIFO planted
// in a home must not hang the open (it has no effect on regular files).
const readFlags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
// Read and write, also to resume: a file rewritten whole in place can be read back to hash it.
const readWriteFlags = constants.O_RDWR | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const resumeFlags = readWriteFlags;
const createInPlaceFlags = readWriteFlags | constants.O_CREAT | constants.O_EXCL;
// Read and write: an upload whose writes came out of order is read back to hash it.
const tempFlags = constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** A resolved path and the virtual folders whose rules govern it. */
interface Place {
  vp: string;
  real: string;
  /** The folder the client named and, when a link inside the home leads elsewhere, the real one. */
  folders: string[];
}

/**
 * One login's view of its home folder: the one place where SFTP, FTP/FTPS and the web resolve
 * paths, check privileges and touch files. Paths are virtual ("/reports/q3.pdf"); relative ones
 * count from "/". Each operation checks the privilege first (so a refusal says nothing about what
 * exists), then acts, then reports to the notice sink.
 *
 * The privilege that governs an item is the one of the folder it lives in; listing a folder is
 * governed by that folder itself (as in SFTPGo). When a link inside the home leads to another
 * folder, the privilege must hold in both places: a link cannot lead around a folder rule.
 */
export class FileSession {
  private jail: Jail;
  private readonly reporter: Reporter;
  private quota: Quota;
  private cwd = '/';
  private readonly options: FileSessionOptions;

  constructor(options: FileSessionOptions) {
    const { user, protocol, remoteAddress, notices } = options;
    this.options = { ...options };
    this.jail = new Jail(options.homesRoot, user.homeFolder);
    this.reporter = new Reporter({ username: user.username, protocol, remoteAddress }, notices);
    this.quota = this.quotaOf(user);
  }

  /** A quota'd home is measured as the session starts (only then), so uploads need not wait. */
  private quotaOf(user: FileSessionUser): Quota {
    const usages = this.options.homeUsages ?? processHomeUsages;
    return usages.quotaFor(() => this.jail.home(), user.quotaBytes);
  }

  get username(): string {
    return this.options.user.username;
  }

  /** The current folder (FTP's PWD): relative paths count from it. "/" is the home. */
  get currentFolder(): string {
    return this.cwd;
  }

  /**
   * Moves the current folder (FTP's CWD, CDUP) to an existing folder, never above the home, and
   * answers where it now is. Looking needs what `stat` needs: 'list' on the parent.
   */
  async changeFolder(input: string): Promise<string> {
    const { vp, real } = await this.locate(input, ['list'], 'parent', { followFinal: true });
    const stats = await attempt(vp, () => fs.stat(real));
    if (!stats.isDirectory()) throw new StorageError('not-a-folder', vp);
    this.cwd = vp;
    return vp;
  }

  /**
   * The operator changed the account (privileges, folder set, home): every request from now on
   * is checked against `user` (and its quota). Files already open stay open where they are.
   */
  useUser(user: FileSessionUser): void {
    if (user.username !== this.options.user.username) {
      throw new Error(`a session of ${this.options.user.username} cannot become ${user.username}`);
    }
    const before = this.options.user;
    if (user.homeFolder !== before.homeFolder) {
      this.jail = new Jail(this.options.homesRoot, user.homeFolder);
      this.cwd = '/'; // the old current folder was in the old home
    }
    this.options.user = user;
    if (user.homeFolder !== before.homeFolder || user.quotaBytes !== before.quotaBytes) {
      this.quota = this.quotaOf(user);
    }
  }

  /** The privileges at a path, e.g. for MLSD "perm" facts or the web's buttons. */
  privilegesAt(input: string): EffectivePrivileges {
    return privilegesAt(this.options.user, this.virtualPath(input));
  }

  /** A client's path as a clean virtual path, relative ones counted from the current folder. */
  virtualPath(input: string): string {
    return normaliseVirtualPath(input, this.cwd);
  }

  /** The entry at a path, following links that stay in the home. Needs 'list' on the parent. */
  async stat(input: string): Promise<FileEntry> {
    const { vp, real } = await this.locate(input, ['list'], 'parent', { followFinal: true });
    return toEntry(nameOf(vp), await attempt(vp, () => fs.stat(real)));
  }

  /** Like stat, but a link is described itself. Needs 'list' on the parent. */
  async lstat(input: string): Promise<FileEntry> {
    const { vp, real } = await this.locate(input, ['list'], 'parent', { followFinal: false });
    return toEntry(nameOf(vp), await attempt(vp, () => fs.lstat(real)));
  }

  /** A folder's entries (links described as links), without in-progress uploads. Needs 'list'. */
  async list(input: string): Promise<FileEntry[]> {
    const { vp, real } = await this.locate(input, ['list'], 'self', { followFinal: true });
    const names = await attempt(vp, () => fs.readdir(real));
    const entries = await Promise.all(
      names
        .filter((name) => !isUploadTempName(name))
        .map((name) =>
          fs.lstat(path.join(real, name)).then(
            (stats) => toEntry(name, stats),
            () => null, // gone since readdir: leave it out
          ),
        ),
    );
    return entries.filter((entry): entry is FileEntry => entry !== null);
  }

  /**
   * The canonical virtual path (links inside the home resolved). Needs no privilege: SFTP clients
   * ask for it before anything else. The path need not exist.
   */
  async realpath(input: string): Promise<string> {
    const vp = this.virtualPath(input);
    return this.jail.toVirtual(await this.jail.resolve(vp, { followFinal: true }));
  }

  /** Creates one folder (not its parents). Needs 'create-folders' on the parent. */
  async mkdir(input: string): Promise<void> {
    const startedAt = now();
    const { vp, real } = await this.locate(input, ['create-folders'], 'parent', noFollow);
    if (vp === '/') throw new StorageError('already-exists', vp);
    await attempt(vp, () => fs.mkdir(real, { mode: 0o755 }));
    await this.reporter.folderCreated({ path: vp, startedAt });
  }

  /** Removes an empty folder. Needs 'delete-folders' on the parent. */
  async rmdir(input: string): Promise<void> {
    const { vp, real } = await this.locate(input, ['delete-folders'], 'parent', noFollow);
    if (vp === '/') throw new StorageError('permission-denied', vp, 'the home folder itself stays');
    await attempt(vp, () => fs.rmdir(real));
  }

  /** Removes a file (or a link itself, never its target). Needs 'delete-files' on the parent. */
  async remove(input: string): Promise<void> {
    const startedAt = now();
    const { vp, real } = await this.locate(input, ['delete-files'], 'parent', noFollow);
    if ((await attempt(vp, () => fs.lstat(real))).isDirectory()) {
      throw new StorageError('is-a-folder', vp);
    }
    const size = await sizeOfFile(real);
    await attempt(vp, () => fs.unlink(real));
    this.quota.freed(size);
    await this.reporter.deleted({ path: vp, startedAt });
  }

  /**
   * Moves a file or folder. Needs 'rename' on both parents, and 'overwrite' on the target's
   * parent to replace an existing target (only when asked to). A folder with folder rules at or
   * below it (or at or below the target) is not moved: the rules would silently change meaning.
   */
  async rename(fromInput: string, toInput: string, { overwrite = false } = {}): Promise<void> {
    const startedAt = now();
    const from = this.virtualPath(fromInput);
    const to = this.virtualPath(toInput);
    this.require(['rename'], [parentOf(from)], from); // both before touching the disk
    this.require(['rename'], [parentOf(to)], to);
    if (from === '/' || to === '/') {
      throw new StorageError('permission-denied', '/', 'the home folder itself cannot be renamed');
    }
    const source = await this.locate(from, ['rename'], 'parent', noFollow);
    const target = await this.locate(to, ['rename'], 'parent', noFollow);
    const sourceStats = await attempt(from, () => fs.lstat(source.real));
    if (sourceStats.isDirectory()) {
      this.assertFolderMayMove(from, to);
      // Also where the paths really are, when a link on the way leads elsewhere in the home.
      const landedFrom = await this.jail.toVirtual(source.real);
      this.assertFolderMayMove(landedFrom, await this.jail.toVirtual(target.real));
    }
    if (from !== to && (await lstatOrNull(target.real, to))) {
      if (!overwrite) throw new StorageError('already-exists', to);
      this.require(['overwrite'], target.folders, to);
    }
    const replaced = from === to ? 0 : await sizeOfFile(target.real);
    await attempt(from, () => fs.rename(source.real, target.real));
    this.quota.freed(replaced);
    await this.reporter.renamed({ path: from, toPath: to, startedAt });
  }

  /**
   * Sets access and modification times (SFTP setstat, FTP MFMT, `put -p`). Changing a file's
   * metadata is a kind of writing it, so this needs 'upload' or 'overwrite' on the parent.
   */
  async setTimes(input: string, atime: Date, mtime: Date): Promise<void> {
    const { vp, real } = await this.locate(input, ['upload', 'overwrite'], 'parent', {
      followFinal: true,
    });
    await attempt(vp, () => fs.utimes(real, atime, mtime));
  }

  /**
   * Cuts or extends a file to `size` (SFTP SETSTAT with a size). Changing bytes that are there
   * is rewriting them: this needs 'overwrite' on the parent, and stays within the limit per file.
   * The size the file already has changes nothing, and needs only what `setTimes` needs (lftp
   * sends size and mtime together).
   */
  async truncate(input: string, size: number): Promise<void> {
    const place = await this.locate(input, ['upload', 'overwrite'], 'parent', {
      followFinal: true,
    });
    const { vp, real, folders } = place;
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new StorageError('io-error', vp, 'a size is a whole, non-negative number');
    }
    if (size > this.options.maxFileSize) throw new StorageError('too-large', vp);
    const handle = await attempt(vp, () => fs.open(real, resumeFlags));
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw notARegularFile(vp, stats);
      if (stats.size === size) return;
      this.require(['overwrite'], folders, vp);
      const quota = await this.quota.charge(vp, stats.size);
      try {
        quota.resizeTo(size); // an extension claims its holes: refused past the quota
        await handle.truncate(size);
      } finally {
        quota.close();
      }
    } catch (error) {
      throw fromFsError(error, vp);
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  /** Opens a file for reading. Needs 'download' on the parent. */
  async openRead(input: string): Promise<DownloadTransfer> {
    const { vp, real } = await this.locate(input, ['download'], 'parent', { followFinal: true });
    const handle = await attempt(vp, () => fs.open(real, readFlags));
    const stats = await handle.stat().catch(async (error: unknown) => {
      await handle.close();
      throw fromFsError(error, vp);
    });
    if (!stats.isFile()) {
      await handle.close();
      throw notARegularFile(vp, stats);
    }
    return new DownloadTransfer(vp, stats.size, handle, this.reporter);
  }

  /**
   * A file's digest, for clients that compare files instead of downloading them (rclone asks
   * `md5sum`). Needs 'download' on the parent, as reading it would, but is not a download: no
   * notice is sent.
   */
  async checksum(input: string, algorithm: ChecksumAlgorithm): Promise<string> {
    const { vp, real } = await this.locate(input, ['download'], 'parent', { followFinal: true });
    const handle = await attempt(vp, () => fs.open(real, readFlags));
    try {
      const stats = await attempt(vp, () => handle.stat());
      if (!stats.isFile()) throw notARegularFile(vp, stats);
      return await attempt(vp, () => digestOf(handle, algorithm));
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  /**
   * Opens a file to write it as the client means to (see WriteIntent), deciding here, once for
   * every door, between a fresh upload, a replacement, writing in place and appending.
   */
  async openUpload(input: string, intent: WriteIntent): Promise<UploadTransfer> {
    switch (intent.kind) {
      case 'create':
      case 'create-exclusive':
      case 'overwrite':
        return this.openCreate(input, {
          exclusive: intent.kind === 'create-exclusive',
          mustExist: intent.kind === 'overwrite',
          append: intent.append ?? false,
        });
      case 'resume':
        return this.openExisting(input, intent.offset, false, intent.createMissing ?? false);
      case 'append':
        return this.openExisting(input, undefined, true, intent.createMissing ?? false);
      case 'read-write':
        return this.openReadWrite(input, intent);
    }
  }

  /**
   * Writes into the file in place ('resume'), or creates it when it is missing and the client
   * asked for that. Asks for a privilege that could allow the open before looking at the disk,
   * so a refusal says nothing about what exists, also to a user who may not list.
   */
  private async openExisting(
    input: string,
    offset: number | undefined,
    append: boolean,
    createMissing: boolean,
  ): Promise<UploadTransfer> {
    const vp = this.virtualPath(input);
    this.require(createMissing ? ['append', 'upload'] : ['append'], [parentOf(vp)], vp);
    const target = await this.jail.resolve(vp, { followFinal: true });
    if (await lstatOrNull(target, vp)) return this.openResume(vp, offset, append);
    if (!createMissing) throw new StorageError('not-found', vp);
    return this.openCreate(vp, { exclusive: false, mustExist: false, append });
  }

  /**
   * Opens a file for writing. 'create' needs 'upload' on the parent, plus 'overwrite' when the
   * file exists; 'resume' needs 'append', plus 'overwrite' to write below the current end.
   */
  async openWrite(input: string, options: OpenWriteOptions): Promise<UploadTransfer> {
    const append = options.append ?? false;
    return options.mode === 'resume'
      ? this.openResume(input, options.offset, append)
      : this.openCreate(input, { exclusive: options.exclusive ?? false, mustExist: false, append });
  }

  /**
   * Opens a file to read and write it in place (SFTP READ|WRITE: sshfs, editors saving in place).
   * Needs 'download' on the parent, and 'overwrite' for an existing file or 'upload' to create
   * one. There is no temporary file: writes land in the file itself, as in a local file system.
   */
  async openReadWrite(input: string, options: OpenReadWriteOptions): Promise<UploadTransfer> {
    const place = await this.locate(input, ['download'], 'parent', { followFinal: true });
    const { vp, real } = place;
    if (vp === '/') throw new StorageError('is-a-folder', vp);
    const opened = await this.openInPlace(place, options);
    const { handle, created } = opened;
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw notARegularFile(vp, stats);
      if (options.truncate && stats.size > 0) await handle.truncate(0);
      const size = options.truncate ? 0 : stats.size;
      const quota = await this.quota.charge(vp, stats.size);
      quota.resizeTo(size);
      return new UploadTransfer({
        ...this.uploadBasics(vp, handle, quota),
        mode: 'in-place',
        startsEmpty: created || size === 0,
        append: options.append,
        readable: true,
        tempPath: null,
        offset: options.append ? size : 0,
        writeFloor: 0,
        finish: async () => undefined, // the bytes are already in place
      });
    } catch (error) {
      await handle.close();
      if (created) await fs.rm(real, { force: true }).catch(() => undefined);
      throw fromFsError(error, vp);
    }
  }

  /** The existing file (with 'overwrite'), or a new one made atomically with O_EXCL ('upload'). */
  private async openInPlace(
    place: Place,
    { create, exclusive }: OpenReadWriteOptions,
  ): Promise<{ handle: FileHandle; created: boolean }> {
    const { vp, real, folders } = place;
    if (!exclusive) {
      try {
        const handle = await fs.open(real, readWriteFlags);
        if (!this.allows(['overwrite'], folders)) {
          await handle.close();
          this.require(['overwrite'], folders, vp);
        }
        return { handle, created: false };
      } catch (error) {
        if (errnoOf(error) !== 'ENOENT' || !create) throw fromFsError(error, vp);
      }
    }
    if (!create) throw new StorageError('not-found', vp);
    this.require(['upload'], folders, vp);
    const handle = await attempt(vp, () => fs.open(real, createInPlaceFlags, 0o644));
    return { handle, created: true };
  }

  private uploadBasics(virtualPath: string, handle: FileHandle, quota: QuotaCharge) {
    return {
      virtualPath,
      handle,
      quota,
      maxSize: this.options.maxFileSize,
      reporter: this.reporter,
      keepPartial: this.options.keepPartialUploads ?? (() => false),
    };
  }

  private async openCreate(
    input: string,
    { exclusive, mustExist, append }: { exclusive: boolean; mustExist: boolean; append: boolean },
  ): Promise<UploadTransfer> {
    const place = await this.locate(input, ['upload'], 'parent', noFollow);
    const { vp, real: target } = place;
    if (vp === '/') throw new StorageError('is-a-folder', vp);
    const existing = await lstatOrNull(target, vp);
    // For an exclusive create this only answers early; the link at commit decides.
    if (exclusive && existing) throw new StorageError('already-exists', vp);
    if (mustExist && !existing) throw new StorageError('not-found', vp);
    await this.assertMayReplace(place);
    const tempPath = tempPathBeside(target);
    const handle = await attempt(vp, () => fs.open(tempPath, tempFlags, 0o644));
    const quota = await this.quota.charge(vp, 0).catch(async (error: unknown) => {
      await handle.close();
      await fs.rm(tempPath, { force: true });
      throw error;
    });
    return new UploadTransfer({
      ...this.uploadBasics(vp, handle, quota),
      mode: 'create',
      startsEmpty: true,
      append,
      readable: false,
      tempPath,
      offset: 0,
      writeFloor: 0,
      finish: () => this.putInPlace(tempPath, place, exclusive),
    });
  }

  /**
   * Renames a complete temporary file to its real name. An exclusive one is hard-linked: link()
   * fails with EEXIST when the name is taken, so there is no window between check and use.
   * Otherwise the target is checked again: someone may have created it meanwhile.
   */
  private async putInPlace(tempPath: string, place: Place, exclusive: boolean): Promise<void> {
    if (exclusive) {
      await fs.link(tempPath, place.real);
      await fs.rm(tempPath, { force: true });
      return;
    }
    await this.assertMayReplace(place);
    const replaced = await sizeOfFile(place.real);
    await fs.rename(tempPath, place.real);
    this.quota.freed(replaced);
  }

  /**
   * Takes a file written in the staging area (a resumable web upload, complete) and puts it at
   * `input` as an upload: the privileges ('upload', and 'overwrite' to replace) are checked again
   * now, since the user's folder rules may have changed while the file was staged. The file is
   * moved, not copied, when staging and homes share a volume. On a refusal it stays staged.
   */
  async adoptStaged(
    stagedPath: string,
    input: string,
    {
      exclusive = false,
      startedAt = now(),
      sha256: hashedOnTheWay,
    }: {
      exclusive?: boolean;
      startedAt?: string;
      /** The staged file's sha256 as the door computed it while every byte arrived, in order. */
      sha256?: string;
    } = {},
  ): Promise<UploadResult> {
    const place = await this.locate(input, ['upload'], 'parent', noFollow);
    const { vp, real: target } = place;
    if (vp === '/') throw new StorageError('is-a-folder', vp);
    if (exclusive && (await lstatOrNull(target, vp))) throw new StorageError('already-exists', vp);
    await this.assertMayReplace(place);
    const staged = await checkStaged(this.options.stagingRoot, stagedPath, vp);
    if (staged.size > this.options.maxFileSize) throw new StorageError('too-large', vp);
    const quota = await this.quota.charge(vp, 0);
    const tempPath = tempPathBeside(target);
    let sha256: string;
    try {
      quota.claim(staged.size); // refused past the user's quota, before anything moves
      sha256 = hashedOnTheWay ?? (await hashStaged(staged.path, vp));
      await moveInto(staged.path, tempPath, vp);
      await this.putInPlace(tempPath, place, exclusive).catch(async (error: unknown) => {
        await fs.rename(tempPath, staged.path).catch(() => fs.rm(tempPath, { force: true }));
        throw error;
      });
    } catch (error) {
      quota.discard();
      throw fromFsError(error, vp);
    }
    quota.close();
    const result = { size: staged.size, sha256 };
    await this.reporter.uploaded({ path: vp, ...result, complete: true, startedAt });
    return result;
  }

  private async openResume(
    input: string,
    offset: number | undefined,
    append: boolean,
  ): Promise<UploadTransfer> {
    const place = await this.locate(input, ['append'], 'parent', { followFinal: true });
    const { vp, real } = place;
    if (offset !== undefined && (!Number.isSafeInteger(offset) || offset < 0)) {
      throw new StorageError('io-error', vp, 'a resume offset is a whole, non-negative number');
    }
    const handle = await attempt(vp, () => fs.open(real, resumeFlags));
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw notARegularFile(vp, stats);
      const mayOverwrite = this.allows(['overwrite'], place.folders);
      const start = offset ?? stats.size;
      if (start < stats.size && !mayOverwrite && !append) {
        throw new StorageError(
          'permission-denied',
          vp,
          'rewriting existing bytes needs the overwrite privilege',
        );
      }
      return new UploadTransfer({
        ...this.uploadBasics(vp, handle, await this.quota.charge(vp, stats.size)),
        mode: 'resume',
        startsEmpty: false,
        append,
        readable: false,
        tempPath: null,
        // An append only ever adds after the end, so it never meets the floor; a truncate does.
        offset: append ? stats.size : start,
        writeFloor: mayOverwrite ? 0 : stats.size,
        finish: async () => undefined, // the bytes are already in place
      });
    } catch (error) {
      await handle.close();
      throw fromFsError(error, vp);
    }
  }

  /**
   * Normalises `input`, checks that one of `privileges` is granted on it ('self') or on its
   * folder ('parent') before touching the disk, resolves it, and checks again in the folder where
   * it really lands.
   */
  private async locate(
    input: string,
    privileges: Privilege[],
    where: 'self' | 'parent',
    resolution: { followFinal: boolean },
  ): Promise<Place> {
    const vp = this.virtualPath(input);
    const asked = where === 'self' ? vp : parentOf(vp);
    this.require(privileges, [asked], vp);
    const real = await this.jail.resolve(vp, resolution);
    const landed =
      where === 'self' ? await this.jail.toVirtual(real) : await this.jail.folderOf(real);
    const folders = landed === asked ? [asked] : [asked, landed];
    this.require(privileges, folders, vp);
    return { vp, real, folders };
  }

  /** An existing target may be replaced only by a file upload with the 'overwrite' privilege. */
  private async assertMayReplace({ vp, real, folders }: Place): Promise<void> {
    const existing = await lstatOrNull(real, vp);
    if (existing?.isDirectory()) throw new StorageError('is-a-folder', vp);
    if (existing) this.require(['overwrite'], folders, vp);
  }

  private assertFolderMayMove(from: string, to: string): void {
    if (isAtOrBelow(to, from)) {
      throw new StorageError('invalid-path', to, 'a folder cannot move into itself');
    }
    const user = this.options.user;
    if (hasRulesAtOrBelow(user, from) || hasRulesAtOrBelow(user, to)) {
      throw new StorageError(
        'permission-denied',
        from,
        'folder rules apply inside; ask an administrator to move it',
      );
    }
  }

  /** Refuses unless, in every one of `folders`, at least one of `privileges` is granted. */
  private require(privileges: Privilege[], folders: string[], vp: string): void {
    const missing = folders.find((folder) => !this.allows(privileges, [folder]));
    if (missing !== undefined) {
      const names = privileges.join(' or ');
      throw new StorageError(
        'permission-denied',
        vp,
        `the ${names} privilege is not granted in ${missing}`,
      );
    }
  }

  private allows(privileges: Privilege[], folders: string[]): boolean {
    const user = this.options.user;
    return folders.every((folder) => privileges.some((p) => hasPrivilege(user, folder, p)));
  }
}

const noFollow = { followFinal: false };

async function attempt<T>(vp: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw fromFsError(error, vp);
  }
}

async function lstatOrNull(real: string, vp: string): Promise<Stats | null> {
  try {
    return await fs.lstat(real);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return null;
    throw fromFsError(error, vp);
  }
}

function notARegularFile(vp: string, stats: Stats): StorageError {
  return stats.isDirectory()
    ? new StorageError('is-a-folder', vp)
    : new StorageError('io-error', vp, 'not a regular file');
}

function tempPathBeside(target: string): string {
  return path.join(path.dirname(target), uploadTempPrefix + randomBytes(12).toString('hex'));
}

function nameOf(vp: string): string {
  return vp === '/' ? '/' : baseName(vp);
}
