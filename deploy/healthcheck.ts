// Container healthcheck: `node dist/deploy/healthcheck.js <service>` exits 0 when
// the service answers its `health.<service>` ping over NATS within two seconds.
import { BusClient } from '@tessera/bus';
import { loadConfig } from '@tessera/config';
import { healthPing } from '@tessera/contracts';

async function main(service: string | undefined): Promise<number> {
  if (!service) {
    process.stderr.write('usage: healthcheck <service>\n');
    return 2;
  }
  const bus = await BusClient.connect(loadConfig(), `healthcheck-${service}`);
  try {
    const reply = await bus.request(healthPing(service), {}, { timeoutMs: 2000 });
    if (!reply.ok) process.stderr.write(`${service}: ${reply.error.message}\n`);
    return reply.ok ? 0 : 1;
  } finally {
    await bus.close();
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `healthcheck failed: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  },
);
