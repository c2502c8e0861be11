/**
 * SPEC §4 certificate code (seed 001 附件5 and national practice): layouts, build/parse round trips,
 * serial bounds (never a wrap-around), the seed's 21-character sample.
 */
import fc from 'fast-check';
import {
  CERTIFICATE_FIELDS,
  CERTIFICATE_LEVEL_NAMES,
  CertificateCodeError,
  type CertificateCodeParts,
  type CertificateLayout,
  DEFAULT_LAYOUT,
  ISSUING_LAYOUT,
  KNOWN_LAYOUTS,
  SHANXI_2020_LAYOUT,
  assertSerial,
  buildCertificateCode,
  formatInstitutionSequence,
  isValidCertificateCode,
  layoutLength,
  maxSerial,
  nextSerial,
  parse,
  parseCertificateCode,
  parseCertificateCodeOrThrow,
  validateCertificateCode,
} from '../../domain/certificate-code';

const SEED_001_SAMPLE = 'Y00001400000119300001';

const base: CertificateCodeParts = {
  kind: 'Y',
  province: '22',
  institutionSequence: 12,
  issueYear: 2024,
  level: 4,
  serial: 1,
};

/** The error a function throws (fails the test when it does not throw). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('layouts (SPEC §4)', () => {
  test('default is 1 letter + 21 digits = 22 characters with a 6-digit serial', () => {
    expect(layoutLength(DEFAULT_LAYOUT)).toBe(22);
    expect(DEFAULT_LAYOUT.widths).toEqual({ kind: 1, route: 4, province: 2, institution: 6, year: 2, level: 1, serial: 6 });
    expect(maxSerial(DEFAULT_LAYOUT)).toBe(999999);
    expect(ISSUING_LAYOUT).toBe(DEFAULT_LAYOUT);
    expect(maxSerial()).toBe(999999);
  });

  test('seed 001 layout differs only in the serial width: 21 characters, 5-digit serial', () => {
    expect(layoutLength(SHANXI_2020_LAYOUT)).toBe(21);
    expect(maxSerial(SHANXI_2020_LAYOUT)).toBe(99999);
    for (const f of CERTIFICATE_FIELDS) {
      if (f !== 'serial') expect(SHANXI_2020_LAYOUT.widths[f]).toBe(DEFAULT_LAYOUT.widths[f]);
    }
    expect(KNOWN_LAYOUTS).toEqual([DEFAULT_LAYOUT, SHANXI_2020_LAYOUT]);
  });

  test('level names follow SPEC §5 (5 初级工 … 1 高级技师)', () => {
    expect(CERTIFICATE_LEVEL_NAMES[5]).toContain('初级工');
    expect(CERTIFICATE_LEVEL_NAMES[1]).toContain('高级技师');
  });
});

describe('seed 001 sample', () => {
  test('Y00001400000119300001 parses with the 21-character layout', () => {
    // Y | 0000 | 14 | 000001 | 19 | 3 | 00001
    expect(SEED_001_SAMPLE).toHaveLength(21);
    const r = parseCertificateCode(SEED_001_SAMPLE);
    expect(r).not.toBeNull();
    expect(r!.layout).toBe(SHANXI_2020_LAYOUT);
    expect(r!.parts).toEqual({
      kind: 'Y',
      route: '0000',
      province: '14',
      institutionSequence: 1,
      issueYear: 2019,
      level: 3,
      serial: 1,
    });
    expect(isValidCertificateCode(SEED_001_SAMPLE)).toBe(true);
    // rebuilding it in the seed layout gives the sample back
    expect(buildCertificateCode(r!.parts, SHANXI_2020_LAYOUT)).toBe(SEED_001_SAMPLE);
    // and the same certificate in the default layout is 22 characters
    expect(buildCertificateCode(r!.parts)).toBe('Y000014000001193000001');
  });

  test('the sample is not valid when only the 22-character layout is accepted', () => {
    expect(isValidCertificateCode(SEED_001_SAMPLE, [DEFAULT_LAYOUT])).toBe(false);
    const r = validateCertificateCode(SEED_001_SAMPLE, [DEFAULT_LAYOUT]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toContain('22 characters, got 21');
  });
});

describe('build', () => {
  test('a 22-character code, field by field', () => {
    const code = buildCertificateCode(base);
    expect(code).toBe('Y000022000012244000001');
    expect(code.slice(0, 1)).toBe('Y'); // pos 1 kind
    expect(code.slice(1, 5)).toBe('0000'); // pos 2–5 route (provincial filing by default)
    expect(code.slice(5, 7)).toBe('22'); // pos 6–7 province
    expect(code.slice(7, 13)).toBe('000012'); // pos 8–13 institution sequence
    expect(code.slice(13, 15)).toBe('24'); // pos 14–15 year
    expect(code.slice(15, 16)).toBe('4'); // pos 16 level
    expect(code.slice(16)).toBe('000001'); // pos 17–22 serial
  });

  test('S kind, a ministry route, year 2100 rejected, year 2000 as 00', () => {
    expect(buildCertificateCode({ ...base, kind: 'S', route: '1234', province: '32', issueYear: 2000, level: 1, serial: 42 })).toBe('S123432000012001000042');
    expect(() => buildCertificateCode({ ...base, issueYear: 2100 })).toThrow(RangeError);
    expect(() => buildCertificateCode({ ...base, issueYear: 24 })).toThrow(/full year/);
  });

  test('invalid parts are rejected with INVALID_PART', () => {
    const bad: Array<Partial<Record<keyof CertificateCodeParts, unknown>>> = [
      { kind: 'X' },
      { kind: 'y' },
      { route: '000' },
      { route: '00A0' },
      { province: '99' },
      { province: '71' }, // Taiwan: GB/T 2260 but not mainland
      { province: '2' },
      { institutionSequence: 0 },
      { institutionSequence: 1_000_000 },
      { institutionSequence: 1.5 },
      { level: 0 },
      { level: 6 },
    ];
    for (const patch of bad) {
      const e = thrown(() => buildCertificateCode({ ...base, ...patch } as CertificateCodeParts));
      expect(e).toBeInstanceOf(RangeError);
      expect(e).toBeInstanceOf(CertificateCodeError);
      expect((e as CertificateCodeError).code).toBe('INVALID_PART');
    }
  });
});

describe('serial bounds: never a wrap-around (SPEC §4)', () => {
  test('22-character layout: 1 and 999999 are fine, 0 and 1000000 are errors', () => {
    expect(buildCertificateCode({ ...base, serial: 1 }).slice(-6)).toBe('000001');
    expect(buildCertificateCode({ ...base, serial: 999999 }).slice(-6)).toBe('999999');

    const zero = thrown(() => buildCertificateCode({ ...base, serial: 0 }));
    expect(zero).toBeInstanceOf(RangeError);
    expect((zero as CertificateCodeError).code).toBe('SERIAL_OUT_OF_RANGE');
    expect((zero as Error).message).toMatch(/from 1 to 999999/);

    const over = thrown(() => buildCertificateCode({ ...base, serial: 1_000_000 }));
    expect(over).toBeInstanceOf(RangeError);
    expect((over as CertificateCodeError).code).toBe('SERIAL_EXHAUSTED');
    expect((over as Error).message).toMatch(/exceeds the maximum 999999/);

    expect(() => buildCertificateCode({ ...base, serial: -1 })).toThrow(RangeError);
    expect(() => buildCertificateCode({ ...base, serial: 2.5 })).toThrow(RangeError);
    expect(() => buildCertificateCode({ ...base, serial: Number.NaN })).toThrow(RangeError);
  });

  test('21-character layout: the maximum is 99999', () => {
    expect(buildCertificateCode({ ...base, serial: 99999 }, SHANXI_2020_LAYOUT).slice(-5)).toBe('99999');
    const over = thrown(() => buildCertificateCode({ ...base, serial: 100000 }, SHANXI_2020_LAYOUT));
    expect((over as CertificateCodeError).code).toBe('SERIAL_EXHAUSTED');
    expect(() => buildCertificateCode({ ...base, serial: 0 }, SHANXI_2020_LAYOUT)).toThrow(RangeError);
  });

  test('assertSerial and nextSerial', () => {
    expect(() => assertSerial(1)).not.toThrow();
    expect(() => assertSerial(999999)).not.toThrow();
    expect(() => assertSerial(0)).toThrow(RangeError);
    expect(nextSerial(0)).toBe(1);
    expect(nextSerial(41)).toBe(42);
    expect(nextSerial(999998)).toBe(999999);
    expect((thrown(() => nextSerial(999999)) as CertificateCodeError).code).toBe('SERIAL_EXHAUSTED');
    expect((thrown(() => nextSerial(99999, SHANXI_2020_LAYOUT)) as CertificateCodeError).code).toBe('SERIAL_EXHAUSTED');
    expect(() => nextSerial(-1)).toThrow(RangeError);
  });
});

describe('formatInstitutionSequence', () => {
  test('6 digits, 1..999999', () => {
    expect(formatInstitutionSequence(1)).toBe('000001');
    expect(formatInstitutionSequence(123)).toBe('000123');
    expect(formatInstitutionSequence(999999)).toBe('999999');
    expect(() => formatInstitutionSequence(0)).toThrow(RangeError);
    expect(() => formatInstitutionSequence(1_000_000)).toThrow(RangeError);
    expect(() => formatInstitutionSequence(-3)).toThrow(RangeError);
    expect(() => formatInstitutionSequence(2.5)).toThrow(RangeError);
  });
});

describe('parse', () => {
  test('a 22-character code parses with the default layout', () => {
    const r = validateCertificateCode('Y000022000012244000001');
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.layout).toBe(DEFAULT_LAYOUT);
      expect(r.code).toBe('Y000022000012244000001');
      expect(r.parts).toEqual({ ...base, route: '0000' });
    }
    expect(parse).toBe(validateCertificateCode);
  });

  test('whitespace and a lowercase letter are normalized', () => {
    expect(parseCertificateCode(' s000032000001244999999 ')?.code).toBe('S000032000001244999999');
  });

  test('wrong lengths', () => {
    for (const code of ['', 'Y', 'Y0000140000011930000', 'Y00001400000119300000001']) {
      const r = validateCertificateCode(code);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors[0]).toMatch(/22 or 21 characters/);
      expect(parseCertificateCode(code)).toBeNull();
    }
    expect(validateCertificateCode(42)).toEqual({ ok: false, errors: ['a certificate code must be a string'] });
  });

  test('invalid fields are all reported', () => {
    // kind X, province 99, institution 000000, level 6, serial 000000
    const r = validateCertificateCode('X000099000000246000000');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toHaveLength(5);
      expect(r.errors.join('\n')).toMatch(/position 1 must be Y or S/);
      expect(r.errors.join('\n')).toMatch(/province "99"/);
      expect(r.errors.join('\n')).toMatch(/institution sequence "000000"/);
      expect(r.errors.join('\n')).toMatch(/level "6"/);
      expect(r.errors.join('\n')).toMatch(/serial "000000"/);
    }
  });

  test.each([
    ['Y000022000012240000001', 'level 0'],
    ['Y000022000012246000001', 'level 6'],
    ['Y000022000012244000000', 'serial 0'],
    ['Y00002200001224400000A', 'letter in serial'],
    ['Y0A0022000012244000001', 'letter in route'],
    ['Y000071000012244000001', 'Taiwan is not a mainland province'],
    ['Y000022000000244000001', 'institution sequence 0'],
    ['YY00022000012244000001', 'letter in route (pos 2)'],
    ['Y0000140000011930000A', 'seed layout, letter in serial'],
    ['Y00001400000119300000', 'seed layout, serial 0'],
  ])('%s is invalid (%s)', (code) => {
    expect(isValidCertificateCode(code)).toBe(false);
    expect(parseCertificateCode(code)).toBeNull();
    const e = thrown(() => parseCertificateCodeOrThrow(code));
    expect((e as CertificateCodeError).code).toBe('INVALID_CODE');
  });

  test('parseCertificateCodeOrThrow returns the parse on success', () => {
    expect(parseCertificateCodeOrThrow(SEED_001_SAMPLE).layout).toBe(SHANXI_2020_LAYOUT);
  });
});

describe('round trips build → parse for both layouts', () => {
  const partsArb = (layout: CertificateLayout) =>
    fc.record({
      kind: fc.constantFrom<'Y' | 'S'>('Y', 'S'),
      route: fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')),
      province: fc.constantFrom('11', '14', '22', '32', '44', '65'),
      institutionSequence: fc.integer({ min: 1, max: 999999 }),
      issueYear: fc.integer({ min: 2000, max: 2099 }),
      level: fc.constantFrom<1 | 2 | 3 | 4 | 5>(1, 2, 3, 4, 5),
      serial: fc.integer({ min: 1, max: maxSerial(layout) }),
    });

  test.each([
    ['22-character default', DEFAULT_LAYOUT],
    ['21-character seed 001', SHANXI_2020_LAYOUT],
  ])('%s layout', (_name, layout) => {
    fc.assert(
      fc.property(partsArb(layout), (parts) => {
        const code = buildCertificateCode(parts, layout);
        expect(code).toHaveLength(layoutLength(layout));
        const r = parseCertificateCode(code);
        expect(r).not.toBeNull();
        expect(r!.layout).toBe(layout);
        expect(r!.parts).toEqual(parts);
        expect(buildCertificateCode(r!.parts, r!.layout)).toBe(code);
      }),
    );
  });

  test('fixed round trips at the serial boundaries', () => {
    for (const [layout, serial] of [
      [DEFAULT_LAYOUT, 1],
      [DEFAULT_LAYOUT, 999999],
      [SHANXI_2020_LAYOUT, 1],
      [SHANXI_2020_LAYOUT, 99999],
    ] as const) {
      const code = buildCertificateCode({ ...base, serial }, layout);
      expect(parseCertificateCode(code)).toEqual({ code, layout, parts: { ...base, route: '0000', serial } });
    }
  });
});
