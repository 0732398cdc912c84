import { X509Certificate } from 'node:crypto';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Headers every answer carries: a strict CSP (only our own scripts, styles and connections; no
 * framing), nosniff, no referrer, no opener. Strict-Transport-Security is added by `hsts` below.
 * `upgrade-insecure-requests` is left out: with the redirect off, the page is served over HTTP too.
 */
export const securityHeaders: RequestHandler = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'img-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'font-src': ["'self'"],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
      'form-action': ["'self'"],
      'frame-ancestors': ["'none'"],
    },
  },
  strictTransportSecurity: false,
  referrerPolicy: { policy: 'no-referrer' },
  xFrameOptions: { action: 'deny' },
});

/** One year, as browsers' preload rules ask; sent only over HTTPS. */
const hstsValue = 'max-age=31536000';

/** Whether HSTS is sent now, and if it is refused, why. */
export interface HstsState {
  on: boolean;
  refusal: string | null;
}

/**
 * `web.hsts` on, but refused while the certificate is self-signed: browsers remember HSTS, and
 * with a certificate they cannot check they would then refuse the site with no way to click on.
 */
export function hstsState(wanted: boolean, certificatePem: string): HstsState {
  if (!wanted) return { on: false, refusal: null };
  if (isSelfSigned(certificatePem)) {
    return {
      on: false,
      refusal:
        'web.hsts is on but refused: the active certificate is self-signed, and browsers that remember HSTS would lock users out; load a CA-signed certificate',
    };
  }
  return { on: true, refusal: null };
}

export function hsts(state: () => HstsState): RequestHandler {
  return (req, res, next) => {
    if (req.secure && state().on) res.setHeader('Strict-Transport-Security', hstsValue);
    next();
  };
}

function isSelfSigned(pem: string): boolean {
  const cert = new X509Certificate(pem);
  // Not checkIssued: OpenSSL also wants keyCertSign there, which a self-signed leaf lacks.
  return cert.issuer === cert.subject && cert.verify(cert.publicKey);
}
