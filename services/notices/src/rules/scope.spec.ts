import { globToRegExp, inScope } from './scope';

const noSet = () => Promise.resolve(null);

describe('notice scopes', () => {
  it('matches path globs: * within a folder, ** across, a plain path as a prefix', () => {
    expect(globToRegExp('/in/*.csv').test('/in/a.csv')).toBe(true);
    expect(globToRegExp('/in/*.csv').test('/in/sub/a.csv')).toBe(false);
    expect(globToRegExp('/in/**').test('/in/sub/a.csv')).toBe(true);
    expect(globToRegExp('/in').test('/in/sub/a.csv')).toBe(true);
    expect(globToRegExp('/in').test('/inbox/a.csv')).toBe(false);
    expect(globToRegExp('/a.b').test('/axb')).toBe(false);
  });

  it('takes all users, some users, a folder set or a path', async () => {
    const origin = { username: 'ann', paths: ['/in/q3.pdf'] };
    expect(await inScope({ kind: 'all' }, origin, noSet)).toBe(true);
    expect(await inScope({ kind: 'users', users: ['bob'] }, origin, noSet)).toBe(false);
    expect(await inScope({ kind: 'users', users: ['ann'] }, origin, noSet)).toBe(true);
    const sets = (u: string) => Promise.resolve(u === 'ann' ? 'partners' : null);
    expect(await inScope({ kind: 'folder-set', folderSet: 'partners' }, origin, sets)).toBe(true);
    expect(await inScope({ kind: 'folder-set', folderSet: 'staff' }, origin, sets)).toBe(false);
    expect(await inScope({ kind: 'path', glob: '/out/**' }, origin, noSet)).toBe(false);
    expect(
      await inScope({ kind: 'path', glob: '/in/**' }, { username: 'x', paths: [] }, noSet),
    ).toBe(false);
  });
});
