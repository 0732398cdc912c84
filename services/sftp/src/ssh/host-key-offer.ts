import { utils, type ParsedKey } from 'ssh2';
import type { HostKeyMaterial } from '../bus/host-keys';

/** The host key kinds offered without any setting; ECDSA only when the operator asks. */
const kindsOffered = (withEcdsa: boolean) =>
  new Set<HostKeyMaterial['kind']>(
    withEcdsa ? ['ed25519', 'rsa-3072', 'ecdsa-p256'] : ['ed25519', 'rsa-3072'],
  );

/** SHA256 fingerprints of the keys `hostKeysToOffer` offers, as clients see them on first connect. */
export function offeredFingerprints(material: HostKeyMaterial[], withEcdsa: boolean): string[] {
  const wanted = kindsOffered(withEcdsa);
  return material.filter((key) => wanted.has(key.kind)).map((key) => key.fingerprint);
}

/**
 * The host keys to hand ssh2, in order of preference: ssh-ed25519, then the RSA key as
 * rsa-sha2-512 and rsa-sha2-256 (then ecdsa-sha2-nistp256 when enabled).
 *
 * Why the RSA key is handed over twice under other names: ssh2 1.17 offers every RSA host key
 * also as "ssh-rsa" (SHA-1 signatures), whatever `algorithms.serverHostKey` says, and ssh-audit
 * fails SHA-1. ssh2 names each offered host key algorithm after the key's `type`, so we give it
 * two views of the one key, typed "rsa-sha2-512" and "rsa-sha2-256": ssh2 then offers exactly
 * those, signs with SHA-512/SHA-256 as the negotiated name says, and sends the key's usual
 * "ssh-rsa" public blob (RFC 8332). Checked by the algorithm test and by ssh-audit.
 */
export function hostKeysToOffer(material: HostKeyMaterial[], withEcdsa: boolean): ParsedKey[] {
  const wanted = kindsOffered(withEcdsa);
  const order: HostKeyMaterial['kind'][] = ['ed25519', 'rsa-3072', 'ecdsa-p256'];
  const keys: ParsedKey[] = [];
  for (const kind of order) {
    const found = material.find((k) => k.kind === kind);
    if (!found || !wanted.has(kind)) continue;
    const key = parsePrivate(found);
    if (kind === 'rsa-3072') keys.push(renamed(key, 'rsa-sha2-512'), renamed(key, 'rsa-sha2-256'));
    else keys.push(key);
  }
  if (keys.length === 0) throw new Error('the pki service gave no ed25519 or RSA host key');
  return keys;
}

function parsePrivate(material: HostKeyMaterial): ParsedKey {
  const parsed = utils.parseKey(material.privateKey);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error || !key.isPrivateKey()) {
    throw new Error(`the ${material.kind} host key from the pki service cannot be read`);
  }
  return key;
}

/** A view of `key` with another `type`; everything else (signing, public blob) is the key's. */
function renamed(key: ParsedKey, type: string): ParsedKey {
  return Object.create(key, { type: { value: type, enumerable: true } }) as ParsedKey;
}
