import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface TestCa {
  rootFile: string;
  /** Signs a CSR for 127.0.0.1 and localhost with the root. */
  sign(csrPem: string): string;
}

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });

/** A root CA made by openssl in `dir`, the trust anchor lftp and curl verify the door against. */
export function makeTestCa(dir: string): TestCa {
  const f = (name: string) => path.join(dir, name);
  // prettier-ignore
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', f('root.key'), '-out', f('root.pem'), '-subj', '/O=Tessera Test/CN=FTP Test Root',
    '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  writeFileSync(
    f('leaf.ext'),
    'basicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n',
  );
  let serial = 1;
  return {
    rootFile: f('root.pem'),
    sign(csrPem) {
      const name = `leaf${serial++}`;
      writeFileSync(f(`${name}.csr`), csrPem);
      // prettier-ignore
      openssl(['x509', '-req', '-in', f(`${name}.csr`), '-CA', f('root.pem'), '-CAkey', f('root.key'),
        '-set_serial', String(serial), '-days', '5', '-extfile', f('leaf.ext'), '-out', f(`${name}.pem`)]);
      return readFileSync(f(`${name}.pem`), 'utf8');
    },
  };
}
