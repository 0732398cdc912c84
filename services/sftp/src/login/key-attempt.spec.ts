import { utils } from 'ssh2';
import { checkKeyAttempt, type KeyAttempt } from './key-attempt';

/** An attempt by `ida`'s key whose signature was made by a different key. */
function forgedAttempt(): KeyAttempt {
  const own = utils.parseKey(utils.generateKeyPairSync('ed25519').public);
  const other = utils.parseKey(utils.generateKeyPairSync('ed25519').private);
  if (own instanceof Error || other instanceof Error) throw new Error('cannot make keys');
  const signedData = Buffer.from('session id and request');
  return {
    username: 'ida',
    algorithm: 'ssh-ed25519',
    key: own.getPublicSSH(),
    signedData,
    signature: other.sign(signedData),
  };
}

describe('checkKeyAttempt', () => {
  it('passes an offer on unproven, and a verified signature on proven', () => {
    const own = utils.parseKey(utils.generateKeyPairSync('ed25519').private);
    if (own instanceof Error) throw own;
    const offer = { username: 'ida', algorithm: 'ssh-ed25519', key: own.getPublicSSH() };
    expect(checkKeyAttempt(offer)).toMatchObject({ keyType: 'ssh-ed25519', proven: false });
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
