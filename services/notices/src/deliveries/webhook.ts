import { createHmac } from 'node:crypto';
import type { NoticeWebhookBody } from '@tessera/contracts';

/** Thrown when a receiver did not take a message; the text goes into the delivery log. */
export class DeliveryFailed extends Error {}

/**
 * `Tessera-Signature: t=<unix seconds>,v1=<hex>`: HMAC-SHA256 under the rule's secret over
 * "<t>.<body>", as Stripe signs: the receiver recomputes it and refuses an old `t` (replays).
 */
export function signature(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** POSTs one message; any 2xx within the timeout is delivered, anything else a failure. */
export async function postWebhook(
  url: string,
  secret: string,
  body: NoticeWebhookBody,
  timeoutMs: number,
): Promise<void> {
  const text = JSON.stringify(body);
  let status: number;
  try {
    const reply = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Tessera-Notices/1',
        'tessera-delivery': body.deliveryId,
        'tessera-signature': signature(secret, text, Math.floor(Date.now() / 1000)),
      },
      body: text,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = reply.status;
    await reply.body?.cancel();
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    const timedOut = (err as Error).name === 'TimeoutError';
    throw new DeliveryFailed(
      timedOut
        ? `no answer within ${timeoutMs} ms`
        : `cannot reach ${url}: ${cause ?? String(err)}`,
    );
  }
  if (status < 200 || status > 299) throw new DeliveryFailed(`the receiver answered ${status}`);
}
