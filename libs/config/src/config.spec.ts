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

  it('refuses two doors on one port, naming both', () => {
    expect(() => loadConfig({ TESSERA_FTP_PORT: '2222' })).toThrow(
      /TESSERA_FTP_PORT and TESSERA_SFTP_PORT both use port 2222/,
    );
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ TESSERA_HTTPS_PORT: '' }).TESSERA_HTTPS_PORT).toBe(8443);
  });
});
