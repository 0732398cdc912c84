/**
 * SFTP version 3 numbers (draft-ietf-secsh-filexfer-02, the version OpenSSH speaks) and the
 * OpenSSH extensions we answer. Names follow the draft so a reader can look each one up.
 */
export const sftpVersion = 3;

export const RequestType = {
  INIT: 1,
  OPEN: 3,
  CLOSE: 4,
  READ: 5,
  WRITE: 6,
  LSTAT: 7,
  FSTAT: 8,
  SETSTAT: 9,
  FSETSTAT: 10,
  OPENDIR: 11,
  READDIR: 12,
  REMOVE: 13,
  MKDIR: 14,
  RMDIR: 15,
  REALPATH: 16,
  STAT: 17,
  RENAME: 18,
  READLINK: 19,
  SYMLINK: 20,
  EXTENDED: 200,
} as const;

export const ResponseType = {
  VERSION: 2,
  STATUS: 101,
  HANDLE: 102,
  DATA: 103,
  NAME: 104,
  ATTRS: 105,
  EXTENDED_REPLY: 201,
} as const;

export const Status = {
  OK: 0,
  EOF: 1,
  NO_SUCH_FILE: 2,
  PERMISSION_DENIED: 3,
  FAILURE: 4,
  BAD_MESSAGE: 5,
  OP_UNSUPPORTED: 8,
} as const;
export type StatusCode = (typeof Status)[keyof typeof Status];

/** SSH_FXF_* open flags. */
export const OpenFlag = {
  READ: 0x01,
  WRITE: 0x02,
  APPEND: 0x04,
  CREAT: 0x08,
  TRUNC: 0x10,
  EXCL: 0x20,
} as const;

/** SSH_FILEXFER_ATTR_* flags: which fields an ATTRS structure carries. */
export const AttrFlag = {
  SIZE: 0x01,
  UIDGID: 0x02,
  PERMISSIONS: 0x04,
  ACMODTIME: 0x08,
  EXTENDED: 0x80000000,
} as const;

/**
 * What we tell OpenSSH's client in `limits@openssh.com`: the same figures OpenSSH's own server
 * gives (256 KiB packets, 255 KiB reads and writes). Without them the client falls back to
 * 32 KiB requests, and that, not the cipher, is most of the speed gap (bench/README.md).
 */
export const maxPacketLength = 256 * 1024;
export const maxReadWriteLength = maxPacketLength - 1024;
