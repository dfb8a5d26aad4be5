/**
 * Small builders for the inbound tests: raw messages, ZIP archives (with the ability to lie about
 * sizes or flags, as hostile archives do), minimal workbooks and PDFs, and attachments.
 */
import { createHash } from 'node:crypto';
import { crc32, deflateRawSync } from 'node:zlib';
import type { InboundAttachment } from '#shared/mail/inbound.ts';

/** A raw message from header lines and a body, with CRLF line ends. */
export function rawMail(headers: readonly string[], body = 'Hello\n'): Buffer {
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}`, 'utf8');
}

/** The usual headers of a person's reply, with `extra` added. */
export function replyHeaders(...extra: string[]): string[] {
  return [
    'From: Priya Shah <priya.shah@example.com>',
    'To: review+abcdefghij.abcdefghijklmnop@reply.example.com',
    'Subject: Re: [ISMS review Q3 2026] Input requested',
    'Date: Tue, 6 Oct 2026 09:41:02 +0200',
    'Message-ID: <reply.1@example.com>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    ...extra,
  ];
}

export interface ZipEntrySpec {
  readonly name: string;
  readonly content: Buffer | string;
  /** Store without compression. */
  readonly store?: boolean;
  /** Uncompressed size written in the central directory (a lie when it differs). */
  readonly declaredSize?: number;
  /** General-purpose flags (bit 0: encrypted). */
  readonly flags?: number;
  /** Compression method written (default 8, or 0 when stored). */
  readonly method?: number;
}

export function zip(entries: readonly ZipEntrySpec[], options: { entryCount?: number } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const content = typeof entry.content === 'string' ? Buffer.from(entry.content, 'utf8') : entry.content;
    const data = entry.store ? content : deflateRawSync(content);
    const name = Buffer.from(entry.name, 'utf8');
    const method = entry.method ?? (entry.store ? 0 : 8);
    const size = entry.declaredSize ?? content.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(entry.flags ?? 0, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc32(content), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(entry.flags ?? 0, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc32(content), 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(options.entryCount ?? entries.length, 8);
  end.writeUInt16LE(options.entryCount ?? entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

export const XLSX_MAIN = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml';
export const XLSM_MAIN = 'application/vnd.ms-excel.sheet.macroEnabled.main+xml';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The entries of a minimal valid workbook; `sheet` replaces the sheet's XML. */
export function workbookEntries(options: { main?: string; sheet?: Buffer | string } = {}): ZipEntrySpec[] {
  return [
    {
      name: '[Content_Types].xml',
      content: `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="${options.main ?? XLSX_MAIN}"/></Types>`,
    },
    { name: '_rels/.rels', content: '<?xml version="1.0"?><Relationships/>' },
    {
      name: 'xl/workbook.xml',
      content: '<?xml version="1.0"?><workbook><sheets><sheet name="Q3" sheetId="1"/></sheets></workbook>',
    },
    {
      name: 'xl/worksheets/sheet1.xml',
      content:
        options.sheet ?? '<?xml version="1.0"?><worksheet><sheetData><row r="1"/></sheetData></worksheet>',
    },
  ];
}

export function workbook(options: { main?: string; sheet?: Buffer | string } = {}): Buffer {
  return zip(workbookEntries(options));
}

export const PDF = Buffer.from(
  '%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
  'latin1',
);

export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

export function attachment(
  filename: string | undefined,
  contentType: string,
  content: Buffer,
  inline = false,
): InboundAttachment {
  return {
    filename,
    contentType,
    size: content.length,
    content,
    sha256: createHash('sha256').update(content).digest('hex'),
    inline,
  };
}
