import { randomUUID, X509Certificate } from 'node:crypto';
import os from 'node:os';
import type { Logger } from '@tessera/config';
import {
  pkiCertificateActivated,
  RequestFailure,
  type ActiveCertificate,
  type CertificateInput,
  type CertificateOrigin,
  type CertificateSubject,
  type PendingCsr,
  type ReplyOf,
  type TlsKeyType,
  type pkiCertificateMaterial,
} from '@tessera/contracts';
import type { Announcements } from '@tessera/bus';
import type { MasterKey } from '../master-key/master-key';
import { checkValidity, daysUntil, EXPIRY_WARNING_DAYS, orderChain } from './chain';
import {
  allowsServerAuth,
  certificateAltNames,
  certificateFacts,
  certificatePublicKeySha256,
  isSelfSigned,
  subjectOf,
  toPem,
  validity,
} from './describe';
import {
  altNamesFor,
  certificateSigningRequest,
  selfSignedCertificate,
  subjectName,
  type AltNames,
} from './issue';
import { TlsKeyPair } from './key-pair';
import { readCertificates, refuse } from './read-certificates';
import {
  tlsKeyContext,
  type NewTlsKey,
  type TlsKeyRecord,
  type TlsKeyStore,
} from './tls-key-store';

export interface IdentityForm {
  subject: CertificateSubject;
  altNames: string[];
  keyType: TlsKeyType;
}

export interface LoadResult {
  certificate: ActiveCertificate;
  matched: 'pending' | 'active';
  promotedCsrId: string | null;
}

const SELF_SIGNED_WARNING =
  'This certificate is self-signed: browsers and FTPS clients warn until a certificate signed by an ' +
  'authority is loaded (tessera cert csr, then tessera cert load).';

/**
 * The TLS identity HTTPS and FTPS present: self-signed certificates, CSRs with pending keys,
 * loading signed certificates with their chains, and handing the active key to the doors.
 */
export class TlsCertificates {
  constructor(
    private readonly store: TlsKeyStore,
    private readonly masterKey: MasterKey,
    private readonly events: Announcements,
    private readonly logger: Logger,
  ) {}

  /** A new key and a self-signed certificate for it, active at once. */
  async selfSigned(form: IdentityForm & { validityDays: number }): Promise<ActiveCertificate> {
    const key = await TlsKeyPair.generate(form.keyType);
    const altNames = altNamesFor(form.subject.commonName, form.altNames);
    const certificatePem = await selfSignedCertificate(key, { ...form, altNames });
    const record = await this.store.activateNew(this.sealNew(key, form.subject, altNames), {
      certificatePem,
      chainPem: [],
      origin: 'self-signed',
    });
    await this.announce(record, 'a self-signed certificate is now the active TLS identity');
    return this.describe(record);
  }

  /** A new pending key and its CSR. The active key and earlier pending keys stay as they are. */
  async createCsr(form: IdentityForm): Promise<PendingCsr> {
    const key = await TlsKeyPair.generate(form.keyType);
    const altNames = altNamesFor(form.subject.commonName, form.altNames);
    const csrPem = await certificateSigningRequest(key, form.subject, altNames);
    const record = await this.store.addPending({
      ...this.sealNew(key, form.subject, altNames),
      csrPem,
    });
    this.logger.info(
      { csrId: record.id, subject: record.subject, keyType: record.keyType },
      'made a pending key and its CSR',
    );
    return pendingCsr(record);
  }

  async listCsrs(): Promise<PendingCsr[]> {
    return (await this.store.pending()).map(pendingCsr);
  }

  async discardCsr(id: string): Promise<void> {
    if (!(await this.store.discardPending(id))) {
      throw new RequestFailure('not_found', `there is no pending CSR with id ${id}`);
    }
    this.logger.info({ csrId: id }, 'discarded a pending key and its CSR');
  }

  /**
   * Loads a signed certificate and its chain. Checks, in order: each field reads as certificates
   * (not a private key or a CSR); one of them is for a pending key or the active key; the chain
   * links up; nothing is expired. Then the certificate's key becomes the active key.
   */
  async load(input: {
    certificate: CertificateInput;
    chain: CertificateInput[];
  }): Promise<LoadResult> {
    const leafField = readCertificates(input.certificate, 'certificate');
    const chainFields = input.chain.flatMap((c, i) =>
      readCertificates(c, input.chain.length > 1 ? `chain file ${i + 1}` : 'chain'),
    );
    const all = [...leafField, ...chainFields];

    const [active, pending] = await Promise.all([this.store.active(), this.store.pending()]);
    const known = new Map<string, TlsKeyRecord>();
    for (const k of [...(active ? [active] : []), ...pending]) known.set(k.publicKeySha256, k);
    const leaf = all.find((c) => known.has(certificatePublicKeySha256(c)));
    if (!leaf) this.refuseMismatch(leafField[0]!, active, pending.length);
    const record = known.get(certificatePublicKeySha256(leaf))!;

    const { chain, warnings: chainNotes } = orderChain(
      leaf,
      all.filter((c) => c !== leaf),
    );
    const { warnings: validityNotes } = checkValidity([leaf, ...chain]);
    this.checkKeyOpens(record, leaf);

    const origin: CertificateOrigin = isSelfSigned(leaf) ? 'self-signed' : 'ca-issued';
    const matched = record.status === 'active' ? 'active' : 'pending';
    const promoted = await this.store.promote(record.id, {
      certificatePem: toPem(leaf),
      chainPem: chain.map(toPem),
      origin,
    });
    if (!promoted) {
      throw new RequestFailure(
        'conflict',
        'the key this certificate was made for was discarded while it was being loaded',
      );
    }
    await this.announce(
      promoted,
      matched === 'pending'
        ? 'a signed certificate for a pending key is now the active TLS identity'
        : 'a new certificate for the active key is now the active TLS identity',
    );
    const certificate = this.describe(promoted);
    certificate.warnings = [...new Set([...chainNotes, ...validityNotes, ...certificate.warnings])];
    return { certificate, matched, promotedCsrId: matched === 'pending' ? record.id : null };
  }

  async show(): Promise<ActiveCertificate> {
    return this.describe(await this.activeRecord());
  }

  /** The active certificate, chain and private key: for the TLS doors alone. */
  async material(): Promise<ReplyOf<typeof pkiCertificateMaterial>> {
    const record = await this.activeRecord();
    const key = this.openKey(record);
    const leaf = new X509Certificate(record.certificatePem!);
    return {
      certificatePem: record.certificatePem!,
      chainPem: record.chainPem,
      privateKey: key.pkcs8Pem(),
      fingerprintSha256: leaf.fingerprint256,
      activatedAt: record.activatedAt!.toISOString(),
    };
  }

  /**
   * First start: with no active certificate, makes a self-signed one for this host (its name,
   * localhost, 127.0.0.1 and ::1) so HTTPS and FTPS work out of the box. Safe with replicas.
   */
  async ensureActive(hostname = os.hostname()): Promise<void> {
    if (await this.store.active()) return;
    const key = await TlsKeyPair.generate('rsa-2048');
    const subject: CertificateSubject = {
      commonName: hostname.slice(0, 64) || 'localhost',
      organization: 'Tessera',
      organizationalUnit: 'Self-signed at first start',
    };
    const altNames = altNamesFor(subject.commonName, ['localhost', '127.0.0.1', '::1']);
    const certificatePem = await selfSignedCertificate(key, {
      subject,
      altNames,
      validityDays: 365,
    });
    const record = await this.store.activateIfNone(this.sealNew(key, subject, altNames), {
      certificatePem,
      chainPem: [],
      origin: 'first-start',
    });
    if (record) {
      await this.announce(
        record,
        'no TLS certificate yet: made a self-signed one for this host (clients will warn until a CA-signed one is loaded)',
      );
    }
  }

  private async activeRecord(): Promise<TlsKeyRecord> {
    const record = await this.store.active();
    if (!record?.certificatePem) {
      throw new RequestFailure('not_found', 'there is no active TLS certificate yet');
    }
    return record;
  }

  private sealNew(key: TlsKeyPair, subject: CertificateSubject, altNames: AltNames): NewTlsKey {
    const id = randomUUID();
    return {
      id,
      keyType: key.keyType,
      privateKeySealed: this.masterKey.seal(key.pkcs8Der(), tlsKeyContext(id)),
      publicKeySha256: key.publicKeySha256(),
      subject: subjectName(subject).toString(),
      altNames: [...altNames.dns, ...altNames.ip],
    };
  }

  private openKey(record: TlsKeyRecord): TlsKeyPair {
    const der = this.masterKey.open(record.privateKeySealed, tlsKeyContext(record.id));
    return TlsKeyPair.fromPkcs8(record.keyType as TlsKeyType, der);
  }

  /** The stored key must open and fit the certificate before it is made active. */
  private checkKeyOpens(record: TlsKeyRecord, leaf: X509Certificate): void {
    let fits = false;
    try {
      fits = leaf.checkPrivateKey(this.openKey(record).privateKey);
    } catch (err) {
      this.logger.error({ err: String(err), keyId: record.id }, 'a stored TLS key does not open');
    }
    if (!fits) {
      throw new RequestFailure(
        'internal',
        'the stored key for this certificate could not be opened with the configured master key',
      );
    }
  }

  private refuseMismatch(
    cert: X509Certificate,
    active: TlsKeyRecord | null,
    pending: number,
  ): never {
    const activeText = active ? `the active key's ("${active.subject}")` : 'the active key';
    const keys =
      pending === 0
        ? `not ${activeText}, and there is no pending key (no CSR was made here, or it was discarded)`
        : `neither ${activeText} nor that of any of the ${pending} pending key${pending === 1 ? '' : 's'} (CSRs)`;
    return refuse(
      'key-mismatch',
      `The certificate "${subjectOf(cert)}" is for a different key: its public key is ${keys}. ` +
        'Was the CSR made elsewhere, or was its pending key discarded? Make a new CSR with ' +
        '"tessera cert csr" and have it signed.',
      { publicKeySha256: certificatePublicKeySha256(cert) },
    );
  }

  private async announce(record: TlsKeyRecord, message: string): Promise<void> {
    const leaf = new X509Certificate(record.certificatePem!);
    const facts = certificateFacts(leaf);
    this.logger.info(
      { fingerprintSha256: facts.fingerprintSha256, subject: facts.subject, origin: record.origin },
      message,
    );
    await this.events.publish(pkiCertificateActivated, {
      fingerprintSha256: facts.fingerprintSha256,
      subject: facts.subject,
      origin: record.origin as CertificateOrigin,
      notAfter: facts.notAfter,
      at: new Date().toISOString(),
    });
  }

  private describe(record: TlsKeyRecord): ActiveCertificate {
    const leaf = new X509Certificate(record.certificatePem!);
    const chain = record.chainPem.map((pem) => new X509Certificate(pem));
    const facts = certificateFacts(leaf);
    const { notAfter } = validity(leaf);
    const expiresInDays = daysUntil(notAfter);
    const warnings: string[] = [];
    if (facts.selfSigned) warnings.push(SELF_SIGNED_WARNING);
    if (expiresInDays < 0) warnings.push(`This certificate expired on ${facts.notAfter}.`);
    else if (expiresInDays <= EXPIRY_WARNING_DAYS)
      warnings.push(`This certificate expires in ${expiresInDays} days (${facts.notAfter}).`);
    if (!allowsServerAuth(leaf))
      warnings.push(
        'This certificate is not meant for TLS servers (its extended key usage lacks serverAuth).',
      );
    return {
      ...facts,
      origin: record.origin as CertificateOrigin,
      keyType: record.keyType as TlsKeyType,
      altNames: certificateAltNames(leaf),
      expiresInDays,
      chain: chain.map(certificateFacts),
      certificatePem: toPem(leaf),
      activatedAt: record.activatedAt!.toISOString(),
      warnings,
    };
  }
}

function pendingCsr(record: TlsKeyRecord): PendingCsr {
  const names = { dns: [] as string[], ip: [] as string[] };
  for (const n of record.altNames) (/^[\d.]+$|:/.test(n) ? names.ip : names.dns).push(n);
  return {
    id: record.id,
    subject: record.subject,
    altNames: names,
    keyType: record.keyType as TlsKeyType,
    publicKeySha256: record.publicKeySha256,
    csrPem: record.csrPem ?? '',
    createdAt: record.createdAt.toISOString(),
  };
}
