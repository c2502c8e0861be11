import { loadSettings } from '../../config';
import { parseIsoDuration } from '../../infra/clock';
import { certificateSigningOf } from '../../infra/services';
import { generateSigningKey } from '../../certificates/signature';

describe('settings', () => {
  it('applies the documented defaults: production mode unless told otherwise', () => {
    expect(() => loadSettings({})).toThrow(/AUTH_JWT_SECRET: required in production/);
    const s = loadSettings({ AUTH_JWT_SECRET: 'Zq8#x1!pL0v$N2m@R7t^W4y&K9b*C3d%' });
    expect(s.APP_MODE).toBe('production');
    expect(s.PORT).toBe(3000);
    expect(s.DATA_DIR).toBe('./.data');
    expect(s.TEMPORAL_ADDRESS).toBeUndefined();
    expect(s.MONGODB_URI).toBeUndefined();
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['TEMPORAL_ADDRESS', 'http://localhost'],
    ['MONGODB_URI', 'postgres://x'],
    ['APP_MODE', 'staging'],
  ])('a bad %s (%s) stops the start with a message naming it', (name, value) => {
    expect(() => loadSettings({ APP_MODE: 'development', [name]: value })).toThrow(new RegExp(`${name}:`));
  });

  it('development and demo listen on loopback only', () => {
    for (const mode of ['development', 'demo']) {
      for (const host of ['0.0.0.0', '192.168.1.5', 'example.gov.cn']) expect(() => loadSettings({ APP_MODE: mode, HOST: host })).toThrow(/HOST: .*loopback/);
      for (const host of ['127.0.0.1', 'localhost', '::1']) expect(loadSettings({ APP_MODE: mode, HOST: host }).HOST).toBe(host);
    }
    expect(loadSettings({ APP_MODE: 'production', HOST: '0.0.0.0', AUTH_JWT_SECRET: 'Zq8#x1!pL0v$N2m@R7t^W4y&K9b*C3d%' }).HOST).toBe('0.0.0.0');
  });

  it('requires a strong AUTH_JWT_SECRET in production', () => {
    expect(() => loadSettings({ APP_MODE: 'production' })).toThrow(/AUTH_JWT_SECRET: required/);
    expect(() => loadSettings({ APP_MODE: 'production', AUTH_JWT_SECRET: 'secret' })).toThrow(/AUTH_JWT_SECRET: too weak/);
    const ok = loadSettings({ APP_MODE: 'production', AUTH_JWT_SECRET: 'Zq8#x1!pL0v$N2m@R7t^W4y&K9b*C3d%' });
    expect(ok.AUTH_JWT_SECRET).toHaveLength(32);
  });
});

describe('certificate signing settings', () => {
  it('a bad CERT_SIGNING_KEYS, CERT_RETIRED_PUBLIC_KEYS or PUBLIC_BASE_URL stops the start naming it, never quoting a key', () => {
    const secretish = 'c2VjcmV0LXNob3VsZC1ub3QtbGVhaw';
    const bad = (name: string, value: string) => {
      try {
        loadSettings({ APP_MODE: 'development', [name]: value });
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error(`${name}=${value} was accepted`);
    };
    expect(bad('CERT_SIGNING_KEYS', `k1:${secretish}`)).toMatch(/^Invalid settings:\n {2}CERT_SIGNING_KEYS: key k1 is not a PKCS#8 private key/);
    expect(bad('CERT_SIGNING_KEYS', `k1:${secretish}`)).not.toContain(secretish);
    expect(bad('CERT_RETIRED_PUBLIC_KEYS', 'old:abc')).toMatch(/CERT_RETIRED_PUBLIC_KEYS: key old is not a base64url raw/);
    expect(bad('PUBLIC_BASE_URL', 'zs.example.gov.cn')).toMatch(/PUBLIC_BASE_URL: not a URL/);
    expect(loadSettings({ APP_MODE: 'development', PUBLIC_BASE_URL: 'https://zs.example.gov.cn/cert/' }).PUBLIC_BASE_URL).toBe(
      'https://zs.example.gov.cn/cert',
    );
  });

  it('production refuses to start without a signing key and an https PUBLIC_BASE_URL (the services say which)', () => {
    const prod = loadSettings({ APP_MODE: 'production', AUTH_JWT_SECRET: 'Zq8#x1!pL0v$N2m@R7t^W4y&K9b*C3d%' });
    expect(() => certificateSigningOf(prod)).toThrow(/^Invalid settings:\n {2}CERT_SIGNING_KEYS: required in production/);
    const key = generateSigningKey('k2026a').settingEntry;
    const withKey = loadSettings({ APP_MODE: 'production', AUTH_JWT_SECRET: 'Zq8#x1!pL0v$N2m@R7t^W4y&K9b*C3d%', CERT_SIGNING_KEYS: key });
    expect(() => certificateSigningOf(withKey)).toThrow(/PUBLIC_BASE_URL: required in production/);
    const ok = loadSettings({
      APP_MODE: 'production',
      AUTH_JWT_SECRET: 'Zq8#x1!pL0v$N2m@R7t^W4y&K9b*C3d%',
      CERT_SIGNING_KEYS: key,
      PUBLIC_BASE_URL: 'https://zs.example.gov.cn',
    });
    expect(certificateSigningOf(ok).signer.kid).toBe('k2026a');
  });
});

describe('ISO-8601 durations for the demo clock', () => {
  it.each([
    ['P8D', 8 * 86_400_000],
    ['PT12H', 12 * 3_600_000],
    ['P1Y', 365 * 86_400_000],
    ['P1W', 7 * 86_400_000],
    ['P1DT1M', 86_400_000 + 60_000],
  ])('%s', (text, ms) => expect(parseIsoDuration(text)).toBe(ms));
  it.each(['8D', 'P', 'PT', 'P1.5D', '', 'P-1D'])('rejects %p', (t) => expect(parseIsoDuration(t)).toBeNull());
});
