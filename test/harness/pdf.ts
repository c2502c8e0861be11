/** Reading a certificate PDF back (text and embedded images, with pdfjs-dist) and decoding QR codes (jsQR). */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import jsQR from 'jsqr';

export interface ReadBack {
  info: { Title?: string; Author?: string; Subject?: string };
  numPages: number;
  pages: { width: number; height: number; text: string; images: { width: number; height: number; rgba: string }[] }[];
}

/** Reads a PDF with pdfjs-dist in a plain Node process (pdfjs-dist is ESM-only; see the helper). */
export function readBack(pdf: Buffer): ReadBack {
  const out = execFileSync(process.execPath, [join(__dirname, '..', 'unit', 'helpers', 'pdf-readback.mjs')], { input: pdf, maxBuffer: 64 << 20 });
  return JSON.parse(out.toString('utf8')) as ReadBack;
}

/** Text without any blank (pdfjs splits lines where the layout wraps; U+3000 counts as blank). */
export const flat = (s: string) => s.replace(/\s+/g, '');

/** The text of a QR code in an RGBA image, or null. */
export function decodeQr(rgba: Uint8Array | Buffer, width: number, height: number): string | null {
  const r = jsQR(new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength), width, height);
  return r ? r.data : null;
}
