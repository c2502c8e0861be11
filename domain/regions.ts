/**
 * Administrative division codes (GB/T 2260, 中华人民共和国行政区划代码).
 *
 * A region code has six digits: 2 province + 2 prefecture + 2 county. SPEC §4 puts the 2-digit
 * province code into positions 6–7 of a certificate code (Shanxi 14, Jilin 22, Jiangsu 32); SPEC §1
 * and API.md give reviewers a 2-digit `province` and prefecture roles a 6-digit `prefecture`.
 *
 * Validation here is structural (shape + known province). Names are metadata for display: the
 * prefecture table covers only the provinces the seed documents deal with and is deliberately
 * incomplete — an unknown-but-well-formed prefecture code is still valid.
 *
 * Pure data and functions: no Node, clock or I/O, so workflow code may import it.
 */

export interface Province {
  /** 2-digit GB/T 2260 province-level code. */
  readonly code: string;
  /** Official Chinese name. */
  readonly name: string;
  /**
   * false for 71 台湾省, 81 香港特别行政区, 82 澳门特别行政区: listed in GB/T 2260 but outside the
   * mainland HR system, so no institution files there and no certificate code carries them.
   */
  readonly mainland: boolean;
}

/** GB/T 2260 province-level divisions: the 31 mainland ones, then Taiwan, Hong Kong, Macau. */
export const PROVINCES: readonly Province[] = Object.freeze(
  [
    { code: '11', name: '北京市', mainland: true },
    { code: '12', name: '天津市', mainland: true },
    { code: '13', name: '河北省', mainland: true },
    { code: '14', name: '山西省', mainland: true },
    { code: '15', name: '内蒙古自治区', mainland: true },
    { code: '21', name: '辽宁省', mainland: true },
    { code: '22', name: '吉林省', mainland: true },
    { code: '23', name: '黑龙江省', mainland: true },
    { code: '31', name: '上海市', mainland: true },
    { code: '32', name: '江苏省', mainland: true },
    { code: '33', name: '浙江省', mainland: true },
    { code: '34', name: '安徽省', mainland: true },
    { code: '35', name: '福建省', mainland: true },
    { code: '36', name: '江西省', mainland: true },
    { code: '37', name: '山东省', mainland: true },
    { code: '41', name: '河南省', mainland: true },
    { code: '42', name: '湖北省', mainland: true },
    { code: '43', name: '湖南省', mainland: true },
    { code: '44', name: '广东省', mainland: true },
    { code: '45', name: '广西壮族自治区', mainland: true },
    { code: '46', name: '海南省', mainland: true },
    { code: '50', name: '重庆市', mainland: true },
    { code: '51', name: '四川省', mainland: true },
    { code: '52', name: '贵州省', mainland: true },
    { code: '53', name: '云南省', mainland: true },
    { code: '54', name: '西藏自治区', mainland: true },
    { code: '61', name: '陕西省', mainland: true },
    { code: '62', name: '甘肃省', mainland: true },
    { code: '63', name: '青海省', mainland: true },
    { code: '64', name: '宁夏回族自治区', mainland: true },
    { code: '65', name: '新疆维吾尔自治区', mainland: true },
    { code: '71', name: '台湾省', mainland: false },
    { code: '81', name: '香港特别行政区', mainland: false },
    { code: '82', name: '澳门特别行政区', mainland: false },
  ].map((p) => Object.freeze(p)),
);

const PROVINCE_BY_CODE: ReadonlyMap<string, Province> = new Map(PROVINCES.map((p) => [p.code, p]));

/**
 * Prefecture-level names (地级市 / 自治州) for the provinces the seeds come from: Jilin (000, 004),
 * Shanxi (001, Xinzhou = 140900) and Jiangsu (003). Display metadata only.
 */
export const PREFECTURE_NAMES: Readonly<Record<string, string>> = Object.freeze({
  // 14 山西省
  '140100': '太原市',
  '140200': '大同市',
  '140300': '阳泉市',
  '140400': '长治市',
  '140500': '晋城市',
  '140600': '朔州市',
  '140700': '晋中市',
  '140800': '运城市',
  '140900': '忻州市',
  '141000': '临汾市',
  '141100': '吕梁市',
  // 22 吉林省
  '220100': '长春市',
  '220200': '吉林市',
  '220300': '四平市',
  '220400': '辽源市',
  '220500': '通化市',
  '220600': '白山市',
  '220700': '松原市',
  '220800': '白城市',
  '222400': '延边朝鲜族自治州',
  // 32 江苏省
  '320100': '南京市',
  '320200': '无锡市',
  '320300': '徐州市',
  '320400': '常州市',
  '320500': '苏州市',
  '320600': '南通市',
  '320700': '连云港市',
  '320800': '淮安市',
  '320900': '盐城市',
  '321000': '扬州市',
  '321100': '镇江市',
  '321200': '泰州市',
  '321300': '宿迁市',
});

/** True for a 2-digit GB/T 2260 province-level code (including 71, 81, 82). */
export function isProvinceCode(code: unknown): code is string {
  return typeof code === 'string' && PROVINCE_BY_CODE.has(code);
}

/** True for one of the 31 mainland province-level codes (excludes 71, 81, 82). */
export function isMainlandProvinceCode(code: unknown): code is string {
  return typeof code === 'string' && PROVINCE_BY_CODE.get(code)?.mainland === true;
}

/** The province record for a 2-digit code, or undefined. */
export function province(code: string): Province | undefined {
  return PROVINCE_BY_CODE.get(code);
}

/** The Chinese name of a 2-digit province code, or undefined when the code is unknown. */
export function provinceName(code: string): string | undefined {
  return PROVINCE_BY_CODE.get(code)?.name;
}

/** The 2-digit province part of a 6-digit region code when it is a known province, else undefined. */
export function provinceOfRegion(region: string): string | undefined {
  if (!/^\d{6}$/.test(region)) return undefined;
  const p = region.slice(0, 2);
  return PROVINCE_BY_CODE.has(p) ? p : undefined;
}

/**
 * Structural test for a prefecture-level code inside a province (GB/T 2260): six digits, the first
 * two equal to `province` (a known province code), the last two `00`, and the middle two not `00`
 * (`220000` is the province itself, not a prefecture). Examples: `isPrefectureCodeIn('22', '220100')`
 * (长春市) and `isPrefectureCodeIn('22', '222400')` (延边州) are true; `'220102'` (a district) is not.
 */
export function isPrefectureCodeIn(provinceCode: string, prefecture: string): boolean {
  if (!isProvinceCode(provinceCode)) return false;
  if (typeof prefecture !== 'string' || !/^\d{6}$/.test(prefecture)) return false;
  return prefecture.startsWith(provinceCode) && prefecture.endsWith('00') && prefecture.slice(2, 4) !== '00';
}

/** Structural test for any prefecture-level code (its province is taken from the first two digits). */
export function isPrefectureCode(prefecture: string): boolean {
  return typeof prefecture === 'string' && isPrefectureCodeIn(prefecture.slice(0, 2), prefecture);
}

/** The known name of a prefecture-level code (see PREFECTURE_NAMES), or undefined. */
export function prefectureName(code: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(PREFECTURE_NAMES, code) ? PREFECTURE_NAMES[code] : undefined;
}
