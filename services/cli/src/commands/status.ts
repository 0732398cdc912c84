import type { Command } from 'commander';
import { askHealth, type HealthAnswer } from '@tessera/bus';
import { pkiCertificateShow, tesseraServices, type ActiveCertificate } from '@tessera/contracts';
import { CliFailure, exitCodes, table, type CliContext } from '../cli-context';

interface Status {
  services: HealthAnswer[];
  certificate: ActiveCertificate | { unavailable: string };
}

/** `tessera status`: is every service up, which release, since when, where it listens, and the TLS identity. */
export function registerStatusCommand(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description(
      "each service's health, version, uptime and ports, and the active certificate (exit 3 when one does not answer)",
    )
    .action(async () => {
      const bus = await ctx.bus();
      const [services, certificate] = await Promise.all([
        askHealth(bus, tesseraServices),
        bus.request(pkiCertificateShow, {}, { timeoutMs: 2000 }),
      ]);
      const status: Status = {
        services,
        certificate: certificate.ok
          ? certificate.value.certificate
          : { unavailable: certificate.error.message },
      };
      ctx.result(status, () => describe(status));
      const silent = services.filter((s) => !s.answers).map((s) => s.service);
      if (silent.length) {
        throw new CliFailure(`not answering: ${silent.join(', ')}`, exitCodes.unavailable);
      }
    });
}

function describe({ services, certificate }: Status): string {
  const rows = services.map((s) =>
    s.answers
      ? [
          s.service,
          'up',
          s.health.version,
          uptime(s.health.uptimeSeconds),
          s.health.listening.map((l) => `${l.protocol} ${l.address}:${l.port}`).join(', ') || '-',
        ]
      : [s.service, 'DOWN', '-', '-', s.reason],
  );
  return [
    table(['SERVICE', 'STATE', 'VERSION', 'UPTIME', 'LISTENING'], rows),
    '',
    ...services.flatMap(connections),
    identity(certificate),
  ].join('\n');
}

/** Each reason a door counts refusals under, as the operator reads it. */
const refusalWords: Record<string, string> = {
  connections: 'server full',
  'per-address': 'per-address limit',
  users: 'user limit',
  'per-user': 'per-user limit',
};

/** "sftp: 3 connections, 2 users; refused since start: 4 per-user limit", for a door. */
function connections(s: Status['services'][number]): string[] {
  const now = s.answers ? s.health.connections : undefined;
  if (!now) return [];
  const refused = Object.entries(now.refused)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${n} ${refusalWords[reason] ?? reason}`);
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  return [
    `${s.service}: ${plural(now.connections, 'connection')}, ${plural(now.users, 'user')}; refused since start: ${refused.join(', ') || 'none'}`,
    '',
  ];
}

function identity(certificate: Status['certificate']): string {
  if ('unavailable' in certificate) return `certificate: unknown (${certificate.unavailable})`;
  return [
    `certificate: ${certificate.subject}`,
    `  issuer:    ${certificate.selfSigned ? `${certificate.issuer} (self-signed)` : certificate.issuer}`,
    `  expires:   ${certificate.notAfter} (${certificate.expiresInDays} days left)`,
  ].join('\n');
}

/** 93784 s -> "1d 2h 3m": what an operator wants from an uptime. */
export function uptime(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d) return `${d}d ${h}h ${m}m`;
  if (h) return `${h}h ${m}m`;
  return m ? `${m}m ${seconds % 60}s` : `${seconds}s`;
}
