import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { answer } from '@tessera/bus';
import type { Logger } from '@tessera/config';
import {
  pkiCertificateLoad,
  pkiCertificateMaterial,
  pkiCertificateSelfSigned,
  pkiCertificateShow,
  pkiCsrCreate,
  pkiCsrDiscard,
  pkiCsrList,
} from '@tessera/contracts';
import { TlsCertificates } from '../tls/tls-certificates';
import { LOGGER } from '../tokens';

/** The TLS identity: self-signed certificates, CSRs with pending keys, loading, viewing. */
@Controller()
export class CertificatesHandler {
  constructor(
    private readonly certificates: TlsCertificates,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @MessagePattern(pkiCertificateSelfSigned.subject)
  selfSigned(@Payload() raw: unknown) {
    return answer(pkiCertificateSelfSigned, raw, this.logger, async (req) => ({
      certificate: await this.certificates.selfSigned(req),
    }));
  }

  @MessagePattern(pkiCsrCreate.subject)
  createCsr(@Payload() raw: unknown) {
    return answer(pkiCsrCreate, raw, this.logger, async (req) => ({
      csr: await this.certificates.createCsr(req),
    }));
  }

  @MessagePattern(pkiCsrList.subject)
  listCsrs(@Payload() raw: unknown) {
    return answer(pkiCsrList, raw, this.logger, async () => ({
      csrs: await this.certificates.listCsrs(),
    }));
  }

  @MessagePattern(pkiCsrDiscard.subject)
  discardCsr(@Payload() raw: unknown) {
    return answer(pkiCsrDiscard, raw, this.logger, async (req) => {
      await this.certificates.discardCsr(req.id);
      return { discarded: true as const };
    });
  }

  @MessagePattern(pkiCertificateLoad.subject)
  load(@Payload() raw: unknown) {
    return answer(pkiCertificateLoad, raw, this.logger, (req) => this.certificates.load(req));
  }

  @MessagePattern(pkiCertificateShow.subject)
  show(@Payload() raw: unknown) {
    return answer(pkiCertificateShow, raw, this.logger, async () => ({
      certificate: await this.certificates.show(),
    }));
  }

  /** The one reply that carries the TLS private key (for the HTTPS and FTPS doors). */
  @MessagePattern(pkiCertificateMaterial.subject)
  material(@Payload() raw: unknown) {
    return answer(pkiCertificateMaterial, raw, this.logger, () => this.certificates.material());
  }
}
