/**
 * SPEC §7 identifiers: resident ID number (GB 11643-1999), unified social credit code
 * (GB 32100-2015), masking; and GB/T 2260 regions (domain/regions.ts).
 */
import fc from 'fast-check';
import {
  CREDIT_CODE_CHARSET,
  CREDIT_CODE_WEIGHTS,
  ID_NUMBER_WEIGHTS,
  birthDateFromIdNumber,
  creditCodeCheckChar,
  idNumberCheckChar,
  isValidCreditCode,
  isValidIdNumber,
  makeCreditCode,
  makeIdNumber,
  maskIdNumber,
  maskName,
  maskPhone,
  normalizeCreditCode,
  normalizeIdNumber,
  sexFromIdNumber,
  validateCreditCode,
  validateIdNumber,
} from '../../domain/identifiers';
import {
  PREFECTURE_NAMES,
  PROVINCES,
  isMainlandProvinceCode,
  isPrefectureCode,
  isPrefectureCodeIn,
  isProvinceCode,
  prefectureName,
  provinceName,
  provinceOfRegion,
} from '../../domain/regions';

/** Replaces the character at index i. */
const replaceAt = (s: string, i: number, c: string) => s.slice(0, i) + c + s.slice(i + 1);

describe('GB 11643-1999 resident ID number (SPEC §7)', () => {
  test('weights are 2^(18-i) mod 11 (ISO 7064 MOD 11-2), derived independently', () => {
    const derived = Array.from({ length: 17 }, (_, k) => 2 ** (17 - k) % 11);
    expect(ID_NUMBER_WEIGHTS).toEqual(derived);
    expect(ID_NUMBER_WEIGHTS).toEqual([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]);
  });

  test('the standard example 11010519491231002X is valid (hand-computed check X)', () => {
    // digits   1 1  0 1 0 5 1 9 4 9 1 2  3 1 0 0 2
    // weights  7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
    // products 7 9  0 5 0 20 2 9 24 27 7 18 30 5 0 0 4 → sum 167
    // 167 mod 11 = 2 → map 0..10 '1','0','X',… → 'X'
    expect(idNumberCheckChar('11010519491231002')).toBe('X');
    expect(validateIdNumber('11010519491231002X')).toEqual({ ok: true, normalized: '11010519491231002X' });
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    expect(sexFromIdNumber('11010519491231002X')).toBe('F'); // sequence 002: even
    expect(birthDateFromIdNumber('11010519491231002X')).toBe('1949-12-31');
  });

  test('the standard example 440524188001010014 has a correct check char but a birth year before 1900', () => {
    // 4·7+4·9+0·10+5·5+2·8+4·4+1·2+8·1+8·6+0·3+0·7+1·9+0·10+1·5+0·8+0·4+1·2
    // = 28+36+0+25+16+16+2+8+48+0+0+9+0+5+0+0+2 = 195; 195 mod 11 = 8 → '4'
    expect(idNumberCheckChar('44052418800101001')).toBe('4');
    const r = validateIdNumber('440524188001010014');
    expect(r).toMatchObject({ ok: false, code: 'BIRTH_DATE' });
    // with the date rule satisfied, the same region/sequence is fine
    expect(isValidIdNumber(makeIdNumber('440524', '19800101', '001'))).toBe(true);
  });

  test('numbers built with makeIdNumber, pinned as fixed examples', () => {
    // Pinned so that a change to the generator cannot silently agree with a change to the validator.
    expect(makeIdNumber('220102', '19900307', '123')).toBe('220102199003071235');
    expect(makeIdNumber('140902', '20000229', '002')).toBe('140902200002290021');
    expect(makeIdNumber('320102', '19851231', 1)).toBe('320102198512310010');
    for (const id of ['220102199003071235', '140902200002290021', '320102198512310010']) {
      expect(validateIdNumber(id)).toEqual({ ok: true, normalized: id });
    }
    expect(sexFromIdNumber('220102199003071235')).toBe('M'); // 123 odd
    expect(sexFromIdNumber('140902200002290021')).toBe('F'); // 002 even
    expect(birthDateFromIdNumber('140902200002290021')).toBe('2000-02-29');
  });

  test('lowercase x and surrounding whitespace are normalized', () => {
    expect(validateIdNumber('11010519491231002x')).toEqual({ ok: true, normalized: '11010519491231002X' });
    expect(normalizeIdNumber('  11010519491231002x ')).toBe('11010519491231002X');
    expect(sexFromIdNumber('11010519491231002x')).toBe('F');
  });

  test('wrong check character', () => {
    expect(validateIdNumber('110105194912310021')).toMatchObject({ ok: false, code: 'CHECK_CHAR' });
    expect(validateIdNumber('220102199003071234')).toMatchObject({ ok: false, code: 'CHECK_CHAR' });
    const r = validateIdNumber('22010219900307123X');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('gives 5');
  });

  test('wrong lengths and formats', () => {
    expect(validateIdNumber('')).toMatchObject({ ok: false, code: 'LENGTH' });
    expect(validateIdNumber('11010519491231002')).toMatchObject({ ok: false, code: 'LENGTH' });
    expect(validateIdNumber('11010519491231002X1')).toMatchObject({ ok: false, code: 'LENGTH' });
    const old = validateIdNumber('110105491231002'); // 15-digit first generation
    expect(old).toMatchObject({ ok: false, code: 'LENGTH' });
    if (!old.ok) expect(old.reason).toContain('15-digit');
    expect(validateIdNumber('1101051949123100XX')).toMatchObject({ ok: false, code: 'FORMAT' });
    expect(validateIdNumber('11010519491231002Y')).toMatchObject({ ok: false, code: 'FORMAT' });
    expect(validateIdNumber('X10105194912310021')).toMatchObject({ ok: false, code: 'FORMAT' });
    expect(validateIdNumber(110105194912310020 as unknown)).toMatchObject({ ok: false, code: 'NOT_A_STRING' });
    expect(validateIdNumber(null)).toMatchObject({ ok: false, code: 'NOT_A_STRING' });
    expect(isValidIdNumber(undefined)).toBe(false);
  });

  test('invalid birth dates are rejected even with a correct check character', () => {
    const cases = [
      ['19900230', 'Feb 30'],
      ['19000229', '1900 is not a leap year'],
      ['20230229', '2023 is not a leap year'],
      ['19901301', 'month 13'],
      ['19900001', 'month 00'],
      ['19900100', 'day 00'],
      ['19900431', 'April 31'],
      ['18991231', 'before 1900'],
    ];
    for (const [date] of cases) {
      expect(validateIdNumber(makeIdNumber('220102', date, '001'))).toMatchObject({ ok: false, code: 'BIRTH_DATE' });
    }
    // leap days that exist
    expect(isValidIdNumber(makeIdNumber('220102', '20000229', '001'))).toBe(true);
    expect(isValidIdNumber(makeIdNumber('220102', '19960229', '001'))).toBe(true);
    expect(isValidIdNumber(makeIdNumber('220102', '19000101', '001'))).toBe(true);
  });

  test('future birth dates are rejected relative to the optional today (China local date)', () => {
    const id = makeIdNumber('220102', '20250601', '001');
    expect(isValidIdNumber(id)).toBe(true); // no today given: the future rule is not applied
    expect(isValidIdNumber(id, '2025-06-01')).toBe(true); // born today
    expect(validateIdNumber(id, '2025-05-31')).toMatchObject({ ok: false, code: 'BIRTH_DATE' });
    expect(isValidIdNumber(id, { today: '20250602' })).toBe(true);
    // 2025-05-31T16:00Z is already 2025-06-01 in Asia/Shanghai (UTC+8)
    expect(isValidIdNumber(id, new Date('2025-05-31T16:00:00Z'))).toBe(true);
    expect(isValidIdNumber(id, new Date('2025-05-31T15:59:59Z'))).toBe(false);
    expect(() => validateIdNumber(id, 'June 1st')).toThrow(RangeError);
  });

  test('the address code must start with a GB/T 2260 province (or 83, Taiwan residence permit)', () => {
    expect(validateIdNumber(makeIdNumber('990102', '19900101', '001'))).toMatchObject({ ok: false, code: 'REGION' });
    expect(validateIdNumber(makeIdNumber('000000', '19900101', '001'))).toMatchObject({ ok: false, code: 'REGION' });
    expect(isValidIdNumber(makeIdNumber('990102', '19900101', '001'), { checkRegion: false })).toBe(true);
    expect(isValidIdNumber(makeIdNumber('810000', '19900101', '001'))).toBe(true);
    expect(isValidIdNumber(makeIdNumber('820000', '19900101', '002'))).toBe(true);
    expect(isValidIdNumber(makeIdNumber('830000', '19900101', '003'))).toBe(true);
  });

  test('sex and birth date helpers return null for invalid numbers', () => {
    expect(sexFromIdNumber('110105194912310021')).toBeNull();
    expect(birthDateFromIdNumber('nope')).toBeNull();
  });

  test('makeIdNumber rejects malformed fields', () => {
    expect(() => makeIdNumber('22010', '19900101', '001')).toThrow(RangeError);
    expect(() => makeIdNumber('220102', '1990011', '001')).toThrow(RangeError);
    expect(() => makeIdNumber('220102', '19900101', '1')).toThrow(RangeError);
    expect(() => makeIdNumber('220102', '19900101', 1000)).toThrow(RangeError);
    expect(() => idNumberCheckChar('1101051949123100X')).toThrow(RangeError);
  });

  const validIdFields = fc.record({
    region: fc.constantFrom('110105', '140902', '220102', '222401', '320102', '650102', '810000'),
    year: fc.integer({ min: 1900, max: 2024 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    seq: fc.integer({ min: 0, max: 999 }),
  });
  const birth = (f: { year: number; month: number; day: number }) => `${f.year}${String(f.month).padStart(2, '0')}${String(f.day).padStart(2, '0')}`;

  test('property: every generated number validates, and sex follows the sequence parity', () => {
    fc.assert(
      fc.property(validIdFields, (f) => {
        const id = makeIdNumber(f.region, birth(f), f.seq);
        expect(validateIdNumber(id, '2025-01-01')).toEqual({ ok: true, normalized: id });
        expect(sexFromIdNumber(id)).toBe(f.seq % 2 === 1 ? 'M' : 'F');
        expect(birthDateFromIdNumber(id)).toBe(`${birth(f).slice(0, 4)}-${birth(f).slice(4, 6)}-${birth(f).slice(6)}`);
      }),
    );
  });

  test('property: MOD 11-2 catches every single-character change and every adjacent transposition', () => {
    fc.assert(
      fc.property(validIdFields, fc.integer({ min: 0, max: 17 }), fc.integer({ min: 1, max: 10 }), (f, pos, delta) => {
        const id = makeIdNumber(f.region, birth(f), f.seq);
        const alphabet = '0123456789X';
        const current = alphabet.indexOf(id[pos]);
        const changed = replaceAt(id, pos, alphabet[(current + delta) % 11]);
        expect(isValidIdNumber(changed)).toBe(false);
      }),
    );
    fc.assert(
      fc.property(validIdFields, fc.integer({ min: 0, max: 15 }), (f, pos) => {
        const id = makeIdNumber(f.region, birth(f), f.seq);
        fc.pre(id[pos] !== id[pos + 1]);
        const swapped = id.slice(0, pos) + id[pos + 1] + id[pos] + id.slice(pos + 2);
        expect(isValidIdNumber(swapped)).toBe(false);
      }),
    );
  });
});

describe('GB 32100-2015 unified social credit code (SPEC §2, §7)', () => {
  test('charset has 31 symbols without I, O, Z, S, V; weights are 3^(i-1) mod 31', () => {
    expect(CREDIT_CODE_CHARSET).toHaveLength(31);
    for (const c of 'IOZSV') expect(CREDIT_CODE_CHARSET).not.toContain(c);
    expect(CREDIT_CODE_WEIGHTS).toEqual(Array.from({ length: 17 }, (_, k) => 3 ** k % 31));
  });

  test('the well-known example 91350100M000100Y43 is valid (hand-computed check 3)', () => {
    // chars    9 1 3  5 0  1 0  0  M 0  0  0 1  0  0  Y  4
    // values   9 1 3  5 0  1 0  0 21 0  0  0 1  0  0 30  4   (M=21, Y=30 in the charset)
    // weights  1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
    // products 9 3 27 135 0 26 0 0 420 0 0 0 8 0 0 900 112 → sum 1640
    // 1640 mod 31 = 28 (31·52 = 1612); 31 − 28 = 3 → '3'
    expect(creditCodeCheckChar('91350100M000100Y4')).toBe('3');
    expect(validateCreditCode('91350100M000100Y43')).toEqual({ ok: true, normalized: '91350100M000100Y43' });
    expect(isValidCreditCode('91350100M000100Y43')).toBe(true);
  });

  test('a check value of 31 is written 0', () => {
    // Σ = 0 for an all-zero body → 31 − 0 = 31 → '0'
    expect(creditCodeCheckChar('00000000000000000')).toBe('0');
    // body "1" then zeros: Σ = 1 → 31 − 1 = 30 → 'Y'
    expect(creditCodeCheckChar('10000000000000000')).toBe('Y');
  });

  test('codes built with makeCreditCode, pinned as fixed examples', () => {
    expect(makeCreditCode('91220101MA1234567')).toBe('91220101MA1234567P');
    expect(makeCreditCode('52140900MJ0000001')).toBe('52140900MJ00000011');
    expect(makeCreditCode('91350100m000100y4')).toBe('91350100M000100Y43');
    expect(isValidCreditCode('91220101MA1234567P')).toBe(true);
    expect(isValidCreditCode('52140900MJ00000011')).toBe(true);
  });

  test('lowercase letters and whitespace are normalized', () => {
    expect(normalizeCreditCode(' 91350100m000100y43 ')).toBe('91350100M000100Y43');
  });

  test('wrong check character', () => {
    expect(validateCreditCode('91350100M000100Y44')).toMatchObject({ ok: false, code: 'CHECK_CHAR' });
    expect(validateCreditCode('91350100M000100Y4Y')).toMatchObject({ ok: false, code: 'CHECK_CHAR' });
    expect(validateCreditCode('91220101MA12345670')).toMatchObject({ ok: false, code: 'CHECK_CHAR' });
  });

  test('wrong lengths', () => {
    expect(validateCreditCode('91350100M000100Y4')).toMatchObject({ ok: false, code: 'LENGTH' });
    expect(validateCreditCode('91350100M000100Y433')).toMatchObject({ ok: false, code: 'LENGTH' });
    expect(validateCreditCode('')).toMatchObject({ ok: false, code: 'LENGTH' });
    expect(validateCreditCode(42)).toMatchObject({ ok: false, code: 'NOT_A_STRING' });
  });

  test('forbidden letters I, O, Z, S, V anywhere are rejected', () => {
    for (const bad of 'IOZSV') {
      for (const pos of [0, 1, 8, 12, 17]) {
        const r = validateCreditCode(replaceAt('91350100M000100Y43', pos, bad));
        expect(r).toMatchObject({ ok: false, code: 'FORMAT' });
        if (!r.ok) expect(r.reason).toContain(`position ${pos + 1}`);
      }
      expect(() => makeCreditCode(replaceAt('91350100M000100Y4', 9, bad))).toThrow(RangeError);
    }
    expect(validateCreditCode('91350100M000100Y4-')).toMatchObject({ ok: false, code: 'FORMAT' });
  });

  test('positions 3–8 (region code) must be digits', () => {
    // correct check character, but a letter in the region code
    const body = '9135010AM000100Y4';
    const r = validateCreditCode(body + creditCodeCheckChar(body));
    expect(r).toMatchObject({ ok: false, code: 'FORMAT' });
    if (!r.ok) expect(r.reason).toContain('3–8');
    expect(() => makeCreditCode(body)).toThrow(RangeError);
  });

  test('makeCreditCode rejects malformed bodies', () => {
    expect(() => makeCreditCode('91350100M000100Y')).toThrow(RangeError);
    expect(() => makeCreditCode('91350100M000100Y43')).toThrow(RangeError);
  });

  const bodyArb = fc
    .tuple(
      fc.array(fc.constantFrom(...CREDIT_CODE_CHARSET), { minLength: 2, maxLength: 2 }),
      fc.array(fc.constantFrom(...'0123456789'), { minLength: 6, maxLength: 6 }),
      fc.array(fc.constantFrom(...CREDIT_CODE_CHARSET), { minLength: 9, maxLength: 9 }),
    )
    .map(([a, b, c]) => [...a, ...b, ...c].join(''));

  test('property: generated codes validate; any single-character change is caught', () => {
    fc.assert(
      fc.property(bodyArb, fc.integer({ min: 0, max: 17 }), fc.integer({ min: 1, max: 30 }), (body, pos, delta) => {
        const code = makeCreditCode(body);
        expect(validateCreditCode(code)).toEqual({ ok: true, normalized: code });
        const v = CREDIT_CODE_CHARSET.indexOf(code[pos]);
        expect(isValidCreditCode(replaceAt(code, pos, CREDIT_CODE_CHARSET[(v + delta) % 31]))).toBe(false);
      }),
    );
  });
});

describe('masking (SPEC §7, public certificate query)', () => {
  test('ID numbers keep the first 3 and last 4 characters', () => {
    expect(maskIdNumber('22010219900307001X')).toBe('220***********001X');
    expect(maskIdNumber('22010219900307001x')).toBe('220***********001X');
    expect(maskIdNumber('11010519491231002X')).toHaveLength(18);
    expect(maskIdNumber('110105491231002')).toBe('110********1002');
    expect(maskIdNumber('1234567')).toBe('*****67');
    expect(maskIdNumber('12')).toBe('**');
    expect(maskIdNumber('')).toBe('');
  });

  test('phones: 11-digit mobiles as 138****5678, otherwise first 3 / last 4, short ones last 2', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('138 1234 5678')).toBe('138****5678');
    expect(maskPhone('0350-3020718')).toBe('035****0718');
    expect(maskPhone('12345678')).toBe('123*5678');
    expect(maskPhone('1234567')).toBe('*****67');
    expect(maskPhone('110')).toBe('*10');
    expect(maskPhone('12')).toBe('**');
  });

  test('names keep the first and last character', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('张小明')).toBe('张*明');
    expect(maskName('欧阳小锋')).toBe('欧**锋');
    expect(maskName('阿依古丽·买买提')).toBe('阿******提');
    expect(maskName(' 李四 ')).toBe('李*');
    expect(maskName('王')).toBe('*');
    expect(maskName('𠮷田')).toBe('𠮷*'); // a non-BMP character counts as one
    expect(maskName('')).toBe('');
  });
});

describe('GB/T 2260 regions', () => {
  test('31 mainland provinces plus 71, 81, 82 marked as not mainland', () => {
    expect(PROVINCES.filter((p) => p.mainland)).toHaveLength(31);
    expect(PROVINCES.filter((p) => !p.mainland).map((p) => p.code)).toEqual(['71', '81', '82']);
    expect(new Set(PROVINCES.map((p) => p.code)).size).toBe(PROVINCES.length);
    expect(provinceName('14')).toBe('山西省');
    expect(provinceName('22')).toBe('吉林省');
    expect(provinceName('32')).toBe('江苏省');
    expect(provinceName('81')).toBe('香港特别行政区');
    expect(provinceName('99')).toBeUndefined();
    expect(isProvinceCode('71')).toBe(true);
    expect(isMainlandProvinceCode('71')).toBe(false);
    expect(isMainlandProvinceCode('65')).toBe(true);
    expect(isProvinceCode('00')).toBe(false);
    expect(isProvinceCode('220')).toBe(false);
    expect(isProvinceCode(22)).toBe(false);
  });

  test('prefecture codes: same province, ending in 00, not the province itself', () => {
    expect(isPrefectureCodeIn('22', '220100')).toBe(true);
    expect(isPrefectureCodeIn('22', '222400')).toBe(true);
    expect(isPrefectureCodeIn('14', '140900')).toBe(true);
    expect(isPrefectureCodeIn('14', '220100')).toBe(false); // other province
    expect(isPrefectureCodeIn('22', '220000')).toBe(false); // the province itself
    expect(isPrefectureCodeIn('22', '220102')).toBe(false); // a district
    expect(isPrefectureCodeIn('22', '22010')).toBe(false);
    expect(isPrefectureCodeIn('99', '990100')).toBe(false); // unknown province
    expect(isPrefectureCode('320500')).toBe(true);
    expect(isPrefectureCode('320501')).toBe(false);
    expect(provinceOfRegion('222401')).toBe('22');
    expect(provinceOfRegion('992401')).toBeUndefined();
  });

  test('prefecture names are metadata; every listed code is structurally a prefecture', () => {
    expect(prefectureName('220100')).toBe('长春市');
    expect(prefectureName('222400')).toBe('延边朝鲜族自治州');
    expect(prefectureName('140900')).toBe('忻州市');
    expect(prefectureName('140100')).toBe('太原市');
    expect(prefectureName('toString')).toBeUndefined();
    expect(prefectureName('220900')).toBeUndefined();
    for (const code of Object.keys(PREFECTURE_NAMES)) expect(isPrefectureCode(code)).toBe(true);
  });
});
