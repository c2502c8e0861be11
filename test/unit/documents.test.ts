/** Material documents: the type read from the first bytes, and when the applicant may attach one (domain/documents.ts). */
import { detectDocumentType, documentRefusal, DOCUMENT_SNIFF_BYTES } from '../../domain/documents';
import { cleanFilename } from '../../api/routes/documents';
import type { Caller } from '../../domain/roles';
import type { FilingStatus } from '../../domain/filing';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('detectDocumentType', () => {
  it('knows PDF, JPEG and PNG by their signatures, whatever follows', () => {
    expect(detectDocumentType(Buffer.from('%PDF-1.4\n%âãÏÓ'))?.contentType).toBe('application/pdf');
    expect(detectDocumentType(bytes(0xff, 0xd8, 0xff, 0xe1, 0, 0, 0, 0))?.contentType).toBe('image/jpeg');
    expect(detectDocumentType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0))?.contentType).toBe('image/png');
    expect(DOCUMENT_SNIFF_BYTES).toBe(8);
  });

  it('refuses near misses and other formats', () => {
    for (const head of [
      Buffer.from('%PDF'), // cut short before the dash
      Buffer.from('%pdf-1.4'),
      Buffer.from(' %PDF-1.4'),
      bytes(0xff, 0xd8),
      bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x00), // PNG with a damaged last byte (a text-mode transfer)
      Buffer.from('PK\x03\x04docx'),
      Buffer.from('GIF89a..'),
      Buffer.from('<html><script>'),
      bytes(),
    ])
      expect([head.toString('hex'), detectDocumentType(head)]).toEqual([head.toString('hex'), null]);
  });
});

describe('documentRefusal (004 Art.6–9)', () => {
  const state = (status: FilingStatus) => ({ status, application: { institution: { creditCode: 'CC1' } } }) as never;
  const owner: Caller = { sub: 'i', name: 'i', role: 'institution', institutionId: 'CC1' };
  it('the applicant, while the application, a 补正, a change or a renewal is under review', () => {
    for (const s of ['in-review', 'supplement-requested', 'change-pending', 'renewal-pending'] as const) expect(documentRefusal(state(s), owner)).toBeNull();
    for (const s of ['active', 'rejected', 'expired', 'terminated', 'withdrawn'] as const) expect(documentRefusal(state(s), owner)?.code).toBe('INVALID_STATE');
  });
  it('nobody else, not another institution nor a reviewer', () => {
    expect(documentRefusal(state('in-review'), { ...owner, institutionId: 'CC2' })?.code).toBe('FORBIDDEN');
    expect(documentRefusal(state('in-review'), { sub: 'r', name: 'r', role: 'province-reviewer', province: '22' })?.code).toBe('FORBIDDEN');
  });
});

describe('cleanFilename', () => {
  it('keeps the name without its path or control characters, bounded; an empty one becomes kind.ext', () => {
    expect(cleanFilename('C:\\Users\\李\\申请报告.pdf', 'x.pdf')).toBe('申请报告.pdf');
    expect(cleanFilename('../../etc/passwd', 'x.pdf')).toBe('passwd');
    expect(cleanFilename('a\u202egpj.pdf\u0000"', 'x.pdf')).toBe('agpj.pdf');
    expect(cleanFilename('   ', 'work-plan.pdf')).toBe('work-plan.pdf');
    expect(cleanFilename('x'.repeat(500), 'y')).toHaveLength(200);
  });
});
