import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  webcrypto,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import type { TlsKeyType } from '@tessera/contracts';

const generate = promisify(generateKeyPair);

/** Web Crypto algorithm for signing certificates and CSRs with each key type. */
export function signingAlgorithm(
  keyType: TlsKeyType,
): webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams {
  switch (keyType) {
    case 'rsa-2048':
    case 'rsa-3072':
    case 'rsa-4096':
      return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    case 'ecdsa-p256':
      return { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as webcrypto.EcKeyImportParams;
    case 'ecdsa-p384':
      return { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' } as webcrypto.EcKeyImportParams;
  }
}

/**
 * A TLS private key held in memory only while it is used. `pkcs8` is the DER the store seals;
 * nothing here is ever logged (toJSON and inspect print the key type alone).
 */
export class TlsKeyPair {
  private constructor(
    readonly keyType: TlsKeyType,
    readonly privateKey: KeyObject,
    readonly publicKey: KeyObject,
  ) {}

  /** Makes a new key (off the event loop: RSA 4096 takes a while). */
  static async generate(keyType: TlsKeyType): Promise<TlsKeyPair> {
    const pair = keyType.startsWith('rsa-')
      ? await generate('rsa', { modulusLength: Number(keyType.slice(4)) })
      : await generate('ec', { namedCurve: keyType === 'ecdsa-p256' ? 'P-256' : 'P-384' });
    return new TlsKeyPair(keyType, pair.privateKey, pair.publicKey);
  }

  static fromPkcs8(keyType: TlsKeyType, der: Buffer): TlsKeyPair {
    const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    return new TlsKeyPair(keyType, privateKey, createPublicKey(privateKey));
  }

  pkcs8Der(): Buffer {
    return this.privateKey.export({ type: 'pkcs8', format: 'der' });
  }

  pkcs8Pem(): string {
    return this.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }

  spkiDer(): Buffer {
    return this.publicKey.export({ type: 'spki', format: 'der' });
  }

  /** SHA-256 of the public key: what a certificate for this key has too. */
  publicKeySha256(): string {
    return spkiSha256(this.spkiDer());
  }

  /** The pair as Web Crypto keys, for @peculiar/x509 to sign with. */
  async webCryptoKeys(): Promise<webcrypto.CryptoKeyPair> {
    const alg = signingAlgorithm(this.keyType);
    const [privateKey, publicKey] = await Promise.all([
      webcrypto.subtle.importKey('pkcs8', this.pkcs8Der(), alg, false, ['sign']),
      webcrypto.subtle.importKey('spki', this.spkiDer(), alg, true, ['verify']),
    ]);
    return { privateKey, publicKey } as webcrypto.CryptoKeyPair;
  }

  toJSON() {
    return { keyType: this.keyType };
  }
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `TlsKeyPair(${this.keyType})`;
  }
}

/** Colon-separated upper-case hex, the way openssl prints fingerprints. */
export function colonHex(bytes: Buffer): string {
  return (bytes.toString('hex').toUpperCase().match(/../g) ?? []).join(':');
}

export function spkiSha256(spkiDer: Buffer): string {
  return colonHex(createHash('sha256').update(spkiDer).digest());
}
