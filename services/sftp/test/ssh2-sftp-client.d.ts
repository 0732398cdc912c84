// The few ssh2-sftp-client 12 calls the tests use (the package ships no types, and a types
// package would be a new dependency). Shapes from its README.
declare module 'ssh2-sftp-client' {
  import type { ConnectConfig, SFTPWrapper } from 'ssh2';

  interface FileInfo {
    type: 'd' | '-' | 'l';
    name: string;
    size: number;
    modifyTime: number;
    accessTime: number;
    rights: { user: string; group: string; other: string };
    owner: number;
    group: number;
    longname: string;
  }

  interface FileStats {
    mode: number;
    uid: number;
    gid: number;
    size: number;
    accessTime: number;
    modifyTime: number;
    isDirectory: boolean;
    isFile: boolean;
    isSymbolicLink: boolean;
  }

  class SftpClient {
    constructor(name?: string);
    /** ssh2's own SFTP client under the wrapper, for raw requests. */
    sftp: SFTPWrapper;
    connect(config: ConnectConfig): Promise<unknown>;
    list(path: string): Promise<FileInfo[]>;
    stat(path: string): Promise<FileStats>;
    exists(path: string): Promise<false | 'd' | '-' | 'l'>;
    realPath(path: string): Promise<string>;
    put(input: Buffer | string, path: string): Promise<string>;
    fastPut(localPath: string, path: string): Promise<string>;
    get(path: string): Promise<Buffer>;
    fastGet(path: string, localPath: string): Promise<string>;
    append(input: Buffer, path: string): Promise<string>;
    mkdir(path: string, recursive?: boolean): Promise<string>;
    rmdir(path: string, recursive?: boolean): Promise<string>;
    delete(path: string): Promise<string>;
    rename(from: string, to: string): Promise<string>;
    posixRename(from: string, to: string): Promise<string>;
    chmod(path: string, mode: number | string): Promise<string>;
    end(): Promise<boolean>;
  }
  export = SftpClient;
}
