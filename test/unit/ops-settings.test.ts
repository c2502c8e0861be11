import { randomBytes } from 'node:crypto';
import { loadSettings } from '../../config';

describe('settings for payload encryption and mail', () => {
  it('defaults: no payload keys, no mail server', () => {
    const s = loadSettings({ APP_MODE: 'development' });
    expect(s.PAYLOAD_KEYS).toEqual([]);
    expect(s.SMTP_URL).toBeUndefined();
    expect(s.SMTP_FROM).toBeUndefined();
  });

  it('PAYLOAD_KEYS is parsed into keys, oldest first', () => {
    const s = loadSettings({
      APP_MODE: 'development',
      PAYLOAD_KEYS: `k2025:${randomBytes(32).toString('base64')},k2026:${randomBytes(32).toString('base64')}`,
    });
    expect(s.PAYLOAD_KEYS.map((k) => k.id)).toEqual(['k2025', 'k2026']);
  });

  it.each([
    ['PAYLOAD_KEYS', 'k1'],
    ['PAYLOAD_KEYS', 'k1:c2hvcnQ='],
    ['PAYLOAD_KEYS', `k1:${'!'.repeat(44)}`],
    ['SMTP_URL', 'mail.example.gov.cn:25'],
    ['SMTP_URL', 'http://mail.example.gov.cn'],
    ['SMTP_URL', 'smtp://'],
    ['SMTP_URL', 'smtp://mail.example.gov.cn/path'],
    ['SMTP_FROM', 'no address'],
    ['SMTP_FROM', '认定中心 <no-reply@example.gov.cn>\r\nBcc: x@y.z'],
  ])('a bad %s (%p) stops the start with a message naming it', (name, value) => {
    expect(() => loadSettings({ APP_MODE: 'development', [name]: value })).toThrow(new RegExp(`${name}:`));
  });

  it('the message about a bad key never repeats the key', () => {
    const secret = randomBytes(31).toString('base64');
    let message = '';
    try {
      loadSettings({ APP_MODE: 'development', PAYLOAD_KEYS: `k1:${secret}` });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/PAYLOAD_KEYS: entry 1 \(k1\): the key is 31 bytes, expected 32/);
    expect(message).not.toContain(secret);
  });

  it.each([['smtp://mail.example.gov.cn'], ['smtp://user:p%40ss@mail.example.gov.cn:587'], ['smtps://mail.example.gov.cn:465']])('accepts SMTP_URL %s', (url) =>
    expect(loadSettings({ APP_MODE: 'development', SMTP_URL: url }).SMTP_URL).toBe(url),
  );

  it.each([['no-reply@example.gov.cn'], ['职业技能等级认定中心 <no-reply@example.gov.cn>']])('accepts SMTP_FROM %s', (from) =>
    expect(loadSettings({ APP_MODE: 'development', SMTP_FROM: from }).SMTP_FROM).toBe(from),
  );
});
