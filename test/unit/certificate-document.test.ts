/**
 * The certificate PDF (certificates/document.ts): every field of the reference layout (001 附件6)
 * read back from the PDF with pdfjs-dist, the CJK font embedded as a subset, the QR code taken out
 * of the PDF and decoded back to a verification URL whose signature checks (and stops checking
 * when a printed field or the key changes), input checks, determinism.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import {
  CERTIFICATE_TITLE,
  CertificateDocumentError,
  type CertificateDocumentInput,
  certificateDocumentInput,
  preloadCertificateFonts,
  renderCertificatePdf,
  renderVerificationQr,
} from '../../certificates/document';
import {
  generateSigningKey,
  parseVerifyUrl,
  rawPublicKey,
  signedVerifyUrl,
  signingKeyFromSeed,
  verifyCertificateSignature,
  type PublicKeySet,
} from '../../certificates/signature';
import type { CertificateDoc } from '../../models/batch';

interface ReadBack {
  info: { Title?: string; Author?: string; Subject?: string };
  numPages: number;
  pages: { width: number; height: number; text: string; images: { width: number; height: number; rgba: string }[] }[];
}

/** Reads a PDF with pdfjs-dist in a plain Node process (see the helper for why not in jest). */
function readBack(pdf: Buffer): ReadBack {
  const out = execFileSync(process.execPath, [join(__dirname, 'helpers', 'pdf-readback.mjs')], { input: pdf, maxBuffer: 64 << 20 });
  return JSON.parse(out.toString('utf8')) as ReadBack;
}

/** Text without any blank (pdfjs splits lines where the layout wraps; U+3000 counts as blank). */
const flat = (s: string) => s.replace(/\s+/g, '');

function decodeQr(rgba: Uint8Array | Buffer, width: number, height: number): string | null {
  const r = jsQR(new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength), width, height);
  return r ? r.data : null;
}

const province = signingKeyFromSeed('jl2025', Buffer.alloc(32, 0x5a));
const publicKeys: PublicKeySet = { keys: [{ kid: 'jl2025', alg: 'Ed25519', publicKey: rawPublicKey(province.privateKey) }] };
const BASE = 'https://zs.rst.jl.gov.cn';

const NUMBER = 'Y000022000012254000001';
const ID = '220102199003074516';
const INSTITUTION = '吉林省长春市第一汽车制造有限公司职业技能等级认定中心（集团总部）';

const input: CertificateDocumentInput = {
  number: NUMBER,
  version: 2,
  holder: { name: '欧阳喆堃', idNumber: ID, idType: '居民身份证' },
  occupation: { code: '6-18-01-01', name: '车工' },
  trade: '数控车工',
  level: 4,
  institution: { name: INSTITUTION, code: 'Y0000220000122' },
  issuedAt: '2025-03-01',
  verifyUrl: signedVerifyUrl({ number: NUMBER, idNumber: ID, issueDate: '2025-03-01' }, { signer: province, publicBaseUrl: BASE }),
  reissued: { at: '2026-01-05', count: 1 },
};

describe('the certificate PDF', () => {
  let pdf: Buffer;
  let back: ReadBack;
  beforeAll(async () => {
    preloadCertificateFonts();
    pdf = await renderCertificatePdf(input);
    back = readBack(pdf);
  });

  test('is one A4 landscape page titled 职业技能等级证书', () => {
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(back.numPages).toBe(1);
    expect(back.pages[0].width).toBeCloseTo(841.89, 1);
    expect(back.pages[0].height).toBeCloseTo(595.28, 1);
    expect(back.info.Title).toBe(CERTIFICATE_TITLE);
    expect(flat(back.pages[0].text)).toContain('职业技能等级证书');
  });

  test('carries every field of the reference layout, read back as text', () => {
    const text = flat(back.pages[0].text);
    const expected = [
      '姓名：欧阳喆堃',
      '证件类型：居民身份证',
      `证件号码：${ID}`,
      '职业名称：车工',
      '职业编码：6-18-01-01',
      '工种名称：数控车工',
      '职业技能等级：四级/中级工',
      `证书编号：${NUMBER}`,
      '机构代码：Y0000220000122',
      '发证日期：2025年3月1日',
      '补发日期：2026年1月5日（第1次补发）',
      `本证书由${INSTITUTION}颁发，表明持证人通过本机构组织的职业技能等级认定，具备该职业（工种）相应技能等级水平。`,
      '本电子证书与纸质证书具有同等效力',
      '证书信息查询网址：http://jndj.osta.org.cn/',
      '机构信息查询网址：http://pjjg.osta.org.cn/',
      '扫码核验证书真伪',
      '版本2',
    ];
    for (const s of expected) expect(text).toContain(s);
    // the institution's own line, not only inside the statement
    expect(text.split(INSTITUTION).length - 1).toBe(2);
    // the URL is printed too, for typing in when the code is damaged
    expect(text).toContain(input.verifyUrl);
  });

  test('embeds its CJK font as a subset (renders without system fonts; small file)', () => {
    const raw = pdf.toString('latin1');
    expect(raw).toMatch(/\/FontFile2 \d+ 0 R/);
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansSC-Regular/);
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansSC-Bold/);
    // every font is embedded: no /Font dictionary without a descriptor file (e.g. a standard Helvetica)
    expect(raw).not.toMatch(/\/Subtype \/Type1/);
    // the whole TTF is ~10 MB; a subset of the ~150 glyphs used stays far below
    expect(pdf.length).toBeLessThan(150_000);
  });

  test('has one image, the QR code, which decodes to the signed verification URL', () => {
    const images = back.pages[0].images;
    expect(images).toHaveLength(1);
    const img = images[0];
    const url = decodeQr(Buffer.from(img.rgba, 'base64'), img.width, img.height);
    expect(url).toBe(input.verifyUrl);
    expect(url?.startsWith(`${BASE}/verify/${NUMBER}?sig=jl2025.`)).toBe(true);
  });

  test('the signature in the QR code checks against the printed fields, and only against them', () => {
    const img = back.pages[0].images[0];
    const scanned = parseVerifyUrl(decodeQr(Buffer.from(img.rgba, 'base64'), img.width, img.height) as string);
    expect(scanned).not.toBeNull();
    const { number, sig } = scanned as { number: string; sig: string };
    expect(number).toBe(NUMBER);
    // what a verifier with the printed copy types in: the number, the ID number (masked or not), the date
    expect(verifyCertificateSignature(number, ID, '2025-03-01', sig, publicKeys)).toEqual({ valid: true, kid: 'jl2025' });
    expect(verifyCertificateSignature(number, '220***********4516', '2025-03-01', sig, publicKeys)).toEqual({ valid: true, kid: 'jl2025' });
    expect(verifyCertificateSignature('Y000022000012254000002', ID, '2025-03-01', sig, publicKeys).valid).toBe(false);
    expect(verifyCertificateSignature(number, '220***********4517', '2025-03-01', sig, publicKeys).valid).toBe(false);
    expect(verifyCertificateSignature(number, ID, '2025-03-02', sig, publicKeys).valid).toBe(false);
    const another = generateSigningKey('jl2025').publicKey;
    expect(verifyCertificateSignature(number, ID, '2025-03-01', sig, [another])).toEqual({ valid: false, reason: 'BAD_SIGNATURE' });
  });

  test('the same input gives the same bytes; another holder gives other bytes', async () => {
    expect((await renderCertificatePdf(input)).equals(pdf)).toBe(true);
    const other = await renderCertificatePdf({ ...input, holder: { ...input.holder, name: '张三' } });
    expect(other.equals(pdf)).toBe(false);
  });
});

describe('variants', () => {
  test('no 工种 prints "—", levels use their national names, no reissue or version line, sites can be left off', async () => {
    const pdf = await renderCertificatePdf(
      { ...input, trade: null, level: 1, reissued: undefined, version: undefined, issuedAt: '2025-12-31T16:30:00.000Z' },
      { querySites: null },
    );
    const text = flat(readBack(pdf).pages[0].text);
    expect(text).toContain('工种名称：—');
    expect(text).toContain('职业技能等级：一级/高级技师');
    // an instant is printed as its China date
    expect(text).toContain('发证日期：2026年1月1日');
    expect(text).not.toContain('补发');
    expect(text).not.toContain('版本');
    expect(text).not.toContain('osta.org.cn');
  });

  test('the stand-alone QR PNG is the one embedded: it decodes to the URL', async () => {
    const png = PNG.sync.read(await renderVerificationQr(input.verifyUrl));
    expect(decodeQr(png.data, png.width, png.height)).toBe(input.verifyUrl);
  });
});

describe('input checks', () => {
  const code = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      expect(e).toBeInstanceOf(CertificateDocumentError);
      return { code: (e as CertificateDocumentError).code, message: (e as Error).message };
    }
    throw new Error('expected a rejection');
  };

  test('a character the font lacks is refused, naming the code point but not the name', async () => {
    const r = await code(renderCertificatePdf({ ...input, holder: { ...input.holder, name: '王𠇔' } }));
    expect(r).toEqual({ code: 'MISSING_GLYPH', message: 'the font has no glyph for U+201D4' });
  });

  test.each([
    ['a bad ID number', { holder: { name: '张三', idNumber: '220102199003074517' } }, /holder.idNumber is not a valid/],
    ['another ID type', { holder: { name: '张三', idNumber: ID, idType: '护照' } }, /idType must be 居民身份证/],
    ['level 6', { level: 6 }, /level must be 1..5/],
    ['an empty name', { holder: { name: '  ', idNumber: ID } }, /holder.name is empty/],
    ['a control character', { occupation: { code: '6-18', name: '车工\u0007' } }, /occupation.name contains a control/],
    ['a verify URL that is not http(s)', { verifyUrl: 'javascript:alert(1)' }, /verifyUrl must be an http/],
    ['an impossible date', { issuedAt: '2025-02-30' }, /issuedAt must be/],
    ['a zero reissue count', { reissued: { at: '2026-01-05', count: 0 } }, /reissued.count/],
    ['a number that is no certificate code', { number: 'Y00002200001225400000' + 'Z' }, /number is not a certificate code/],
    [
      'a QR link to another certificate',
      { verifyUrl: input.verifyUrl.replace(NUMBER, 'Y000022000012254000002') },
      /verifyUrl must be <base>\/verify\/<this number>/,
    ],
  ])('%s is refused', async (_what, patch, message) => {
    const r = await code(renderCertificatePdf({ ...input, ...(patch as Partial<CertificateDocumentInput>) }));
    expect(r.code).toBe('INVALID_INPUT');
    expect(r.message).toMatch(message);
  });
});

describe('checking the signature while rendering (verifyWith)', () => {
  test('passes when the QR link was signed for the printed fields', async () => {
    const pdf = await renderCertificatePdf(input, { verifyWith: publicKeys });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  test.each([
    ['another issue date', { issuedAt: '2025-03-02' }, 'BAD_SIGNATURE'],
    ['another holder', { holder: { name: '欧阳喆堃', idNumber: '220102199003074532' } }, 'BAD_SIGNATURE'],
    ['an unsigned link', { verifyUrl: `${BASE}/verify/${NUMBER}?sig=none` }, 'MALFORMED_SIGNATURE'],
  ])('refuses %s', async (_what, patch, reason) => {
    await expect(renderCertificatePdf({ ...input, ...(patch as Partial<CertificateDocumentInput>) }, { verifyWith: publicKeys })).rejects.toThrow(
      `the signature in verifyUrl does not match the printed fields (${reason})`,
    );
  });

  test('refuses a link signed by a key that is not published', async () => {
    const stranger = generateSigningKey('jl2025').key;
    const verifyUrl = signedVerifyUrl({ number: NUMBER, idNumber: ID, issueDate: '2025-03-01' }, { signer: stranger, publicBaseUrl: BASE });
    await expect(renderCertificatePdf({ ...input, verifyUrl }, { verifyWith: publicKeys })).rejects.toThrow(/\(BAD_SIGNATURE\)/);
  });
});

describe('from the stored certificate', () => {
  const stored: CertificateDoc = {
    _id: NUMBER,
    holder: { name: '李四', idNumber: ID, sex: 'M' },
    occupation: { code: '4-07-05-01', name: '保育师' },
    level: 3,
    institution: { creditCode: '91220101MA0000000X', name: '长春育婴服务有限公司', code: 'S0000220000031', province: '22', kind: 'S' },
    batchId: 'b-1',
    issueYear: 2025,
    serial: 1,
    issuedAt: new Date('2025-02-28T16:30:00Z'),
    status: 'valid',
  };

  test('maps every printed field and takes the issue date in China time', () => {
    expect(certificateDocumentInput(stored, `${BASE}/verify/${NUMBER}?sig=x`, { version: 3 })).toEqual({
      number: NUMBER,
      holder: { name: '李四', idNumber: ID, idType: '居民身份证' },
      occupation: { code: '4-07-05-01', name: '保育师' },
      trade: null,
      level: 3,
      institution: { name: '长春育婴服务有限公司', code: 'S0000220000031' },
      issuedAt: '2025-03-01',
      verifyUrl: `${BASE}/verify/${NUMBER}?sig=x`,
      version: 3,
    });
  });

  test('a revoked certificate gets no document', () => {
    expect(() => certificateDocumentInput({ ...stored, status: 'revoked' }, `${BASE}/verify/x?sig=y`)).toThrow(/revoked/);
    expect(() => certificateDocumentInput({ ...stored, level: 7 }, `${BASE}/verify/x?sig=y`)).toThrow(/level/);
  });
});
