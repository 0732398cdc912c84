import { useState } from 'react';
import { fileUrl, join, type Entry, type Folder } from './api';

type SortKey = 'name' | 'size' | 'mtime';

/** The folder's entries: filter, sort, and per row only the actions the user may take. */
export function FileTable({
  folder,
  entries,
  onOpen,
  onRename,
  onDelete,
}: {
  folder: Folder;
  entries: Entry[];
  onOpen: (path: string) => void;
  onRename: (from: string, to: string) => Promise<void>;
  onDelete: (path: string) => Promise<void>;
}) {
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; up: boolean }>({ key: 'name', up: true });
  const shown = entries
    .filter((e) => e.name.toLowerCase().includes(filter.toLowerCase()))
    .sort((a, b) => compare(a, b, sort.key) * (sort.up ? 1 : -1));
  const header = (key: SortKey, label: string) => (
    <th aria-sort={sort.key === key ? (sort.up ? 'ascending' : 'descending') : 'none'}>
      <button
        type="button"
        className="link"
        onClick={() => setSort({ key, up: sort.key === key ? !sort.up : true })}
      >
        {label}
      </button>
    </th>
  );
  return (
    <>
      <label htmlFor="filter">Filter</label>
      <input id="filter" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
      <table>
        <thead>
          <tr>
            {header('name', 'Name')}
            {header('size', 'Size')}
            {header('mtime', 'Modified')}
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((entry) => (
            <Row
              key={entry.name}
              entry={entry}
              folder={folder}
              onOpen={onOpen}
              onRename={onRename}
              onDelete={onDelete}
            />
          ))}
        </tbody>
      </table>
      {!shown.length && (
        <p>{entries.length ? 'Nothing matches the filter.' : 'This folder is empty.'}</p>
      )}
    </>
  );
}

function Row({
  entry,
  folder,
  onOpen,
  onRename,
  onDelete,
}: {
  entry: Entry;
  folder: Folder;
  onOpen: (path: string) => void;
  onRename: (from: string, to: string) => Promise<void>;
  onDelete: (path: string) => Promise<void>;
}) {
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(entry.name);
  const path = join(folder.path, entry.name);
  const { may } = folder;
  const mayDelete = entry.kind === 'folder' ? may.deleteFolders : may.deleteFiles;
  return (
    <tr>
      <td>
        {entry.kind === 'folder' ? (
          <button type="button" className="link" onClick={() => onOpen(path)}>
            {entry.name}/
          </button>
        ) : may.download ? (
          <a href={fileUrl(path)} download={entry.name}>
            {entry.name}
          </a>
        ) : (
          entry.name
        )}
      </td>
      <td>{entry.kind === 'file' ? size(entry.size) : ''}</td>
      <td>
        <time dateTime={entry.mtime}>{new Date(entry.mtime).toLocaleString()}</time>
      </td>
      <td className="actions">
        {renaming ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              setRenaming(false);
              if (name && name !== entry.name) void onRename(path, join(folder.path, name));
            }}
          >
            <label htmlFor={`rename-${entry.name}`}>New name for {entry.name}</label>
            <input
              id={`rename-${entry.name}`}
              value={name}
              onChange={(e) => setName(e.target.value)}
              autoFocus
            />
            <button type="submit">Save</button>
            <button type="button" onClick={() => setRenaming(false)}>
              Cancel
            </button>
          </form>
        ) : (
          <>
            {may.rename && (
              <button
                type="button"
                aria-label={`Rename ${entry.name}`}
                onClick={() => setRenaming(true)}
              >
                Rename
              </button>
            )}
            {mayDelete && (
              <button
                type="button"
                aria-label={`Delete ${entry.name}`}
                onClick={() => void onDelete(path)}
              >
                Delete
              </button>
            )}
          </>
        )}
      </td>
    </tr>
  );
}

function compare(a: Entry, b: Entry, key: SortKey): number {
  if (a.kind !== b.kind) return a.kind === 'folder' ? -1 : 1;
  if (key === 'size') return a.size - b.size;
  if (key === 'mtime') return a.mtime.localeCompare(b.mtime);
  return a.name.localeCompare(b.name);
}

function size(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}
