import { Upload } from 'tus-js-client';
import { api, ApiError, join, token } from './api';

/** One file to upload, and where: `name` may hold subfolders (a dropped folder). */
export interface Pending {
  file: File;
  name: string;
}

export interface Progress {
  name: string;
  sent: number;
  total: number;
  error?: string;
}

/** 8 MiB chunks: under common proxies' body limits, and few requests for large files. */
const chunkSize = 8 * 1024 * 1024;

/** One resumable upload (tus): resumes one this browser began earlier, retries when cut. */
export function uploadOne(
  { file, name }: Pending,
  folder: string,
  onProgress: (sent: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const upload = new Upload(file, {
      endpoint: '/api/uploads',
      chunkSize,
      retryDelays: [0, 1000, 3000, 5000],
      removeFingerprintOnSuccess: true,
      metadata: { filename: name, folder },
      headers: { 'X-CSRF-Token': token() },
      onProgress: (sent) => onProgress(sent),
      onSuccess: () => resolve(),
      onError: (error) => {
        const body = 'originalResponse' in error ? error.originalResponse?.getBody() : undefined;
        reject(new Error(body || error.message));
      },
    });
    upload.findPreviousUploads().then((previous) => {
      if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    }, reject);
  });
}

/** The folders a dropped tree needs, made before its files arrive (existing ones are fine). */
export async function makeFolders(folder: string, pending: Pending[]): Promise<void> {
  const needed = new Set<string>();
  for (const { name } of pending) {
    const parts = name.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) needed.add(parts.slice(0, i).join('/'));
  }
  for (const sub of [...needed].sort()) {
    await api.mkdir(join(folder, sub)).catch((e: unknown) => {
      if (!(e instanceof ApiError && e.status === 409)) throw e;
    });
  }
}

/** Files from a drop, folders walked (webkitGetAsEntry), each with its path below the drop. */
export async function droppedFiles(items: DataTransferItemList): Promise<Pending[]> {
  const entries = [...items]
    .map((item) => item.webkitGetAsEntry?.())
    .filter((e): e is FileSystemEntry => !!e);
  const found: Pending[] = [];
  for (const entry of entries) await walk(entry, '', found);
  return found;
}

async function walk(entry: FileSystemEntry, prefix: string, found: Pending[]): Promise<void> {
  const name = prefix + entry.name;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileSystemFileEntry).file(resolve, reject),
    );
    found.push({ file, name });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (!batch.length) break;
    for (const child of batch) await walk(child, `${name}/`, found);
  }
}
