import { utils } from 'ssh2';
import { checkKeyAttempt, type KeyAttempt } from './key-attempt';

// ECDSA, not ed25519: ssh2 makes an ed25519 pair it cannot read back once in 256 (see pki's
// generateHostKey), which would make these tests flaky.
const newKey = () => utils.generateKeyPairSync('ecdsa', { bits: 256 });

/** An attempt by `ida`'s key whose signature was made by a different key. */
function forgedAttempt(): KeyAttempt {
  const own = utils.parseKey(newKey().public);
  const other = utils.parseKey(newKey().private);
  if (own instanceof Error || other instanceof Error) throw new Error('cannot make keys');
  const signedData = Buffer.from('session id and request');
  return {
    username: 'ida',
    algorithm: 'ecdsa-sha2-nistp256',
    key: own.getPublicSSH(),
    signedData,
    signature: other.sign(signedData),
  };
}

describe('checkKeyAttempt', () => {
  it('passes an offer on unproven, and a verified signature on proven', () => {
    const own = utils.parseKey(newKey().private);
    if (own instanceof Error) throw own;
    const offer = { username: 'ida', algorithm: 'ecdsa-sha2-nistp256', key: own.getPublicSSH() };
    expect(checkKeyAttempt(offer)).toMatchObject({ keyType: 'ecdsa-sha2-nistp256', proven: false });
    const signedData = Buffer.from('what the client signs');
    const signed = { ...offer, signedData, signature: own.sign(signedData) };
    expect(checkKeyAttempt(signed)).toMatchObject({ keyData: offer.key, proven: true });
  });

  it('refuses a signature made by another key', () => {
    expect(checkKeyAttempt(forgedAttempt())).toEqual({ outcome: 'bad-signature' });
  });

  it('refuses SHA-1 RSA signatures and DSA keys', () => {
    const rsa = { username: 'ida', algorithm: 'ssh-rsa', key: Buffer.alloc(8) };
    expect(checkKeyAttempt(rsa)).toMatchObject({ outcome: 'weak-algorithm' });
    expect(checkKeyAttempt({ ...rsa, algorithm: 'ssh-dss' })).toMatchObject({
      outcome: 'weak-algorithm',
    });
  });
});
