import { Controller, HttpCode, Get, Head, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { FileSession } from '@tessera/storage';
import { z } from 'zod';
import { contextOf } from '../sessions/request-context';
import { answerError, bodyOf, ClientError } from './answers';
import { sendFile } from './download';
import { join, sendZip } from './zip';
import { WEB_PARTS } from './tokens';
import type { WebParts } from './web-parts';

const pathSchema = z.string().min(1).max(4096);
const mkdirSchema = z.object({ path: pathSchema });
const renameSchema = z.object({ from: pathSchema, to: pathSchema });
const deleteSchema = z.object({ path: pathSchema });

/** The file manager's routes: every one through the user's FileSession (jail and privileges). */
@Controller('api')
export class FilesController {
  constructor(@Inject(WEB_PARTS) private readonly parts: WebParts) {}

  /** A folder's entries with what the user may do there (the page shows only those controls). */
  @Get('folder')
  async folder(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.run(res, 'list', async (files) => {
      const path = files.virtualPath(queryText(req, 'path') ?? '/');
      const entries = await files.list(path);
      res.json({
        path,
        entries: entries
          .filter((e) => e.kind === 'file' || e.kind === 'folder')
          .map((e) => ({ name: e.name, kind: e.kind, size: e.size, mtime: e.mtime.toISOString() })),
        may: mayIn(files, path),
      });
    });
  }

  @Get('file')
  @Head('file')
  async file(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.run(res, 'download', (files) =>
      sendFile(req, res, files, files.virtualPath(requiredQuery(req, 'path'))),
    );
  }

  /** `?path=/folder&name=a&name=b`: those items of the folder; no name: the whole folder. */
  @Get('zip')
  async zip(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.run(res, 'download', async (files) => {
      const folder = files.virtualPath(requiredQuery(req, 'path'));
      const names = queryList(req, 'name');
      const base = folder === '/' ? 'files' : folder.slice(folder.lastIndexOf('/') + 1);
      const zipName = names.length === 1 ? `${names[0]}.zip` : `${base}.zip`;
      await sendZip(res, files, folder, names, zipName);
    });
  }

  @Post('mkdir')
  @HttpCode(200)
  async mkdir(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.run(res, 'create folders', async (files) => {
      const { path } = bodyOf(mkdirSchema, req.body);
      await files.mkdir(path);
      res.json({ done: `created folder ${files.virtualPath(path)}` });
    });
  }

  @Post('rename')
  @HttpCode(200)
  async rename(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.run(res, 'rename', async (files) => {
      const { from, to } = bodyOf(renameSchema, req.body);
      await files.rename(from, to);
      res.json({ done: `renamed ${files.virtualPath(from)} to ${files.virtualPath(to)}` });
    });
  }

  /** A file, or a folder with everything in it (each item checked as it goes). */
  @Post('delete')
  @HttpCode(200)
  async delete(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.run(res, 'delete', async (files) => {
      const path = files.virtualPath(bodyOf(deleteSchema, req.body).path);
      if (path === '/') throw new ClientError(400, 'the home folder itself cannot be deleted');
      await removeTree(files, path);
      res.json({ done: `deleted ${path}` });
    });
  }

  private async run(res: Response, doing: string, act: (files: FileSession) => Promise<void>) {
    try {
      await act(contextOf(res.req).files);
    } catch (error) {
      if (res.headersSent) {
        this.parts.logger.warn({ err: error }, `${doing}: cut after the answer began`);
        res.destroy();
        return;
      }
      answerError(res, error, doing, this.parts.logger);
    }
  }
}

async function removeTree(files: FileSession, path: string): Promise<void> {
  const entry = await files.lstat(path);
  if (entry.kind !== 'folder') return files.remove(path);
  for (const child of await files.list(path)) await removeTree(files, join(path, child.name));
  await files.rmdir(path);
}

/** What the page may offer in a folder: the folder's own privileges govern what is in it. */
function mayIn(files: FileSession, path: string) {
  const { privileges } = files.privilegesAt(path);
  const has = (p: (typeof privileges)[number]) => privileges.includes(p);
  return {
    download: has('download'),
    upload: has('upload'),
    overwrite: has('overwrite'),
    mkdir: has('create-folders'),
    rename: has('rename'),
    deleteFiles: has('delete-files'),
    deleteFolders: has('delete-folders'),
  };
}

function queryText(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' ? value : undefined;
}

function requiredQuery(req: Request, name: string): string {
  const value = queryText(req, name);
  if (!value) throw new ClientError(400, `bad request: ${name} is missing`);
  return value;
}

function queryList(req: Request, name: string): string[] {
  const value = req.query[name];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is string => typeof v === 'string');
}
