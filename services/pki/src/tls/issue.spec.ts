import { altNamesFor, subjectName } from './issue';

describe('altNamesFor', () => {
  it('adds the common name, splits DNS names from addresses and drops duplicates', () => {
    expect(
      altNamesFor('Files.Example.com', ['files.example.com', '192.0.2.1', '::1', '*.example.com']),
    ).toEqual({ dns: ['files.example.com', '*.example.com'], ip: ['192.0.2.1', '::1'] });
  });

  it('puts an IP common name among the addresses, and skips a CN that is no host name', () => {
    expect(altNamesFor('10.0.0.5', [])).toEqual({ dns: [], ip: ['10.0.0.5'] });
    expect(altNamesFor('My Server', ['a.example'])).toEqual({ dns: ['a.example'], ip: [] });
  });
});

describe('subjectName', () => {
  it('orders the fields as openssl prints them and escapes what needs it', () => {
    expect(
      subjectName({
        commonName: 'files.example.com',
        organization: 'Widgets, Inc.',
        country: 'DE',
        email: 'ops@example.com',
      }).toString(),
    ).toBe('C=DE, O=Widgets\\, Inc., CN=files.example.com, E=ops@example.com');
  });
});
