import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('serves a developer machine with no environment at all', () => {
    const cfg = loadConfig({});
    expect(cfg.DATABASE_URL).toBe('postgresql://postgres@127.0.0.1:5432/tessera');
    expect(cfg.NATS_URL).toBe('nats://127.0.0.1:4222');
    expect(cfg.TESSERA_SFTP_PORT).toBe(2222);
    expect(cfg.paths.homes).toMatch(/data\/homes$/);
  });

  it('names the variable and what it expects when a value is bad', () => {
    expect(() => loadConfig({ TESSERA_SFTP_PORT: 'twenty-two' })).toThrow(
      'TESSERA_SFTP_PORT: expected a port 1-65535',
    );
    expect(() => loadConfig({ NODE_ENV: 'prod' })).toThrow(
      'NODE_ENV: expected one of "development"|"production"|"test"',
    );
    expect(() => loadConfig({ NATS_URL: 'http://x' })).toThrow(
      /NATS_URL: expected a nats:\/\/ URL/,
    );
    expect(() => loadConfig({ TESSERA_PASV_RANGE: '900-1000' })).toThrow(ConfigError);
  });

  it("locks after today's counts unless the TESSERA_LOCKOUT_* settings say otherwise", () => {
    expect(loadConfig({}).lockout).toEqual({
      userFailures: 5,
      addressFailures: 20,
      windowSeconds: 900,
      lockSeconds: 900,
      unknownNames: 10_000,
    });
    expect(
      loadConfig({
        TESSERA_LOCKOUT_USER_FAILURES: '2',
        TESSERA_LOCKOUT_ADDRESS_FAILURES: '7',
        TESSERA_LOCKOUT_WINDOW: '60',
        TESSERA_LOCKOUT_DURATION: '3600',
      }).lockout,
    ).toEqual({
      userFailures: 2,
      addressFailures: 7,
      windowSeconds: 60,
      lockSeconds: 3600,
      unknownNames: 10_000,
    });
  });

  it('refuses a lockout setting that is not a sensible count or time, naming the variable', () => {
    expect(() => loadConfig({ TESSERA_LOCKOUT_USER_FAILURES: '0' })).toThrow(
      'TESSERA_LOCKOUT_USER_FAILURES: expected at least 1 failed login',
    );
    expect(() => loadConfig({ TESSERA_LOCKOUT_ADDRESS_FAILURES: 'many' })).toThrow(
      'TESSERA_LOCKOUT_ADDRESS_FAILURES: expected a whole number of failed logins',
    );
    expect(() => loadConfig({ TESSERA_LOCKOUT_WINDOW: '15m' })).toThrow(
      'TESSERA_LOCKOUT_WINDOW: expected whole seconds',
    );
    expect(() => loadConfig({ TESSERA_LOCKOUT_DURATION: '99999999' })).toThrow(
      'TESSERA_LOCKOUT_DURATION: expected at most 604800 seconds (a week)',
    );
  });

  it('limits one file to 1 TiB unless TESSERA_MAX_FILE_SIZE says otherwise, in bytes or K/M/G/T', () => {
    expect(loadConfig({}).TESSERA_MAX_FILE_SIZE).toBe(2 ** 40);
    expect(loadConfig({ TESSERA_MAX_FILE_SIZE: '1048576' }).TESSERA_MAX_FILE_SIZE).toBe(2 ** 20);
    expect(loadConfig({ TESSERA_MAX_FILE_SIZE: '500G' }).TESSERA_MAX_FILE_SIZE).toBe(500 * 2 ** 30);
    expect(loadConfig({ TESSERA_MAX_FILE_SIZE: '2 TiB' }).TESSERA_MAX_FILE_SIZE).toBe(2 ** 41);
    expect(() => loadConfig({ TESSERA_MAX_FILE_SIZE: 'huge' })).toThrow(
      'TESSERA_MAX_FILE_SIZE: expected a size in bytes, or with K, M, G or T',
    );
    expect(() => loadConfig({ TESSERA_MAX_FILE_SIZE: '0' })).toThrow(
      'TESSERA_MAX_FILE_SIZE: expected at least 1 byte',
    );
  });

  it('refuses two doors on one port, naming both', () => {
    expect(() => loadConfig({ TESSERA_FTP_PORT: '2222' })).toThrow(
      /TESSERA_FTP_PORT and TESSERA_SFTP_PORT both use port 2222/,
    );
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ TESSERA_HTTPS_PORT: '' }).TESSERA_HTTPS_PORT).toBe(8443);
  });
});
