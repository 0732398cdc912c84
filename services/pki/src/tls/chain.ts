import type { X509Certificate } from 'node:crypto';
import { issuerOf, isSelfSigned, subjectOf, validity } from './describe';
import { refuse } from './read-certificates';

/** Certificates within this many days of their end are loaded with a warning. */
export const EXPIRY_WARNING_DAYS = 30;
/** Clocks differ: a certificate that starts within this much of now is not "not yet valid". */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface OrderedChain {
  /** Intermediates to present after the leaf, nearest issuer first. */
  chain: X509Certificate[];
  warnings: string[];
}

/** Did `issuer` sign `cert`? Names must link and the signature must verify with its key. */
function signedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * Links the leaf to the chain certificates, whatever order they came in: each link must be signed
 * by the next. A certificate that does not link is refused with a message saying where the chain
 * breaks. A self-signed root at the top is left out (clients must already trust it), with a note.
 */
export function orderChain(leaf: X509Certificate, given: X509Certificate[]): OrderedChain {
  const pool = dedupe(given).filter((c) => c.fingerprint256 !== leaf.fingerprint256);
  const chain: X509Certificate[] = [];
  const warnings: string[] = [];
  let current = leaf;
  while (pool.length && !isSelfSigned(current)) {
    const next = pool.findIndex((c) => signedBy(current, c));
    if (next === -1) break;
    current = pool.splice(next, 1)[0]!;
    chain.push(current);
  }
  if (pool.length && isSelfSigned(current)) {
    refuse(
      'broken-chain',
      `The chain has certificates that do not belong to it: ${pool.map((c) => `"${subjectOf(c)}"`).join(', ')} ` +
        `(the chain already ends at the root "${subjectOf(current)}").`,
    );
  }
  if (pool.length) {
    const named = pool.find((c) => current.checkIssued(c));
    const cause = named
      ? `"${subjectOf(named)}" has the right name but its key did not make that signature (a re-keyed or different authority certificate?)`
      : `none of the other certificates (${pool.map((c) => `"${subjectOf(c)}"`).join(', ')}) signed it`;
    refuse(
      'broken-chain',
      `The chain is broken: "${subjectOf(current)}" was issued by "${issuerOf(current)}", but ${cause}. ` +
        'Load the intermediate certificate(s) your authority gave for this certificate.',
      { at: subjectOf(current) },
    );
  }
  const top = chain[chain.length - 1];
  if (top && isSelfSigned(top)) {
    chain.pop();
    warnings.push(
      `The root certificate "${subjectOf(top)}" was left out of the chain sent to clients: they must already trust it.`,
    );
  }
  return { chain, warnings };
}

function dedupe(certs: X509Certificate[]): X509Certificate[] {
  const seen = new Set<string>();
  return certs.filter((c) => !seen.has(c.fingerprint256) && seen.add(c.fingerprint256));
}

/**
 * Refuses expired or not-yet-valid certificates; warns about chain certificates that end soon (the
 * leaf's own expiry warning is part of how the active certificate is described).
 */
export function checkValidity(
  certs: X509Certificate[],
  now = new Date(),
): { warnings: string[]; expiresInDays: number } {
  const warnings: string[] = [];
  let leafDays = 0;
  certs.forEach((cert, i) => {
    const { notBefore, notAfter } = validity(cert);
    const what = i === 0 ? 'The certificate' : `The chain certificate`;
    if (notAfter.getTime() <= now.getTime()) {
      refuse(
        'expired',
        `${what} "${subjectOf(cert)}" expired on ${notAfter.toISOString()}: ask the authority for a current one.`,
        { notAfter: notAfter.toISOString() },
      );
    }
    if (notBefore.getTime() > now.getTime() + CLOCK_SKEW_MS) {
      refuse(
        'not-yet-valid',
        `${what} "${subjectOf(cert)}" is not valid until ${notBefore.toISOString()}: load it then (or check this server's clock).`,
        { notBefore: notBefore.toISOString() },
      );
    }
    const days = daysUntil(notAfter, now);
    if (i === 0) leafDays = days;
    if (i > 0 && days <= EXPIRY_WARNING_DAYS) {
      warnings.push(
        `${what} "${subjectOf(cert)}" expires in ${days} day${days === 1 ? '' : 's'} (${notAfter.toISOString()}).`,
      );
    }
  });
  return { warnings, expiresInDays: leafDays };
}

export function daysUntil(when: Date, now = new Date()): number {
  return Math.floor((when.getTime() - now.getTime()) / 86_400_000);
}
