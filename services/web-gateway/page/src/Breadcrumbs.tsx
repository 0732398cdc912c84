export function Breadcrumbs({ path, onOpen }: { path: string; onOpen: (path: string) => void }) {
  const parts = path.split('/').filter(Boolean);
  const crumbs = [{ name: 'Home', path: '/' }].concat(
    parts.map((name, i) => ({ name, path: `/${parts.slice(0, i + 1).join('/')}` })),
  );
  return (
    <nav aria-label="Breadcrumbs">
      <ol className="crumbs">
        {crumbs.map((c, i) => (
          <li key={c.path}>
            {i === crumbs.length - 1 ? (
              <span aria-current="page">{c.name}</span>
            ) : (
              <button type="button" className="link" onClick={() => onOpen(c.path)}>
                {c.name}
              </button>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}
