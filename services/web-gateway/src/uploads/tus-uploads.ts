import type { IncomingMessage, ServerResponse } from 'node:http';
import { MemoryLocker, Server } from '@tus/server';
import type { Upload } from '@tus/utils';
import type { Logger } from '@tessera/config';
import { normaliseVirtualPath, StorageError, type FileSession } from '@tessera/storage';
import { maybeContextOf } from '../sessions/request-context';
import type { StagedUploadStore } from './staged-store';

export const uploadsPath = '/api/uploads';

/** The request as tus hands it to hooks: a web Request that knows the Node one it came from. */
interface HookRequest {
  method: string;
  runtime?: { node?: { req?: object } };
}

/** A refusal tus sends as is. */
const refusal = (status_code: number, body: string) => ({ status_code, body });

/**
 * Resumable uploads (tus) behind the API guard (a session, same origin, the CSRF token):
 * - at creation, the target is `folder` + `filename` from the metadata, checked against the
 *   user's privileges there; the owner is the session's user, whatever the client sent;
 * - every later request (HEAD, PATCH, DELETE) must come from the owner;
 * - at the end, the staged file is adopted into place by the user's FileSession, which checks the
 *   privileges again, renames atomically and sends files.uploaded with the sha256.
 */
export function tusUploads(
  store: StagedUploadStore,
  maxFileSize: number,
  allowedOrigin: () => string,
  logger: Logger,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const tus = new Server({
    path: uploadsPath,
    datastore: store,
    locker: new MemoryLocker(),
    relativeLocation: true,
    allowedOrigins: (origin) => origin === allowedOrigin(),
    maxSize: maxFileSize,
    respectForwardedHeaders: false,
    onUploadCreate: async (req, upload) => {
      const files = filesOf(req);
      const target = await checkTarget(files, upload);
      return { metadata: { ...upload.metadata, target, owner: ownerOf(req) } };
    },
    onIncomingRequest: async (req, id) => {
      if (req.method === 'POST') return;
      const upload = await store.getUpload(id).catch(() => null);
      if (!upload || upload.metadata?.owner !== ownerOf(req)) throw refusal(404, 'no such upload');
    },
    onUploadFinish: async (req, upload) => {
      const target = upload.metadata?.target ?? '';
      try {
        const done = await filesOf(req).adoptStaged(store.dataPath(upload.id), target, {
          startedAt: upload.creation_date,
          sha256: store.takeDigest(upload.id, upload.size),
        });
        await store.remove(upload.id);
        logger.info({ target, size: done.size }, 'resumable upload in place');
        return {};
      } catch (error) {
        // A refusal at the end (privileges changed meanwhile) forgets the upload: a retry must
        // not find it complete and report success.
        await store.remove(upload.id);
        throw refusal(...answer(error, logger));
      }
    },
  });
  return (req, res) => tus.handle(req, res);
}

function contextFor(req: HookRequest) {
  const node = req.runtime?.node?.req;
  const context = node && maybeContextOf(node);
  if (!context) throw refusal(401, 'you are not logged in');
  return context;
}

function filesOf(req: HookRequest): FileSession {
  return contextFor(req).files;
}

function ownerOf(req: HookRequest): string {
  return contextFor(req).session.user.username;
}

/** The upload's place, if the user may upload there (and replace what is there, if anything). */
async function checkTarget(files: FileSession, upload: Upload): Promise<string> {
  const name = upload.metadata?.filename;
  if (!name) throw refusal(400, 'the upload names no file (metadata "filename")');
  try {
    const folder = files.virtualPath(upload.metadata?.folder ?? '/');
    const target = normaliseVirtualPath(name.replace(/^\/+/, ''), folder);
    const parent = target.slice(0, target.lastIndexOf('/')) || '/';
    const may = files.privilegesAt(parent).privileges;
    if (!may.includes('upload')) throw new StorageError('permission-denied', target);
    const existing = await files.lstat(target).catch(() => null);
    if (existing?.kind === 'folder') throw new StorageError('is-a-folder', target);
    if (existing && !may.includes('overwrite'))
      throw new StorageError(
        'permission-denied',
        target,
        'exists, and you may not replace files here',
      );
    return target;
  } catch (error) {
    throw refusal(...answer(error, null));
  }
}

function answer(error: unknown, logger: Logger | null): [number, string] {
  if (error instanceof StorageError) {
    if (error.code === 'permission-denied') {
      const path = error.virtualPath;
      const parent = path.slice(0, path.lastIndexOf('/')) || '/';
      return [
        403,
        error.message.includes('replace') ? error.message : `you may not upload in ${parent}`,
      ];
    }
    return [
      error.code === 'quota-exceeded' || error.code === 'too-large' ? 413 : 409,
      error.message,
    ];
  }
  logger?.error({ err: error }, 'resumable upload could not be put in place');
  return [500, 'the upload could not be put in place'];
}
