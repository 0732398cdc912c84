import type { Pending, Progress } from './uploads';

/** The file input, the drop hint, and a progress bar per file and overall. */
export function UploadPanel({
  progress,
  onFiles,
}: {
  progress: Progress[];
  onFiles: (pending: Pending[]) => void;
}) {
  const sent = progress.reduce((n, p) => n + p.sent, 0);
  const total = progress.reduce((n, p) => n + p.total, 0);
  return (
    <section className="uploads" aria-label="Uploads">
      <label htmlFor="upload-input">Upload files</label>
      <input
        id="upload-input"
        type="file"
        multiple
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          onFiles(files.map((file) => ({ file, name: file.name })));
        }}
      />
      <p className="drop-hint">…or drop files and folders anywhere on this page.</p>
      {progress.length > 0 && (
        <ul className="progress">
          <li>
            <label>
              All files <Percent sent={sent} total={total} />
              <progress aria-label="All files" max={Math.max(total, 1)} value={sent} />
            </label>
          </li>
          {progress.map((p) => (
            <li key={p.name}>
              <label>
                {p.name} <Percent sent={p.sent} total={p.total} />
                <progress aria-label={p.name} max={Math.max(p.total, 1)} value={p.sent} />
              </label>
              {p.error && <span className="error"> {p.error}</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Percent({ sent, total }: { sent: number; total: number }) {
  return <span className="percent">{total ? Math.floor((sent / total) * 100) : 100} %</span>;
}
