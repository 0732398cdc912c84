import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { answer } from '@tessera/bus';
import type { Logger } from '@tessera/config';
import {
  noticesAdd,
  noticesDelete,
  noticesList,
  noticesLog,
  noticesShow,
  noticesTest,
  noticesUpdate,
} from '@tessera/contracts';
import { DeliveryLog } from '../deliveries/delivery-log';
import { Sender } from '../deliveries/sender';
import { NoticeRules, shown } from '../rules/notice-rules';
import { sampleEvent } from '../rules/sample-event';
import { LOGGER } from '../tokens';

@Controller()
export class NoticesHandler {
  constructor(
    private readonly rules: NoticeRules,
    private readonly log: DeliveryLog,
    private readonly sender: Sender,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @MessagePattern(noticesAdd.subject)
  add(@Payload() raw: unknown) {
    return answer(noticesAdd, raw, this.logger, async (req) => {
      const notice = await this.rules.add(req);
      this.warnOfPlainHttp(notice.name, req.action);
      return { notice: shown(notice) };
    });
  }

  @MessagePattern(noticesUpdate.subject)
  update(@Payload() raw: unknown) {
    return answer(noticesUpdate, raw, this.logger, async (req) => {
      const notice = await this.rules.update(req);
      this.warnOfPlainHttp(notice.name, notice.action);
      return { notice: shown(notice) };
    });
  }

  @MessagePattern(noticesDelete.subject)
  delete(@Payload() raw: unknown) {
    return answer(noticesDelete, raw, this.logger, async (req) => {
      await this.rules.delete(req.name);
      return { deleted: true as const };
    });
  }

  @MessagePattern(noticesList.subject)
  list(@Payload() raw: unknown) {
    return answer(noticesList, raw, this.logger, async () => ({
      notices: (await this.rules.list()).map(shown),
    }));
  }

  @MessagePattern(noticesShow.subject)
  show(@Payload() raw: unknown) {
    return answer(noticesShow, raw, this.logger, async (req) => ({
      notice: shown(await this.rules.get(req.name)),
    }));
  }

  @MessagePattern(noticesTest.subject)
  test(@Payload() raw: unknown) {
    return answer(noticesTest, raw, this.logger, async (req) => {
      const rule = await this.rules.get(req.name);
      const delivery = await this.log.recordTest(rule, sampleEvent(rule.trigger));
      this.sender.wake();
      return { delivery };
    });
  }

  @MessagePattern(noticesLog.subject)
  deliveries(@Payload() raw: unknown) {
    return answer(noticesLog, raw, this.logger, async (req) => {
      const rule = await this.rules.get(req.name);
      return { deliveries: await this.log.log(rule.id, req.limit) };
    });
  }

  /** Plain http:// is allowed, for receivers on a private network, but never silently. */
  private warnOfPlainHttp(name: string, action: { kind: string; url?: string } | undefined) {
    if (action?.kind === 'webhook' && action.url?.startsWith('http:'))
      this.logger.warn({ notice: name, url: action.url }, 'webhook over plain http: not encrypted');
  }
}
