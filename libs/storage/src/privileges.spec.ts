import type { FolderRule, Privilege } from '@tessera/contracts';
import { hasPrivilege, hasRulesAtOrBelow, privilegesAt } from './privileges';

const base: Privilege[] = ['list', 'download'];
const rules: FolderRule[] = [
  { path: '/a', privileges: ['list', 'upload'] },
  { path: '/a/b', privileges: ['delete-files', 'list'] },
  { path: '/a/b/c', privileges: [] },
];
const user = { privileges: base, folderSet: { rules } };

describe('privilegesAt', () => {
  it('gives the user its own privileges where no rule matches', () => {
    expect(privilegesAt(user, '/elsewhere')).toEqual({ privileges: base, rulePath: null });
    expect(privilegesAt({ privileges: base, folderSet: null }, '/a')).toEqual({
      privileges: base,
      rulePath: null,
    });
  });

  it('applies a rule to its folder and everything below it', () => {
    expect(privilegesAt(user, '/a')).toEqual({ privileges: ['list', 'upload'], rulePath: '/a' });
    expect(privilegesAt(user, '/a/x/y/z').rulePath).toBe('/a');
  });

  it('does not apply "/a" to "/ab": prefixes count whole segments', () => {
    expect(privilegesAt(user, '/ab')).toEqual({ privileges: base, rulePath: null });
    expect(privilegesAt(user, '/a/bc').rulePath).toBe('/a');
  });

  it('lets the most specific rule win, whatever the rule order', () => {
    expect(privilegesAt(user, '/a/b/file').rulePath).toBe('/a/b');
    expect(privilegesAt(user, '/a/b/c/d')).toEqual({ privileges: [], rulePath: '/a/b/c' });
    const reversed = { privileges: base, folderSet: { rules: [...rules].reverse() } };
    expect(privilegesAt(reversed, '/a/b/file').rulePath).toBe('/a/b');
  });

  it('lets a "/" rule cover everything not covered by a deeper rule', () => {
    const withRoot = {
      privileges: base,
      folderSet: { rules: [{ path: '/', privileges: ['list'] as Privilege[] }, ...rules] },
    };
    expect(privilegesAt(withRoot, '/elsewhere')).toEqual({ privileges: ['list'], rulePath: '/' });
    expect(privilegesAt(withRoot, '/')).toEqual({ privileges: ['list'], rulePath: '/' });
    expect(privilegesAt(withRoot, '/a/b').rulePath).toBe('/a/b');
  });

  it('replaces the user privileges instead of adding to them', () => {
    expect(hasPrivilege(user, '/a', 'download')).toBe(false);
    expect(hasPrivilege(user, '/a', 'upload')).toBe(true);
    expect(hasPrivilege(user, '/', 'upload')).toBe(false);
  });

  it('returns privileges in canonical order without duplicates', () => {
    const messy = { privileges: ['rename', 'list', 'rename'] as Privilege[], folderSet: null };
    expect(privilegesAt(messy, '/').privileges).toEqual(['list', 'rename']);
  });

  it('reads rule paths with a trailing slash as the folder itself', () => {
    const loose = { privileges: base, folderSet: { rules: [{ path: '/a/', privileges: [] }] } };
    expect(privilegesAt(loose, '/a/x')).toEqual({ privileges: [], rulePath: '/a' });
  });

  it('takes the first of two rules for the same folder', () => {
    const twice = {
      privileges: base,
      folderSet: {
        rules: [
          { path: '/a', privileges: ['upload'] as Privilege[] },
          { path: '/a', privileges: ['list'] as Privilege[] },
        ],
      },
    };
    expect(privilegesAt(twice, '/a').privileges).toEqual(['upload']);
  });
});

describe('hasRulesAtOrBelow', () => {
  it('sees rules at or inside a folder, not beside it', () => {
    expect(hasRulesAtOrBelow(user, '/a')).toBe(true);
    expect(hasRulesAtOrBelow(user, '/a/b/c')).toBe(true);
    expect(hasRulesAtOrBelow(user, '/')).toBe(true);
    expect(hasRulesAtOrBelow(user, '/ab')).toBe(false);
    expect(hasRulesAtOrBelow(user, '/a/x')).toBe(false);
  });
});
