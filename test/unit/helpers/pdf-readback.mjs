// Reads a PDF from stdin with pdfjs-dist (the legacy build, the one meant for Node) and prints
// JSON: document info, each page's text, and every embedded raster image as RGBA pixels.
// It runs as its own Node process because pdfjs-dist is ESM-only and loads its worker with a
// dynamic import(), which jest's CommonJS sandbox refuses without --experimental-vm-modules.
import { getDocument, OPS, ImageKind } from 'pdfjs-dist/legacy/build/pdf.mjs';

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const data = new Uint8Array(Buffer.concat(chunks));

// a PDF image object is delivered through a callback once decoded
const objectOf = (objs, name) => new Promise((resolve) => objs.get(name, resolve));

/** Expands pdfjs's decoded pixel formats to RGBA, which is what jsQR reads. */
function toRgba(img) {
  const { width, height, kind, data: src } = img;
  const out = Buffer.alloc(width * height * 4);
  if (kind === ImageKind.RGBA_32BPP) return Buffer.from(src.buffer, src.byteOffset, src.byteLength);
  if (kind === ImageKind.RGB_24BPP) {
    for (let i = 0, j = 0; i < width * height; i++, j += 3) {
      out[i * 4] = src[j];
      out[i * 4 + 1] = src[j + 1];
      out[i * 4 + 2] = src[j + 2];
      out[i * 4 + 3] = 255;
    }
    return out;
  }
  if (kind === ImageKind.GRAYSCALE_1BPP) {
    const rowBytes = (width + 7) >> 3;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = (src[y * rowBytes + (x >> 3)] >> (7 - (x & 7))) & 1 ? 255 : 0;
        const o = (y * width + x) * 4;
        out[o] = out[o + 1] = out[o + 2] = v;
        out[o + 3] = 255;
      }
    }
    return out;
  }
  throw new Error(`unsupported image kind ${kind}`);
}

const doc = await getDocument({ data, verbosity: 0, useSystemFonts: false, isEvalSupported: false }).promise;
const { info } = await doc.getMetadata();
const pages = [];
for (let n = 1; n <= doc.numPages; n++) {
  const page = await doc.getPage(n);
  const content = await page.getTextContent();
  const items = content.items.filter((i) => 'str' in i).map((i) => ({ str: i.str, x: i.transform[4], y: i.transform[5] }));
  const ops = await page.getOperatorList();
  const images = [];
  for (let i = 0; i < ops.fnArray.length; i++) {
    if (ops.fnArray[i] !== OPS.paintImageXObject) continue;
    const name = ops.argsArray[i][0];
    // pdfjs names images shared between pages g_…; the rest belong to the page (and may not be
    // resolved yet, so `has` cannot decide)
    const img = await objectOf(name.startsWith('g_') ? page.commonObjs : page.objs, name);
    images.push({ width: img.width, height: img.height, rgba: toRgba(img).toString('base64') });
  }
  const { width, height } = page.getViewport({ scale: 1 });
  pages.push({ width, height, text: items.map((i) => i.str).join('\n'), items, images });
}
await doc.destroy();
process.stdout.write(JSON.stringify({ info, numPages: doc.numPages, pages }));
