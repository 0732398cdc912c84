import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The `openssl` command is the independent judge of what the pki service makes, and the test
 * certificate authority that signs its CSRs (pki's tests, and the doors' tests that check a
 * certificate change reaches real clients). Everything is made at run time in a temp folder.
 */
export function openssl(args: string[], input?: string | Buffer): string {
  return execFileSync('openssl', args, {
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs openssl and returns its exit code and output instead of throwing. */
export function opensslResult(
  args: string[],
  input = '',
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('openssl', args, { timeout: 20_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input);
  });
}

export interface TestCa {
  dir: string;
  rootPem: string;
  rootFile: string;
  intermediatePem: string;
  intermediateFile: string;
  /** Signs a CSR with the intermediate; `days` -1 makes a certificate that has already expired. */
  sign(csrPem: string, opts?: { days?: number; name?: string }): string;
  /** Signs with the root directly (a leaf whose chain is the root alone). */
  signWithRoot(csrPem: string, name: string): string;
}

/** A root and an intermediate CA made by openssl, as a real authority would have them. */
export function makeTestCa(dir: string, label = 'Tessera Test'): TestCa {
  const f = (name: string) => path.join(dir, name);
  const caExt = f('ca.ext');
  writeFileSync(
    caExt,
    [
      'basicConstraints=critical,CA:TRUE,pathlen:0',
      'keyUsage=critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid',
    ].join('\n'),
  );
  const leafExt = f('leaf.ext');
  writeFileSync(
    leafExt,
    [
      'basicConstraints=critical,CA:FALSE',
      'extendedKeyUsage=serverAuth',
      'authorityKeyIdentifier=keyid',
    ].join('\n'),
  );
  openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    f('root.key'),
    '-out',
    f('root.pem'),
    '-subj',
    `/O=${label}/CN=${label} Root CA`,
    '-days',
    '30',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  openssl([
    'req',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('inter.key'),
    '-out',
    f('inter.csr'),
    '-subj',
    `/O=${label}/CN=${label} Intermediate CA`,
  ]);
  openssl([
    'x509',
    '-req',
    '-in',
    f('inter.csr'),
    '-CA',
    f('root.pem'),
    '-CAkey',
    f('root.key'),
    '-CAcreateserial',
    '-days',
    '30',
    '-extfile',
    caExt,
    '-out',
    f('inter.pem'),
  ]);
  let n = 0;
  const signWith = (csrPem: string, ca: string, days: number, name: string) => {
    const csr = f(`${name}-${++n}.csr`);
    const out = f(`${name}-${n}.pem`);
    writeFileSync(csr, csrPem);
    openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      f(`${ca}.pem`),
      '-CAkey',
      f(`${ca}.key`),
      '-CAcreateserial',
      '-days',
      String(days),
      '-copy_extensions',
      'copy',
      '-extfile',
      leafExt,
      '-out',
      out,
    ]);
    return readFileSync(out, 'utf8');
  };
  return {
    dir,
    rootFile: f('root.pem'),
    rootPem: readFileSync(f('root.pem'), 'utf8'),
    intermediateFile: f('inter.pem'),
    intermediatePem: readFileSync(f('inter.pem'), 'utf8'),
    sign: (csrPem, opts = {}) => signWith(csrPem, 'inter', opts.days ?? 20, opts.name ?? 'leaf'),
    signWithRoot: (csrPem, name) => signWith(csrPem, 'root', 20, name),
  };
}

/** A key and CSR made by openssl alone: a certificate for it matches no key Tessera holds. */
export function foreignCsr(dir: string, cn: string): { csrPem: string; keyPem: string } {
  const key = path.join(dir, `${cn}.key`);
  const csr = path.join(dir, `${cn}.csr`);
  openssl([
    'req',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    key,
    '-out',
    csr,
    '-subj',
    `/CN=${cn}`,
  ]);
  return { csrPem: readFileSync(csr, 'utf8'), keyPem: readFileSync(key, 'utf8') };
}
