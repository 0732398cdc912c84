// The one line `npm start` prints once every service answers: what listens where, and which TLS
// identity and SSH host keys are served, so a new operator knows the system is up and how to reach it.
import { askHealth, type BusClient, type HealthAnswer } from '@tessera/bus';
import { pkiCertificateShow, type ActiveCertificate, type HealthReply } from '@tessera/contracts';

/** Asks until every service answers or `waitMs` passes; then says who did not. */
export async function waitUntilReady(
  bus: BusClient,
  services: readonly string[],
  waitMs: number,
): Promise<HealthReply[]> {
  const end = Date.now() + waitMs;
  for (;;) {
    const answers = await askHealth(bus, services, 1000);
    const silent = answers.filter((a) => !a.answers);
    if (silent.length === 0) return answers.map((a) => (a as HealthAnswerOk).health);
    if (Date.now() >= end) {
      throw new Error(`not ready after ${waitMs / 1000} s: ${silent.map(quiet).join('; ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

type HealthAnswerOk = Extract<HealthAnswer, { answers: true }>;
const quiet = (a: HealthAnswer) => (a.answers ? '' : `${a.service} does not answer`);

export async function activeCertificate(bus: BusClient): Promise<ActiveCertificate | string> {
  const reply = await bus.request(pkiCertificateShow, {});
  return reply.ok ? reply.value.certificate : reply.error.message;
}

export function readyLine(
  health: HealthReply[],
  certificate: ActiveCertificate | string,
  seconds: number,
): string {
  const doors = health.flatMap((h) =>
    h.listening.map((l) => {
      const keys = h.hostKeyFingerprints?.length
        ? ` (host keys ${h.hostKeyFingerprints.join(', ')})`
        : '';
      return `${l.protocol} on ${l.address}:${l.port}${keys}`;
    }),
  );
  const version = health[0]?.version ?? 'unknown';
  return (
    `Tessera ${version} is ready after ${seconds.toFixed(1)} s: ${doors.join('; ') || 'no door listens'}; ` +
    `${describeIdentity(certificate)}; ${health.map((h) => h.service).join(', ')} answer`
  );
}

function describeIdentity(certificate: ActiveCertificate | string): string {
  if (typeof certificate === 'string') return `TLS identity unknown (${certificate})`;
  const kind = certificate.selfSigned ? 'self-signed' : `issued by ${certificate.issuer}`;
  return `TLS identity ${certificate.subject} (${kind}, ${certificate.expiresInDays} days left)`;
}
