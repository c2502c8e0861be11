/**
 * The certificate as a PDF (职业技能等级证书; 002 Art.20: "纸质证书与电子证书具有同等效力",
 * 000 §五(二)4, 001 附件6 reference layout).
 *
 * Layout: one A4 landscape page drawn as the opened booklet of the reference sample (001 附件6).
 *   left half   title, the statement "本证书由…颁发，表明持证人通过本机构组织的职业技能等级认定，
 *               具备该职业（工种）相应技能等级水平。", the issuing institution and its code, the issue
 *               date (and a reissue line), the verification QR code with its URL printed under it,
 *               and the two national query sites the sample prints
 *   right half  the sample's fields in its order: 姓名, 证件类型, 证件号码, 职业名称 (+ 职业编码),
 *               工种名称 ("—" when there is none, note 3 of the sample), 职业技能等级, 证书编号
 * The sample says a certificate must carry at least these fields, so adding is allowed: the
 * occupation code (职业分类大典) and the institution code tell apart occupations and institutions
 * whose names are alike, and the number's own structure (SPEC §4) does not name either.
 *
 * Font: Noto Sans SC (SIL Open Font License 1.1, embedding permitted, fsType 0) from the npm
 * package @expo-google-fonts/noto-sans-sc, so Chinese renders on any machine without system fonts.
 * pdfkit embeds only the glyphs used (a subset), which keeps a certificate around 35 KB. The font
 * covers the CJK Unified Ideographs block and Extension A almost completely but not Extension B,
 * so a name with a rare character outside it is refused (MISSING_GLYPH) instead of being printed
 * as an empty box; `fonts` can point at a fuller font.
 *
 * The same input gives the same bytes: the PDF's dates are the issue date, not the clock, so a
 * stored or cached copy can be compared with a fresh rendering.
 */
import { readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { create as createFont, type Font } from 'fontkit';
import { CERTIFICATE_LEVEL_NAMES, isValidCertificateCode, type CertificateLevel } from '../domain/certificate-code';
import { isValidIsoDate } from '../domain/dates';
import { isValidIdNumber } from '../domain/identifiers';
import type { CertificateDoc } from '../models/batch';
import { issueDateOf, parseVerifyUrl, verifyCertificateSignature, type PublicKeySet } from './signature';

export const CERTIFICATE_TITLE = '职业技能等级证书';
export const ID_TYPE_RESIDENT = '居民身份证';
/** The national query sites printed on the reference sample (001 附件6). */
export const NATIONAL_QUERY_SITES = Object.freeze({
  certificate: 'http://jndj.osta.org.cn/',
  institution: 'http://pjjg.osta.org.cn/',
});

export interface CertificateDocumentInput {
  /** Certificate number (证书编号, SPEC §4). */
  number: string;
  /** Version of the certificate record, printed small when given (e.g. after a correction). */
  version?: number;
  holder: { name: string; idNumber: string; idType?: typeof ID_TYPE_RESIDENT };
  occupation: { code: string; name: string };
  /** 工种; null or absent prints "—" (reference sample, note 3). */
  trade?: string | null;
  level: CertificateLevel;
  institution: { name: string; code: string };
  /** Issue date: `YYYY-MM-DD` (China local) or an ISO instant. */
  issuedAt: string;
  /** `<PUBLIC_BASE_URL>/verify/<number>?sig=<kid>.<signature>` (signature.ts `signedVerifyUrl`). */
  verifyUrl: string;
  reissued?: { at: string; count: number };
  /** a competition recognition (000 §二(三)4): the statement names the competition and the place */
  competition?: { name: string; rank: number } | null;
}

export interface RenderOptions {
  /** The two national query sites of the sample; `null` leaves them off. */
  querySites?: { certificate: string; institution: string } | null;
  /** TTF/OTF files or bytes replacing Noto Sans SC (e.g. a font covering CJK Extension B). */
  fonts?: { regular: string | Buffer; bold?: string | Buffer };
  /**
   * The published keys: when given, the signature in `verifyUrl` must check against the number,
   * ID number and issue date being printed, so a wiring mistake (another date, another holder)
   * fails here instead of on every printed copy.
   */
  verifyWith?: PublicKeySet;
}

export type CertificateDocumentErrorCode = 'INVALID_INPUT' | 'MISSING_GLYPH';

export class CertificateDocumentError extends Error {
  override name = 'CertificateDocumentError';
  constructor(
    readonly code: CertificateDocumentErrorCode,
    message: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Mapping from the stored certificate
// ---------------------------------------------------------------------------------------------

/**
 * The document input for a stored certificate (models/batch.ts CertificateDoc) and its verify URL.
 * A revoked certificate gets no document: a fresh PDF would look valid.
 */
export function certificateDocumentInput(
  doc: Pick<CertificateDoc, '_id' | 'holder' | 'occupation' | 'trade' | 'level' | 'institution' | 'issuedAt' | 'status' | 'source'>,
  verifyUrl: string,
  extra: Pick<CertificateDocumentInput, 'version' | 'reissued'> = {},
): CertificateDocumentInput {
  if (doc.status === 'revoked') throw new CertificateDocumentError('INVALID_INPUT', 'a revoked certificate has no document');
  if (!isLevel(doc.level)) throw new CertificateDocumentError('INVALID_INPUT', 'level must be 1..5');
  return {
    number: doc._id,
    holder: { name: doc.holder.name, idNumber: doc.holder.idNumber, idType: ID_TYPE_RESIDENT },
    occupation: { code: doc.occupation.code, name: doc.occupation.name },
    trade: doc.trade ?? null,
    level: doc.level,
    institution: { name: doc.institution.name, code: doc.institution.code },
    issuedAt: issueDateOf(doc.issuedAt),
    verifyUrl,
    ...(doc.source?.kind === 'recognition' ? { competition: { name: doc.source.competition, rank: doc.source.rank } } : {}),
    ...extra,
  };
}

function positive(n: unknown, field: string): number {
  if (!Number.isSafeInteger(n) || (n as number) < 1) throw new CertificateDocumentError('INVALID_INPUT', `${field} must be a positive integer`);
  return n as number;
}

const isLevel = (n: unknown): n is CertificateLevel => n === 1 || n === 2 || n === 3 || n === 4 || n === 5;

// ---------------------------------------------------------------------------------------------
// Fonts
// ---------------------------------------------------------------------------------------------

interface LoadedFont {
  bytes: Buffer;
  font: Font;
}

const BUNDLED = {
  regular: '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
  bold: '@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf',
} as const;

// each TTF is ~10 MB: read and parse once per process, not per certificate
const fontCache = new Map<string | Buffer, LoadedFont>();

function loadFont(src: string | Buffer): LoadedFont {
  const hit = fontCache.get(src);
  if (hit) return hit;
  const bytes = typeof src === 'string' ? readFileSync(src) : src;
  const parsed = createFont(bytes);
  if (!('hasGlyphForCodePoint' in parsed)) throw new CertificateDocumentError('INVALID_INPUT', 'a font collection is not supported; pass one font');
  const loaded = { bytes, font: parsed };
  fontCache.set(src, loaded);
  return loaded;
}

function fontsFor(options: RenderOptions): { regular: LoadedFont; bold: LoadedFont } {
  if (options.fonts) {
    const regular = loadFont(options.fonts.regular);
    return { regular, bold: options.fonts.bold ? loadFont(options.fonts.bold) : regular };
  }
  return { regular: loadFont(require.resolve(BUNDLED.regular)), bold: loadFont(require.resolve(BUNDLED.bold)) };
}

/**
 * Reads and parses the fonts now rather than on the first certificate (~0.1 s of synchronous work
 * that would otherwise hold up the event loop during that request). Optional; call at startup.
 */
export function preloadCertificateFonts(options: RenderOptions = {}): void {
  const { regular, bold } = fontsFor(options);
  regular.font.layout(CERTIFICATE_TITLE);
  bold.font.layout(CERTIFICATE_TITLE);
}

/** Code points of `text` that `font` has no glyph for (blanks aside), as `U+XXXX`. */
function missingGlyphs(font: Font, text: string): string[] {
  const out = new Set<string>();
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (/\s/.test(ch) || font.hasGlyphForCodePoint(cp)) continue;
    out.add(`U+${cp.toString(16).toUpperCase().padStart(4, '0')}`);
  }
  return [...out];
}

// ---------------------------------------------------------------------------------------------
// Input checks
// ---------------------------------------------------------------------------------------------

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function text(value: unknown, what: string, max: number): string {
  if (typeof value !== 'string') throw new CertificateDocumentError('INVALID_INPUT', `${what} must be a string`);
  const v = value.trim();
  if (!v) throw new CertificateDocumentError('INVALID_INPUT', `${what} is empty`);
  if (CONTROL.test(v)) throw new CertificateDocumentError('INVALID_INPUT', `${what} contains a control character`);
  if ([...v].length > max) throw new CertificateDocumentError('INVALID_INPUT', `${what} is longer than ${max} characters`);
  return v;
}

/** `2025 年 3 月 1 日`, the sample's "X 年 X 月 X 日". */
export function chineseDate(isoDate: string): string {
  if (!isValidIsoDate(isoDate)) throw new CertificateDocumentError('INVALID_INPUT', 'date must be YYYY-MM-DD');
  return `${Number(isoDate.slice(0, 4))} 年 ${Number(isoDate.slice(5, 7))} 月 ${Number(isoDate.slice(8, 10))} 日`;
}

function dateOf(value: string, what: string): string {
  try {
    return issueDateOf(value);
  } catch {
    throw new CertificateDocumentError('INVALID_INPUT', `${what} must be YYYY-MM-DD or an ISO instant`);
  }
}

interface Printed {
  number: string;
  version: number | null;
  name: string;
  idType: string;
  idNumber: string;
  occupationName: string;
  occupationCode: string;
  trade: string;
  levelName: string;
  institutionName: string;
  institutionCode: string;
  issueDate: string;
  verifyUrl: string;
  reissue: { date: string; count: number } | null;
  competition: { name: string; rank: number } | null;
}

function printed(input: CertificateDocumentInput): Printed {
  if (!input || typeof input !== 'object') throw new CertificateDocumentError('INVALID_INPUT', 'input must be an object');
  const idNumber = text(input.holder?.idNumber, 'holder.idNumber', 18).toUpperCase();
  if (!isValidIdNumber(idNumber)) throw new CertificateDocumentError('INVALID_INPUT', 'holder.idNumber is not a valid 居民身份证 number');
  if (input.holder.idType !== undefined && input.holder.idType !== ID_TYPE_RESIDENT) {
    throw new CertificateDocumentError('INVALID_INPUT', `holder.idType must be ${ID_TYPE_RESIDENT}`);
  }
  if (!isLevel(input.level)) throw new CertificateDocumentError('INVALID_INPUT', 'level must be 1..5');
  const number = text(input.number, 'number', 40).toUpperCase();
  if (!isValidCertificateCode(number)) throw new CertificateDocumentError('INVALID_INPUT', 'number is not a certificate code (SPEC §4)');
  const verifyUrl = text(input.verifyUrl, 'verifyUrl', 2000);
  if (!/^https?:\/\/\S+$/.test(verifyUrl)) throw new CertificateDocumentError('INVALID_INPUT', 'verifyUrl must be an http(s) URL');
  // a QR code pointing at another certificate would be a wiring bug that no reader of the print notices
  if (parseVerifyUrl(verifyUrl)?.number.toUpperCase() !== number) {
    throw new CertificateDocumentError('INVALID_INPUT', 'verifyUrl must be <base>/verify/<this number>?sig=…');
  }
  if (input.version !== undefined && (!Number.isSafeInteger(input.version) || input.version < 1)) {
    throw new CertificateDocumentError('INVALID_INPUT', 'version must be a positive integer');
  }
  let reissue: Printed['reissue'] = null;
  if (input.reissued) {
    if (!Number.isSafeInteger(input.reissued.count) || input.reissued.count < 1) {
      throw new CertificateDocumentError('INVALID_INPUT', 'reissued.count must be a positive integer');
    }
    reissue = { date: dateOf(input.reissued.at, 'reissued.at'), count: input.reissued.count };
  }
  const trade = input.trade == null || input.trade.trim() === '' ? '—' : text(input.trade, 'trade', 60);
  return {
    number,
    version: input.version ?? null,
    name: text(input.holder.name, 'holder.name', 40),
    idType: ID_TYPE_RESIDENT,
    idNumber,
    occupationName: text(input.occupation?.name, 'occupation.name', 60),
    occupationCode: text(input.occupation?.code, 'occupation.code', 30),
    trade,
    levelName: CERTIFICATE_LEVEL_NAMES[input.level],
    institutionName: text(input.institution?.name, 'institution.name', 80),
    institutionCode: text(input.institution?.code, 'institution.code', 40),
    issueDate: dateOf(input.issuedAt, 'issuedAt'),
    verifyUrl,
    reissue,
    competition: input.competition
      ? { name: text(input.competition.name, 'competition.name', 60), rank: positive(input.competition.rank, 'competition.rank') }
      : null,
  };
}

// ---------------------------------------------------------------------------------------------
// QR code
// ---------------------------------------------------------------------------------------------

/**
 * The verification QR code as PNG: error correction M (15% of the code may be soiled) and the
 * standard 4-module quiet zone, 4 px a module. A ~150-character URL gives version 8 or 9.
 */
export async function renderVerificationQr(url: string): Promise<Buffer> {
  // 8-bit grey without alpha and one fixed PNG filter (pngjs options, passed through by qrcode but
  // missing from its types): a third of the RGBA default's time to encode, and pdfkit embeds it
  // without a soft mask. A fresh object each call, since qrcode writes into it.
  const rendererOpts = { filterType: 2, colorType: 0, inputColorType: 6 } as QRCode.QRCodeToBufferOptions['rendererOpts'];
  return QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 4, rendererOpts });
}

// ---------------------------------------------------------------------------------------------
// The PDF
// ---------------------------------------------------------------------------------------------

const INK = '#1f1f1f';
const MUTED = '#555555';
const ACCENT = '#8b1a1a';
/** Midnight of the issue date in China, for the PDF's dates (determinism, module comment). */
const chinaMidnight = (isoDate: string) => new Date(`${isoDate}T00:00:00+08:00`);

/** Renders the certificate. Throws CertificateDocumentError on bad input or a missing glyph. */
export async function renderCertificatePdf(input: CertificateDocumentInput, options: RenderOptions = {}): Promise<Buffer> {
  const p = printed(input);
  const fonts = fontsFor(options);
  const sites = options.querySites === undefined ? NATIONAL_QUERY_SITES : options.querySites;

  // the sample's statement speaks of an assessment the issuer organised; a recognition says what it rests on (000 §二(三)4)
  const statement = p.competition
    ? `本证书由${p.institutionName}颁发，表明持证人在${p.competition.name}中获第${p.competition.rank}名，经竞赛选拔直接认定，具备该职业（工种）相应技能等级水平。`
    : `本证书由${p.institutionName}颁发，表明持证人通过本机构组织的职业技能等级认定，具备该职业（工种）相应技能等级水平。`;
  const fields: [string, string][] = [
    ['姓　　名', p.name],
    ['证件类型', p.idType],
    ['证件号码', p.idNumber],
    ['职业名称', p.occupationName],
    ['职业编码', p.occupationCode],
    ['工种名称', p.trade],
    ['职业技能等级', p.levelName],
    ['证书编号', p.number],
  ];
  const left: string[] = [
    statement,
    p.institutionName,
    `机构代码：${p.institutionCode}`,
    `发证日期：${chineseDate(p.issueDate)}`,
    '扫码核验证书真伪',
    p.verifyUrl,
    '本电子证书与纸质证书具有同等效力',
  ];
  if (p.reissue) left.push(`补发日期：${chineseDate(p.reissue.date)}（第 ${p.reissue.count} 次补发）`);
  if (p.version !== null) left.push(`版本 ${p.version}`);
  if (sites) left.push(`证书信息查询网址：${sites.certificate}`, `机构信息查询网址：${sites.institution}`);
  const missing = [...missingGlyphs(fonts.regular.font, [...left, ...fields.flat()].join('')), ...missingGlyphs(fonts.bold.font, CERTIFICATE_TITLE)];
  if (missing.length) {
    // the code points only: the text around them is personal data
    throw new CertificateDocumentError('MISSING_GLYPH', `the font has no glyph for ${[...new Set(missing)].join(', ')}`);
  }

  if (options.verifyWith) {
    const sig = parseVerifyUrl(p.verifyUrl)?.sig ?? '';
    const check = verifyCertificateSignature(p.number, p.idNumber, p.issueDate, sig, options.verifyWith);
    if (!check.valid) {
      throw new CertificateDocumentError('INVALID_INPUT', `the signature in verifyUrl does not match the printed fields (${check.reason})`);
    }
  }

  const qr = await renderVerificationQr(p.verifyUrl);
  const issued = chinaMidnight(p.issueDate);
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: 0,
    pdfVersion: '1.7',
    lang: 'zh-CN',
    // viewers show 职业技能等级证书 in the window title, not the file name
    displayTitle: true,
    info: {
      Title: CERTIFICATE_TITLE,
      Subject: `${CERTIFICATE_TITLE} ${p.number}`,
      Author: p.institutionName,
      Creator: 'skill-cert',
      Producer: 'skill-cert',
      CreationDate: issued,
      ModDate: issued,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  // pdfkit 0.20 takes a parsed fontkit font as well as bytes (PDFFontFactory.open; the
  // @types describe 0.17): handing it the cached one saves re-parsing ~10 MB per certificate.
  // Each document still makes its own subset, so sharing the parsed font is safe.
  doc.registerFont('regular', fonts.regular.font as unknown as PDFKit.Mixins.PDFFontSource);
  doc.registerFont('bold', fonts.bold.font as unknown as PDFKit.Mixins.PDFFontSource);

  const W = doc.page.width; // 841.89
  const H = doc.page.height; // 595.28
  const mid = W / 2;

  // frame and the fold of the booklet
  doc
    .lineWidth(2)
    .strokeColor(ACCENT)
    .rect(18, 18, W - 36, H - 36)
    .stroke();
  doc
    .lineWidth(0.6)
    .rect(25, 25, W - 50, H - 50)
    .stroke();
  doc
    .lineWidth(0.5)
    .strokeColor('#bbbbbb')
    .dash(3, { space: 3 })
    .moveTo(mid, 40)
    .lineTo(mid, H - 40)
    .stroke()
    .undash();

  // ---- left half
  const lx = 60;
  const lw = mid - 2 * lx + 20;
  doc.font('bold').fontSize(30).fillColor(ACCENT).text(CERTIFICATE_TITLE, lx, 62, { width: lw, align: 'center', characterSpacing: 4 });
  doc
    .font('regular')
    .fontSize(13)
    .fillColor(INK)
    .text(statement, lx + 10, 130, { width: lw - 20, lineGap: 7 });
  let y = Math.max(doc.y + 26, 230);
  doc.fontSize(15).text(p.institutionName, lx, y, { width: lw, align: 'center' });
  doc
    .fontSize(11)
    .fillColor(MUTED)
    .text(`机构代码：${p.institutionCode}`, lx, doc.y + 6, { width: lw, align: 'center' });
  doc
    .fontSize(13)
    .fillColor(INK)
    .text(`发证日期：${chineseDate(p.issueDate)}`, lx, doc.y + 10, { width: lw, align: 'center' });
  if (p.reissue) {
    doc
      .fontSize(11)
      .fillColor(MUTED)
      .text(`补发日期：${chineseDate(p.reissue.date)}（第 ${p.reissue.count} 次补发）`, lx, doc.y + 6, {
        width: lw,
        align: 'center',
      });
  }

  const qrSize = 112;
  const qrY = H - 60 - qrSize - (sites ? 30 : 0);
  doc.image(qr, lx, qrY, { width: qrSize, height: qrSize });
  const tx = lx + qrSize + 12;
  const tw = mid - 30 - tx;
  doc
    .font('regular')
    .fontSize(11)
    .fillColor(INK)
    .text('扫码核验证书真伪', tx, qrY + 8, { width: tw });
  // the URL in print too, so the signature can be typed in when the code is damaged
  doc
    .fontSize(6.5)
    .fillColor(MUTED)
    .text(p.verifyUrl, tx, doc.y + 4, { width: tw, lineBreak: true });
  doc
    .fontSize(9)
    .fillColor(MUTED)
    .text('本电子证书与纸质证书具有同等效力', tx, qrY + qrSize - 12, { width: tw });
  if (sites) {
    doc.fontSize(9).fillColor(MUTED);
    doc.text(`证书信息查询网址：${sites.certificate}`, lx, H - 78, { width: lw });
    doc.text(`机构信息查询网址：${sites.institution}`, lx, doc.y + 2, { width: lw });
  }

  // ---- right half
  const labelX = mid + 50;
  const labelW = 92;
  const valueX = labelX + labelW + 8;
  const valueW = W - 60 - valueX;
  y = 78;
  for (const [label, value] of fields) {
    doc
      .font('regular')
      .fontSize(12)
      .fillColor(MUTED)
      .text(`${label}：`, labelX, y + 3, { width: labelW, align: 'right' });
    doc
      .font(label === '姓　　名' ? 'bold' : 'regular')
      .fontSize(15)
      .fillColor(INK);
    const h = doc.heightOfString(value, { width: valueW });
    doc.text(value, valueX, y, { width: valueW });
    const lineY = y + h + 3;
    doc
      .lineWidth(0.5)
      .strokeColor('#999999')
      .moveTo(valueX, lineY)
      .lineTo(valueX + valueW, lineY)
      .stroke();
    y = lineY + 20;
  }
  if (p.version !== null) {
    doc
      .font('regular')
      .fontSize(8)
      .fillColor(MUTED)
      .text(`版本 ${p.version}`, labelX, H - 58, { width: W - 60 - labelX, align: 'right' });
  }

  doc.end();
  return done;
}
