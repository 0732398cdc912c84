import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { MasterKey, SealedBoxError } from './master-key';

describe('MasterKey', () => {
  const secret = Buffer.from('-----BEGIN PRIVATE KEY----- not really -----END PRIVATE KEY-----');

  it('seals and opens with AES-256-GCM, bound to its context', () => {
    const key = MasterKey.generate();
    const box = key.seal(secret, 'tls-key:a');
    expect(Buffer.from(box).includes(secret.subarray(0, 16))).toBe(false);
    expect(key.open(box, 'tls-key:a')).toEqual(secret);
    expect(() => key.open(box, 'tls-key:b')).toThrow(
      /does not open: it is damaged or was copied from another record/,
    );
  });

  it('says when a box was sealed under another master key', () => {
    const box = MasterKey.generate().seal(secret, 'x');
    const other = MasterKey.generate();
    expect(() => other.open(box, 'x')).toThrow(SealedBoxError);
    expect(() => other.open(box, 'x')).toThrow(/sealed under another TESSERA_MASTER_KEY \(key id/);
  });

  it('detects tampering', () => {
    const key = MasterKey.generate();
    const box = key.seal(secret, 'x');
    box[box.length - 20] ^= 1;
    expect(() => key.open(box, 'x')).toThrow(/damaged/);
  });

  it('reads base64 (as openssl rand -base64 32 prints it) and hex, and refuses other lengths', () => {
    const bytes = randomBytes(32);
    expect(MasterKey.parse(bytes.toString('base64') + '\n').id).toBe(MasterKey.fromBytes(bytes).id);
    expect(MasterKey.parse(bytes.toString('hex')).id).toBe(MasterKey.fromBytes(bytes).id);
    expect(() => MasterKey.parse(randomBytes(16).toString('base64'))).toThrow(/got 16 bytes/);
    expect(() => MasterKey.parse('not base64 at all!')).toThrow(/not base64/);
  });

  it('never shows the key itself when logged or inspected', () => {
    const bytes = randomBytes(32);
    const key = MasterKey.fromBytes(bytes);
    expect(JSON.stringify(key)).toBe(`{"masterKeyId":"${key.id}"}`);
    expect(inspect(key)).toBe(`MasterKey(${key.id})`);
  });
});
