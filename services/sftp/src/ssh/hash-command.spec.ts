import { parseHashCommand, shellWords } from './hash-command';

describe('shellWords', () => {
  it.each([
    ['md5sum', ['md5sum']],
    ['md5sum  /a/b.txt ', ['md5sum', '/a/b.txt']],
    ["sha1sum '/my files/it''s'", ['sha1sum', '/my files/its']],
    ['md5sum "/a \\"b\\" \\\\c"', ['md5sum', '/a "b" \\c']],
    ['md5sum /my\\ file\\$', ['md5sum', '/my file$']],
  ])('splits %s', (line, words) => {
    expect(shellWords(line)).toEqual(words);
  });

  it.each([
    'md5sum $HOME',
    'md5sum `id`',
    'md5sum "$(id)"',
    'md5sum a; rm -rf /',
    'md5sum a | sh',
    'md5sum *',
    'md5sum < /etc/passwd',
    "md5sum 'open",
    'md5sum "open',
    'md5sum trailing\\',
  ])('refuses what a shell would act on: %s', (line) => {
    expect(shellWords(line)).toBeNull();
  });
});

describe('parseHashCommand', () => {
  it('knows the four digests, with one file or standard input', () => {
    expect(parseHashCommand('md5sum')).toEqual({ algorithm: 'md5' });
    expect(parseHashCommand('sha256sum /x')).toEqual({ algorithm: 'sha256', path: '/x' });
    expect(parseHashCommand('sha512sum "/a b"')).toEqual({ algorithm: 'sha512', path: '/a b' });
  });

  it('refuses every other command, options and several files', () => {
    for (const line of [
      'ls',
      'md5 -r',
      'md5sum -c sums',
      'md5sum a b',
      'echo ${ShellId}%ComSpec%',
      "md5sum ''",
    ]) {
      expect(parseHashCommand(line)).toBeNull();
    }
  });
});
