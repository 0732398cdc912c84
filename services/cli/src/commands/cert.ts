import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  pkiCertificateLoad,
  pkiCertificateSelfSigned,
  pkiCertificateShow,
  pkiCsrCreate,
  pkiCsrDiscard,
  pkiCsrList,
  tlsKeyTypes,
  type ActiveCertificate,
  type CertificateFacts,
  type TlsKeyType,
} from '@tessera/contracts';
import { CliFailure, exitCodes, table, type CliContext } from '../cli-context';

interface SubjectOptions {
  cn: string;
  org?: string;
  unit?: string;
  locality?: string;
  state?: string;
  country?: string;
  email?: string;
  san: string[];
  keyType: TlsKeyType;
}

/** --san may repeat and may hold comma-separated names. */
function collectNames(value: string, previous: string[]): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ];
}

function keyType(value: string): TlsKeyType {
  if (!(tlsKeyTypes as readonly string[]).includes(value)) {
    throw new CliFailure(
      `--key-type: unknown key type ${value}; choose from ${tlsKeyTypes.join(', ')}`,
      exitCodes.usage,
    );
  }
  return value as TlsKeyType;
}

function days(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 3650) {
    throw new CliFailure(`--days: a whole number of days, 1-3650 (got ${value})`, exitCodes.usage);
  }
  return n;
}

/** The subject form shared by `self-signed` and `csr`. */
function withSubjectOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--cn <name>', 'common name: the host name clients connect to')
    .option('--org <name>', 'organization (O)')
    .option('--unit <name>', 'organizational unit (OU)')
    .option('--locality <name>', 'city or locality (L)')
    .option('--state <name>', 'state or province (ST)')
    .option('--country <code>', 'two-letter country code (C), e.g. US or DE')
    .option('--email <address>', 'contact e-mail address')
    .option(
      '--san <name>',
      'another DNS name or IP address the certificate covers (repeat, or comma-separate)',
      collectNames,
      [],
    )
    .option('--key-type <type>', `key: ${tlsKeyTypes.join(', ')}`, keyType, 'rsa-2048');
}

/** The options that fill each pki.* request field, for messages in the operator's words. */
const certOptions = {
  'subject.commonName': '--cn',
  'subject.organization': '--org',
  'subject.organizationalUnit': '--unit',
  'subject.locality': '--locality',
  'subject.state': '--state',
  'subject.country': '--country',
  'subject.email': '--email',
  altNames: '--san',
  keyType: '--key-type',
  validityDays: '--days',
  certificate: '--cert',
  chain: '--chain',
  id: 'ID',
} as const;

function form(o: SubjectOptions) {
  return {
    subject: {
      commonName: o.cn,
      organization: o.org,
      organizationalUnit: o.unit,
      locality: o.locality,
      state: o.state,
      country: o.country,
      email: o.email,
    },
    altNames: o.san,
    keyType: o.keyType,
  };
}

async function fileBytes(file: string): Promise<{ base64: string }> {
  const bytes =
    file === '-'
      ? await readAllStdin()
      : await readFile(file).catch((err: NodeJS.ErrnoException) => {
          throw new CliFailure(
            `cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`,
            exitCodes.usage,
          );
        });
  return { base64: bytes.toString('base64') };
}

async function readAllStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function factsLines(c: CertificateFacts, indent = ''): string[] {
  return [
    `${indent}subject      ${c.subject}`,
    `${indent}issuer       ${c.issuer}${c.selfSigned ? ' (self-signed)' : ''}`,
    `${indent}valid        ${c.notBefore} to ${c.notAfter}`,
    `${indent}sha-256      ${c.fingerprintSha256}`,
  ];
}

export function describeCertificate(c: ActiveCertificate): string {
  const origin = {
    'first-start': 'self-signed, made at first start',
    'self-signed': 'self-signed',
    'ca-issued': 'issued by a certificate authority',
  }[c.origin];
  const lines = [
    ...factsLines(c),
    `names        ${[...c.altNames.dns, ...c.altNames.ip].join(', ') || '(none)'}`,
    `expires in   ${c.expiresInDays} days`,
    `key          ${c.keyType}`,
    `kind         ${origin}`,
    `serial       ${c.serialNumber}`,
    `active since ${c.activatedAt}`,
  ];
  if (c.chain.length) {
    lines.push('chain');
    c.chain.forEach((link, i) => {
      lines.push(`  ${i + 1}.`, ...factsLines(link, '    '));
    });
  }
  for (const w of c.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

export function registerCertCommands(program: Command, ctx: CliContext): void {
  const cert = program
    .command('cert')
    .description(
      'the TLS certificate HTTPS and FTPS present: self-signed, CSR, load the signed one, show',
    );

  withSubjectOptions(
    cert
      .command('self-signed')
      .description('make a new key and a self-signed certificate, active at once'),
  )
    .option('--days <n>', 'validity in days (1-3650)', days, 365)
    .action(async (o: SubjectOptions & { days: number }) => {
      const { certificate } = await ctx.call(
        pkiCertificateSelfSigned,
        {
          ...form(o),
          validityDays: o.days,
        },
        certOptions,
      );
      ctx.result(
        certificate,
        () => `made a self-signed certificate, now active\n${describeCertificate(certificate)}`,
      );
    });

  withSubjectOptions(
    cert
      .command('csr')
      .description(
        'make a new pending key and a CSR to send to a certificate authority (the active certificate stays)',
      ),
  )
    .option('--out <file>', 'write the CSR to this file (default: print it)')
    .action(async (o: SubjectOptions & { out?: string }) => {
      const { csr } = await ctx.call(pkiCsrCreate, form(o), certOptions);
      if (o.out) await writeFile(o.out, csr.csrPem);
      ctx.result(csr, () =>
        [
          ...(o.out ? [] : [csr.csrPem.trimEnd()]),
          `made pending key ${csr.id} (${csr.keyType}) for ${csr.subject}`,
          ...(o.out ? [`wrote the CSR to ${o.out}`] : []),
          'send the CSR to your certificate authority, then: tessera cert load --cert <signed.pem> [--chain <intermediate.pem>]',
        ].join('\n'),
      );
    });

  cert
    .command('load')
    .description(
      'load the signed certificate (PEM, DER or PKCS#7) with its chain; it must match a pending key or the active one',
    )
    .requiredOption(
      '--cert <file>',
      'the certificate the authority sent ("-" reads standard input); intermediates may follow it',
    )
    .option(
      '--chain <file>',
      'intermediate certificate(s), if sent separately (repeat for several files)',
      (v: string, prev: string[]) => [...prev, v],
      [],
    )
    .action(async (o: { cert: string; chain: string[] }) => {
      const res = await ctx.call(
        pkiCertificateLoad,
        {
          certificate: await fileBytes(o.cert),
          chain: await Promise.all(o.chain.map(fileBytes)),
        },
        certOptions,
      );
      ctx.result(res, () =>
        [
          res.matched === 'pending'
            ? `loaded: it matched pending key ${res.promotedCsrId}, now the active key`
            : 'loaded: it matched the active key',
          describeCertificate(res.certificate),
        ].join('\n'),
      );
    });

  cert
    .command('show')
    .description('the active certificate: subject, issuer, names, validity, fingerprint, chain')
    .option('--pem', 'print the certificate as PEM instead')
    .action(async (o: { pem?: boolean }) => {
      const { certificate } = await ctx.call(pkiCertificateShow, {});
      ctx.result(certificate, () =>
        o.pem ? certificate.certificatePem.trimEnd() : describeCertificate(certificate),
      );
    });

  cert
    .command('pending [id]')
    .description('pending keys waiting for their certificate; with an id, print that CSR again')
    .action(async (id?: string) => {
      const { csrs } = await ctx.call(pkiCsrList, {});
      if (id) {
        const csr = csrs.find((c) => c.id === id);
        if (!csr) throw new CliFailure(`there is no pending CSR with id ${id}`, exitCodes.refused);
        ctx.result(csr, () => csr.csrPem.trimEnd());
        return;
      }
      ctx.result(csrs, () =>
        csrs.length
          ? table(
              ['ID', 'KEY', 'SUBJECT', 'MADE'],
              csrs.map((c) => [c.id, c.keyType, c.subject, c.createdAt]),
            )
          : 'no pending keys',
      );
    });

  cert
    .command('discard <id>')
    .description('delete a pending key and its CSR (a certificate for it can then never be loaded)')
    .action(async (id: string) => {
      await ctx.call(pkiCsrDiscard, { id }, certOptions);
      ctx.result({ discarded: id }, () => `discarded pending key ${id}`);
    });
}
