/**
 * Inspection of an XLSX workbook: it must be a ZIP that holds an OOXML workbook and nothing else
 * packed inside, without macros, encryption or unsafe paths, and it must not inflate beyond the
 * limits (a zip bomb is refused after reading at most the allowed number of bytes).
 */
import { crc32, inflateRawSync } from 'node:zlib';
import { ARCHIVE_KINDS, ARCHIVE_NAME, detectKind } from './content-kind.ts';
import { megabytes, type MailLimits } from './mail-limits.ts';

/** A ZIP's central directory entry, as far as the checks need it. */
export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
}

/** The archive cannot be read as a ZIP, or uses what a workbook never does. */
export class UnreadableArchive extends Error {
  override name = 'UnreadableArchive' as const;
}

/** Reads the central directory of a ZIP (no ZIP64, one disk). Throws UnreadableArchive. */
export function readZipDirectory(bytes: Buffer, maxEntries: number): ZipEntry[] {
  const EOCD = 0x06054b50;
  let eocd = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at -= 1) {
    if (bytes.readUInt32LE(at) === EOCD) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw new UnreadableArchive('it is not a complete ZIP file (no end of central directory)');
  const disk = bytes.readUInt16LE(eocd + 4);
  const entriesOnDisk = bytes.readUInt16LE(eocd + 8);
  const total = bytes.readUInt16LE(eocd + 10);
  const size = bytes.readUInt32LE(eocd + 12);
  const offset = bytes.readUInt32LE(eocd + 16);
  if (disk !== 0 || entriesOnDisk !== total) throw new UnreadableArchive('it is a multi-part ZIP');
  if (total === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    throw new UnreadableArchive('it is a ZIP64 archive, which a workbook within the size limits never needs');
  }
  if (total > maxEntries)
    throw new UnreadableArchive(`it holds ${total} files; at most ${maxEntries} are accepted`);
  if (offset + size > eocd) throw new UnreadableArchive('its central directory points outside the file');
  const entries: ZipEntry[] = [];
  let at = offset;
  for (let n = 0; n < total; n += 1) {
    if (at + 46 > eocd || bytes.readUInt32LE(at) !== 0x02014b50) {
      throw new UnreadableArchive('its central directory is damaged');
    }
    const flags = bytes.readUInt16LE(at + 8);
    const method = bytes.readUInt16LE(at + 10);
    const crc = bytes.readUInt32LE(at + 16);
    const compressedSize = bytes.readUInt32LE(at + 20);
    const uncompressedSize = bytes.readUInt32LE(at + 24);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    const localHeaderOffset = bytes.readUInt32LE(at + 42);
    if (at + 46 + nameLength > eocd) throw new UnreadableArchive('its central directory is damaged');
    const name = bytes.toString('utf8', at + 46, at + 46 + nameLength);
    if (
      compressedSize === 0xffffffff ||
      uncompressedSize === 0xffffffff ||
      localHeaderOffset === 0xffffffff
    ) {
      throw new UnreadableArchive(
        'it is a ZIP64 archive, which a workbook within the size limits never needs',
      );
    }
    entries.push({ name, method, flags, crc32: crc, compressedSize, uncompressedSize, localHeaderOffset });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The bytes of one entry, inflated to at most `budget` bytes. Throws UnreadableArchive. */
function entryContent(bytes: Buffer, entry: ZipEntry, budget: number): Buffer {
  const at = entry.localHeaderOffset;
  if (at + 30 > bytes.length || bytes.readUInt32LE(at) !== 0x04034b50) {
    throw new UnreadableArchive(`the entry ${entry.name} is damaged`);
  }
  const start = at + 30 + bytes.readUInt16LE(at + 26) + bytes.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (end > bytes.length)
    throw new UnreadableArchive(`the entry ${entry.name} runs past the end of the file`);
  const data = bytes.subarray(start, end);
  // Inflate one byte more than the directory declares: more means the sizes lie (a zip bomb).
  const declared = Math.min(entry.uncompressedSize, budget);
  let content: Buffer;
  if (entry.method === 0) {
    content = data;
  } else if (entry.method === 8) {
    try {
      content = inflateRawSync(data, { maxOutputLength: declared + 1 });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new UnreadableArchive(
          `the entry ${entry.name} inflates to more than the archive declares (a zip bomb?)`,
        );
      }
      throw new UnreadableArchive(`the entry ${entry.name} is damaged`);
    }
  } else {
    throw new UnreadableArchive(
      `the entry ${entry.name} uses compression method ${entry.method}, which workbooks do not use`,
    );
  }
  if (content.length > budget) {
    throw new UnreadableArchive(`the entry ${entry.name} inflates beyond the size limit (a zip bomb?)`);
  }
  if (content.length !== entry.uncompressedSize) {
    throw new UnreadableArchive(`the entry ${entry.name} is not the size the archive declares (a zip bomb?)`);
  }
  if (crc32(content) !== entry.crc32) throw new UnreadableArchive(`the entry ${entry.name} is damaged`);
  return content;
}

const WORKBOOK_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml';
const MACRO_WORKBOOK_TYPE = 'application/vnd.ms-excel.sheet.macroenabled.main+xml';

/** Why the bytes are not an acceptable XLSX workbook, or undefined when they are. */
export function inspectXlsx(bytes: Buffer, limits: MailLimits): string | undefined {
  let entries: ZipEntry[];
  try {
    entries = readZipDirectory(bytes, limits.maxArchiveEntries);
  } catch (error) {
    if (error instanceof UnreadableArchive) return error.message;
    throw error;
  }
  const declaredTotal = entries.reduce((sum, entry) => sum + entry.uncompressedSize, 0);
  const allowed = Math.min(
    limits.maxUncompressedBytes,
    Math.floor(bytes.length * limits.maxCompressionRatio),
  );
  if (declaredTotal > allowed) {
    return `it unpacks to ${megabytes(declaredTotal)}, more than the ${megabytes(allowed)} allowed for a file of its size (a zip bomb?)`;
  }
  const names = new Set(entries.map((entry) => entry.name));
  if (!names.has('[Content_Types].xml') || !names.has('xl/workbook.xml')) {
    return 'it is a ZIP archive, not an Excel workbook';
  }
  let budget = allowed;
  let contentTypes = '';
  for (const entry of entries) {
    if (entry.flags & 0x1) return 'it is password-protected or encrypted; send it without a password';
    if (entry.name.includes('..') || entry.name.startsWith('/') || entry.name.includes('\\')) {
      return `it holds a file with an unsafe path (${entry.name.slice(0, 80)})`;
    }
    if (/(^|\/)vbaProject\.bin$/i.test(entry.name))
      return 'it contains macros; save it as a plain .xlsx workbook';
    if (ARCHIVE_NAME.test(entry.name) || /^xl\/embeddings\//i.test(entry.name)) {
      return `it has other files packed inside (${entry.name.slice(0, 80)}); send them as separate attachments`;
    }
    let content: Buffer;
    try {
      content = entryContent(bytes, entry, budget);
    } catch (error) {
      if (error instanceof UnreadableArchive) return error.message;
      throw error;
    }
    budget -= content.length;
    const kind = entry.name.endsWith('/') ? 'text' : detectKind(content);
    if (ARCHIVE_KINDS.has(kind) || kind === 'ole' || kind === 'executable') {
      return `it has other files packed inside (${entry.name.slice(0, 80)}); send them as separate attachments`;
    }
    if (entry.name === '[Content_Types].xml') contentTypes = content.toString('utf8').toLowerCase();
  }
  if (contentTypes.includes(MACRO_WORKBOOK_TYPE))
    return 'it is a macro-enabled workbook; save it as a plain .xlsx';
  if (!contentTypes.includes(WORKBOOK_TYPE)) return 'it is a ZIP archive, not an Excel workbook';
  return undefined;
}
