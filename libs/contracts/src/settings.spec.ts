import {
  settingFromText,
  settingsChanged,
  settingsConflict,
  settingsSchema,
  settingsUpdate,
  type Settings,
} from './index';

const defaults: Settings = {
  'sftp.enabled': true,
  'sftp.port': 2222,
  'sftp.max-users': 100,
  'sftp.max-connections-per-user': 32,
  'ftp.max-connections-per-user': 32,
  'ftp.plain': false,
  'ftp.explicit-tls': true,
  'ftp.implicit-tls': false,
  'ftp.port': 2121,
  'ftps.implicit-port': 9990,
  'ftp.passive-ports': '50000-50100',
  'ftp.passive-address': null,
  'ftp.require-tls-session-reuse': true,
  'ftp.active-mode': false,
  'ftp.max-users': 100,
  'web.https': true,
  'web.redirect-to-https': true,
  'web.hsts': false,
  'web.host-name': null,
  'http.port': 8080,
  'https.port': 8443,
  'uploads.keep-partial': false,
  'lockout.user-failures': 5,
  'lockout.address-failures': 20,
  'lockout.window': 900,
  'lockout.duration': 900,
  'lockout.unknown-names': 10_000,
  'notices.smtp-host': null,
  'notices.smtp-port': 587,
  'notices.smtp-security': 'starttls',
  'notices.smtp-user': null,
  'notices.smtp-password': null,
  'notices.mail-from': 'tessera@localhost',
};

describe('settings', () => {
  it('reads values as the operator types them, by the setting’s type', () => {
    expect(settingFromText('sftp.port', '2223')).toMatchObject({ success: true, data: 2223 });
    expect(settingFromText('sftp.enabled', 'false')).toMatchObject({ success: true, data: false });
    expect(settingFromText('sftp.enabled', 'on')).toMatchObject({ success: true, data: true });
    expect(settingFromText('ftp.passive-address', 'none')).toMatchObject({ data: null });
    expect(settingFromText('ftp.passive-address', '10')).toMatchObject({ data: '10' });
    expect(settingFromText('ftp.passive-ports', '60000-60010')).toMatchObject({ success: true });
  });

  it.each([
    ['sftp.port', '70000', 'a port 1-65535'],
    ['sftp.port', 'twenty', 'a port 1-65535'],
    ['sftp.enabled', 'maybe', 'true or false'],
    ['ftp.passive-ports', '100-200', 'low-high within 1024-65535'],
    ['lockout.duration', '0', 'at least 1 second'],
  ] as const)('refuses %s %s: expects %s', (name, text, expected) => {
    const read = settingFromText(name, text);
    expect(read.success).toBe(false);
    expect(read.error?.issues[0]?.message).toBe(expected);
  });

  it('finds no conflict in the defaults', () => {
    expect(settingsSchema.parse(defaults)).toEqual(defaults);
    expect(settingsConflict(defaults)).toBeNull();
  });

  it('refuses two doors on one port, naming both settings', () => {
    expect(settingsConflict({ ...defaults, 'sftp.port': 2121 })).toEqual({
      settings: ['sftp.port', 'ftp.port'],
      message: 'sftp.port and ftp.port would both use port 2121; two doors cannot share one port',
    });
  });

  it('refuses a passive range over a door’s port, naming both settings', () => {
    expect(settingsConflict({ ...defaults, 'https.port': 50050 })?.settings).toEqual([
      'ftp.passive-ports',
      'https.port',
    ]);
  });

  it('refuses to leave no door open', () => {
    const none = {
      ...defaults,
      'sftp.enabled': false,
      'ftp.explicit-tls': false,
      'web.https': false,
    };
    expect(settingsConflict(none)?.message).toMatch(/^sftp.enabled, .* no door would be left open/);
    expect(settingsConflict({ ...none, 'ftp.plain': true })).toBeNull();
  });

  it('takes updates of known settings only, at least one', () => {
    expect(settingsUpdate.request.safeParse({ changes: { 'sftp.port': 2 } }).success).toBe(true);
    expect(settingsUpdate.request.safeParse({ changes: {} }).success).toBe(false);
    expect(settingsUpdate.request.safeParse({ changes: { 'sftp.prot': 2 } }).success).toBe(false);
    expect(settingsUpdate.request.safeParse({ changes: { 'sftp.port': '2' } }).success).toBe(false);
  });

  it('checks a settings.changed event whole', () => {
    const event = { settings: defaults, changed: ['sftp.port'], at: new Date().toISOString() };
    expect(settingsChanged.payload.safeParse(event).success).toBe(true);
    expect(settingsChanged.payload.safeParse({ ...event, changed: ['nope'] }).success).toBe(false);
    const { 'sftp.port': _, ...partial } = defaults;
    expect(settingsChanged.payload.safeParse({ ...event, settings: partial }).success).toBe(false);
  });
});
