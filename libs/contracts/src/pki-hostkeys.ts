import { z } from 'zod';
import { defineEvent, defineRequest } from './contract';
import { timestampSchema } from './fields';

/**
 * SSH host keys, made and kept by the pki service. No DSA. The ECDSA key is made and kept but the
 * SSH door does not offer it by default (ssh-audit fails NIST curves; see docs/architecture.md).
 */
export const hostKeyKinds = ['ed25519', 'ecdsa-p256', 'rsa-3072'] as const;
export const hostKeyKindSchema = z.enum(hostKeyKinds);
export type HostKeyKind = z.infer<typeof hostKeyKindSchema>;

export const hostKeyInfoSchema = z.object({
  kind: hostKeyKindSchema,
  /** The public key as an OpenSSH line ("ssh-ed25519 AAAA… tessera-host"). */
  publicKey: z.string(),
  /** SHA256:… as ssh-keygen -l prints it, for clients to check on first connect. */
  fingerprint: z.string(),
  createdAt: timestampSchema,
});
export type HostKeyInfo = z.infer<typeof hostKeyInfoSchema>;

/** Public facts only: for the CLI and the admin console. */
export const pkiHostKeysShow = defineRequest(
  'pki.hostkeys.show',
  z.object({}),
  z.object({ keys: z.array(hostKeyInfoSchema) }),
);

/** Makes new host keys (all kinds, or those named) and announces `pki.hostkeys.changed`. */
export const pkiHostKeysRegenerate = defineRequest(
  'pki.hostkeys.regenerate',
  z.object({ kinds: z.array(hostKeyKindSchema).min(1).optional() }),
  z.object({ keys: z.array(hostKeyInfoSchema) }),
);

/**
 * Key material: the only reply that carries host private keys, for the SSH door alone (NATS
 * permissions in deployments allow no one else to ask). Made on first ask if none exist yet.
 */
export const pkiHostKeysMaterial = defineRequest(
  'pki.hostkeys.material',
  z.object({}),
  z.object({
    keys: z.array(
      hostKeyInfoSchema.extend({
        /** The private key in OpenSSH format (the "OPENSSH PRIVATE KEY" PEM), as ssh2 reads it. */
        privateKey: z.string(),
      }),
    ),
  }),
);

export const pkiHostKeysChanged = defineEvent(
  'pki.hostkeys.changed',
  z.object({ kinds: z.array(hostKeyKindSchema), at: timestampSchema }),
);
