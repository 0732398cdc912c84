import { JSONCodec, type NatsConnection, type Subscription } from 'nats';
import type { Logger } from '@tessera/config';
import type { AnyRequestContract, ParsedRequestOf, ReplyOf } from '@tessera/contracts';
import { answer } from './answer';
import { UnreadablePayload } from './bus-server';

const json = JSONCodec<unknown>();

/**
 * Answers `contract` from this process beside every other process that answers it: no queue
 * group, so each replica replies for itself (who is logged in here, end them here). The asker
 * collects the replies with `BusClient.requestAll`. Validation and error replies as `answer`.
 * `queue`: the replicas of one service answer as one, for state they share (the web gateway's
 * sessions are in a KV bucket, not in one process): one reply, not one copy per replica.
 */
export function answerHere<C extends AnyRequestContract>(
  connection: NatsConnection,
  prefix: string,
  contract: C,
  logger: Logger,
  work: (request: ParsedRequestOf<C>) => Promise<ReplyOf<C>>,
  { queue }: { queue?: string } = {},
): Subscription {
  return connection.subscribe(prefix + contract.subject, {
    queue,
    callback: (_err, msg) => {
      void answer(contract, decode(msg.data), logger, work).then((result) =>
        msg.respond(json.encode(result)),
      );
    },
  });
}

function decode(data: Uint8Array): unknown {
  try {
    return json.decode(data);
  } catch (err) {
    return new UnreadablePayload(err instanceof Error ? err.message : 'not JSON');
  }
}
