import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { api, join, zipUrl, type Folder } from './api';
import { Breadcrumbs } from './Breadcrumbs';
import { FileTable } from './FileTable';
import { UploadPanel } from './UploadPanel';
import { droppedFiles, makeFolders, uploadOne, type Pending, type Progress } from './uploads';

/** The file manager: one folder at a time, with what the user may do there. */
export function FileManager({ username, onLogout }: { username: string; onLogout: () => void }) {
  const [path, setPath] = useState('/');
  const [folder, setFolder] = useState<Folder | null>(null);
  const [message, setMessage] = useState('');
  const [progress, setProgress] = useState<Progress[]>([]);
  const [newFolder, setNewFolder] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);

  const load = useCallback(async (to: string) => {
    try {
      setFolder(await api.folder(to));
      setPath(to);
    } catch (e) {
      setMessage(words(e));
    }
  }, []);
  useEffect(() => void load('/'), [load]);

  /** Runs an action, says what happened, reloads, and puts focus back on the folder's heading. */
  const act = async (action: () => Promise<string>) => {
    try {
      setMessage(await action());
    } catch (e) {
      setMessage(words(e));
    }
    await load(path);
    heading.current?.focus();
  };

  const upload = async (pending: Pending[]) => {
    if (!pending.length) return;
    const target = path;
    setProgress(pending.map(({ name, file }) => ({ name, sent: 0, total: file.size })));
    const update = (i: number, change: Partial<Progress>) =>
      setProgress((all) => all.map((p, j) => (j === i ? { ...p, ...change } : p)));
    let done = 0;
    try {
      await makeFolders(target, pending);
    } catch (e) {
      setMessage(words(e));
      return;
    }
    await Promise.all(
      pending.map((item, i) =>
        uploadOne(item, target, (sent) => update(i, { sent })).then(
          () => {
            done++;
            update(i, { sent: item.file.size });
          },
          (e: unknown) => update(i, { error: words(e) }),
        ),
      ),
    );
    const failed = pending.length - done;
    setMessage(
      `uploaded ${done} file${done === 1 ? '' : 's'}` + (failed ? `; ${failed} failed` : ''),
    );
    await load(target);
  };

  const onDrop = async (event: DragEvent) => {
    event.preventDefault();
    if (!folder?.may.upload) return;
    const files = [...event.dataTransfer.files];
    const walked = await droppedFiles(event.dataTransfer.items);
    await upload(walked.length ? walked : files.map((file) => ({ file, name: file.name })));
  };

  const may = folder?.may;
  const shown = useMemo(() => folder?.entries ?? [], [folder]);

  return (
    <div className="manager" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
      <header>
        <h1>Tessera</h1>
        <span>{username}</span>
        <button type="button" onClick={() => void api.logout().finally(onLogout)}>
          Log out
        </button>
      </header>
      <main>
        <Breadcrumbs path={path} onOpen={(p) => void load(p)} />
        <h2 tabIndex={-1} ref={heading}>
          {path}
        </h2>
        <p role="status" aria-live="polite" className="message">
          {message}
        </p>
        <div className="tools">
          {may?.mkdir && (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                const name = newFolder.trim();
                if (!name) return;
                setNewFolder('');
                void act(async () => (await api.mkdir(join(path, name))).done);
              }}
            >
              <label htmlFor="new-folder">New folder</label>
              <input
                id="new-folder"
                value={newFolder}
                onChange={(e) => setNewFolder(e.target.value)}
              />
              <button type="submit">Create folder</button>
            </form>
          )}
          {may?.download && (
            <a href={zipUrl(path)} download>
              Download this folder as zip
            </a>
          )}
        </div>
        {may?.upload && <UploadPanel progress={progress} onFiles={(p) => void upload(p)} />}
        {folder && (
          <FileTable
            folder={folder}
            entries={shown}
            onOpen={(p) => void load(p)}
            onRename={(from, to) => act(async () => (await api.rename(from, to)).done)}
            onDelete={(p) => act(async () => (await api.remove(p)).done)}
          />
        )}
      </main>
    </div>
  );
}

function words(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
