import type { Duplex } from 'node:stream';
import { NoticeError, StorageError } from '@tessera/storage';
import type { SftpContext } from './context';
import { auditLine } from './audit';
import { OversizedPacket, PacketFramer } from './framer';
import { TooManyHandles, type OpenItem } from './open-handles';
import { BadMessage, PacketReader } from './packet-reader';
import { maxPacketLength, RequestType, Status } from './protocol';
import { encodeReply, ok, status, type Reply } from './replies';
import { requestHandlers, type RequestHandler } from './request-table';
import { ReplySequence } from './reply-sequence';
import { RequestOrder } from './request-order';
import { storageErrorReply } from './status-map';
import { logDownload, logUpload } from './transfer-log';
import { versionReply } from './version';

export interface SftpSessionOptions {
  /** Requests being worked on at once; beyond it we stop reading and SSH flow control holds the client. */
  maxInFlight: number;
  /** Called on every request: the connection's idle timer. */
  onActivity: () => void;
}

const cutOff = 'cut off: the connection closed before CLOSE';

/** Slack over the largest packet we advertise: a WRITE of 255 KiB plus its header fields. */
const packetSlack = 1024;

/**
 * One `sftp` subsystem on an SSH channel: cuts the stream into packets, answers INIT with our
 * VERSION, runs each request through the handler table in the right order, and writes replies.
 * Memory stays bounded: past `maxInFlight` requests, or while the client is not reading our
 * replies, we stop reading the channel, so the SSH window closes and the client waits.
 */
export class SftpSession {
  private readonly framer = new PacketFramer(maxPacketLength + packetSlack);
  private readonly order = new RequestOrder((error) =>
    this.ctx.logger.error({ err: error }, 'sftp request failed after its reply'),
  );
  private readonly replies = new ReplySequence((packet) => this.send(packet));
  private initialised = false;
  private inFlight = 0;
  private writeBlocked = false;
  private closed = false;

  constructor(
    private readonly channel: Duplex,
    private readonly ctx: SftpContext,
    private readonly options: SftpSessionOptions,
  ) {}

  start(): void {
    this.channel.on('data', (chunk: Buffer) => this.onData(chunk));
    this.channel.on('drain', () => {
      this.writeBlocked = false;
      this.updateFlow();
    });
    this.channel.on('end', () => void this.finish());
    this.channel.on('close', () => void this.release());
    this.channel.on('error', (err: Error) => this.ctx.logger.debug({ err }, 'sftp channel error'));
  }

  private onData(chunk: Buffer): void {
    let packets: Buffer[];
    try {
      packets = this.framer.push(chunk);
    } catch (error) {
      if (!(error instanceof OversizedPacket)) throw error;
      return this.fail(error.message);
    }
    for (const packet of packets) this.onPacket(packet);
  }

  private onPacket(packet: Buffer): void {
    if (this.closed) return;
    const type = packet[0]!;
    if (!this.initialised) {
      if (type !== RequestType.INIT) return this.fail(`expected INIT, got packet type ${type}`);
      this.initialised = true;
      this.send(versionReply());
      return;
    }
    if (packet.length < 5) return this.fail('a request without an id');
    const id = packet.readUInt32BE(1);
    const body = packet.subarray(5);
    this.options.onActivity();
    const place = this.replies.reserve();
    this.inFlight++;
    const handler = requestHandlers.get(type);
    if (!handler) {
      const unsupported = status(Status.OP_UNSUPPORTED, `request type ${type} is not supported`);
      return this.reply(place, encodeReply(id, unsupported));
    }
    this.updateFlow();
    this.order.run(handler.concurrent, () => this.execute(handler, id, body, place));
  }

  /**
   * Runs one request and answers it. Whatever fails on the way (even the log), the client gets
   * an answer, which leaves the in-flight count once it is sent in turn, or the channel would
   * stay paused.
   */
  private async execute(
    handler: RequestHandler,
    id: number,
    body: Buffer,
    place: number,
  ): Promise<void> {
    let answered = false;
    try {
      const reply = await this.answer(handler, body);
      this.reply(place, this.encode(id, reply));
      answered = true;
      const audit = auditLine(handler, body, reply);
      if (audit) this.ctx.logger.info(audit, `sftp ${audit.request}`);
    } catch (error) {
      if (!answered) {
        this.reply(
          place,
          encodeReply(id, status(Status.FAILURE, 'the server failed on this request')),
        );
      }
      throw error; // RequestOrder passes it on to the log
    }
  }

  /** A request counts as in flight until its reply has left, in arrival order. */
  private reply(place: number, packet: Buffer): void {
    this.inFlight -= this.replies.deliver(place, packet);
    this.updateFlow();
  }

  /** A reply that cannot be encoded is a bug of ours: the client still gets an answer. */
  private encode(id: number, reply: Reply): Buffer {
    try {
      return encodeReply(id, reply);
    } catch (error) {
      this.ctx.logger.error({ err: error, reply: reply.kind }, 'sftp reply could not be encoded');
      return encodeReply(id, status(Status.FAILURE, 'the server failed on this request'));
    }
  }

  /** Runs the handler and maps whatever it throws, once, to a status reply. */
  private async answer(handler: RequestHandler, body: Buffer): Promise<Reply> {
    try {
      return await handler.run(this.ctx, new PacketReader(body));
    } catch (error) {
      if (error instanceof StorageError) return storageErrorReply(error);
      if (error instanceof BadMessage) return status(Status.BAD_MESSAGE, error.message);
      if (error instanceof TooManyHandles) return status(Status.FAILURE, error.message);
      if (error instanceof NoticeError) {
        // The file operation is done (an upload is in place): only its event is lost. Durable
        // retry of events is a later issue; until then the operator must see this loudly.
        this.ctx.logger.error(
          { err: error, notice: error.payload },
          'event could not be published',
        );
        return ok();
      }
      this.ctx.logger.error({ err: error, request: handler.name }, 'sftp request failed');
      return status(Status.FAILURE, 'the server failed on this request');
    }
  }

  private send(packet: Buffer): void {
    if (this.closed) return;
    if (!this.channel.write(packet)) {
      this.writeBlocked = true;
      this.updateFlow();
    }
  }

  /** Reads the channel only while we have room for more requests and the client reads replies. */
  private updateFlow(): void {
    const hold = this.writeBlocked || this.inFlight >= this.options.maxInFlight;
    if (hold && !this.channel.isPaused()) this.channel.pause();
    if (!hold && this.channel.isPaused()) this.channel.resume();
  }

  /** The client sent EOF: answer what is still running, then close our side. */
  private async finish(): Promise<void> {
    await this.order.idle();
    this.channel.end();
  }

  /** The channel is gone: cut uploads are discarded (resumed ones keep their bytes). */
  private async release(): Promise<void> {
    this.closed = true;
    await this.order.idle();
    for (const item of this.ctx.handles.drain()) {
      await this.releaseItem(item).catch((err: unknown) =>
        this.ctx.logger.error({ err }, 'releasing an open file at the end of the session failed'),
      );
    }
  }

  /** A transfer still open when the channel went away was cut off: logged as such. */
  private async releaseItem(item: OpenItem): Promise<void> {
    if (item.kind === 'upload') {
      logUpload(this.ctx.logger, item.transfer, cutOff);
      await item.transfer.abort();
    }
    if (item.kind === 'download') {
      logDownload(this.ctx.logger, item.transfer, cutOff);
      await item.transfer.close();
    }
  }

  private fail(reason: string): void {
    this.ctx.logger.warn({ reason }, 'sftp protocol error; closing the session');
    this.closed = true;
    this.channel.destroy();
  }
}
