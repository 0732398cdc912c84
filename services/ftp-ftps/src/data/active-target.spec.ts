import { isClientsOwn, parseEprt, parsePort } from './active-target';

describe('PORT and EPRT arguments', () => {
  it('reads PORT h1,h2,h3,h4,p1,p2', () => {
    expect(parsePort('127,0,0,1,39,16')).toEqual({ host: '127.0.0.1', port: 10000 });
    for (const bad of ['127,0,0,1,39', '256,0,0,1,1,1', '127,0,0,1,0,0', 'a,b,c,d,e,f', '1,2,3,4,5,6,7']) {
      expect(parsePort(bad)).toBeNull();
    }
  });

  it('reads EPRT with any delimiter, its protocol matching its address', () => {
    expect(parseEprt('|1|127.0.0.1|6000|')).toEqual({ host: '127.0.0.1', port: 6000 });
    expect(parseEprt('!2!::1!6000!')).toEqual({ host: '::1', port: 6000 });
    for (const bad of ['|2|127.0.0.1|6000|', '|1|::1|6000|', '|3|127.0.0.1|6000|', '|1|127.0.0.1|0|', '|1|127.0.0.1|70000|', '|1|127.0.0.1|6000', '']) {
      expect(parseEprt(bad)).toBeNull();
    }
  });

  it("takes only the client's own address, however it is spelled", () => {
    expect(isClientsOwn('127.0.0.1', '::ffff:127.0.0.1')).toBe(true);
    expect(isClientsOwn('::ffff:127.0.0.1', '127.0.0.1')).toBe(true);
    expect(isClientsOwn('0:0:0:0:0:0:0:1', '::1')).toBe(true);
    expect(isClientsOwn('127.0.0.2', '127.0.0.1')).toBe(false);
    expect(isClientsOwn('::1', '127.0.0.1')).toBe(false);
    expect(isClientsOwn('192.0.2.7', '::ffff:127.0.0.1')).toBe(false);
  });
});
