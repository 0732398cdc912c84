export { StorageError, NoticeError, type StorageErrorCode } from './errors';
export {
  normaliseVirtualPath,
  parentOf,
  baseName,
  isAtOrBelow,
  maxNameBytes,
  maxPathBytes,
} from './paths';
export {
  privilegesAt,
  hasPrivilege,
  type PrivilegeSubject,
  type EffectivePrivileges,
} from './privileges';
export type {
  NoticeSink,
  UploadedNotice,
  DownloadedNotice,
  DeletedNotice,
  RenamedNotice,
  FolderCreatedNotice,
} from './notices';
export type { FileEntry, EntryKind } from './entries';
export {
  FileSession,
  type FileSessionOptions,
  type FileSessionUser,
  type OpenWriteOptions,
  type OpenReadWriteOptions,
  type WriteIntent,
} from './file-session';
export { DownloadTransfer, maxReadLength } from './download';
export { checksumAlgorithms, type ChecksumAlgorithm } from './checksum';
export { UploadTransfer, type UploadResult } from './upload';
export { HomeUsages } from './quota';
