/**
 * What a file is, judged by its bytes (magic numbers) rather than its name or declared type, and
 * which names and kinds are archives.
 */

/** File names that mark an archive. */
export const ARCHIVE_NAME =
  /\.(zip|zipx|gz|tgz|gzip|bz2|tbz2?|xz|txz|lz|lzma|zst|7z|rar|tar|cab|arj|lzh|ace|iso|img|dmg|jar|war|apk|z)$/i;

/** What the bytes are, from their first bytes (magic numbers). */
export type ContentKind =
  | 'pdf'
  | 'zip'
  | 'gzip'
  | '7z'
  | 'rar'
  | 'bzip2'
  | 'xz'
  | 'zstd'
  | 'tar'
  | 'cab'
  | 'ole'
  | 'png'
  | 'jpeg'
  | 'gif'
  | 'executable'
  | 'text'
  | 'binary';

/** The kinds that are archives. */
export const ARCHIVE_KINDS: ReadonlySet<ContentKind> = new Set([
  'zip',
  'gzip',
  '7z',
  'rar',
  'bzip2',
  'xz',
  'zstd',
  'tar',
  'cab',
]);

function startsWith(bytes: Buffer, signature: readonly number[], at = 0): boolean {
  if (bytes.length < at + signature.length) return false;
  return signature.every((byte, index) => bytes[at + index] === byte);
}

function looksLikeText(bytes: Buffer): boolean {
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) return true; // UTF-16 with BOM
  const sample = bytes.subarray(0, 64 * 1024);
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return false;
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) control += 1;
  }
  return control <= sample.length / 100;
}

/** The kind of content, judged by its bytes only. */
export function detectKind(bytes: Buffer): ContentKind {
  // PDF allows up to 1024 bytes of junk before the header.
  if (bytes.subarray(0, 1024).includes('%PDF-')) return 'pdf';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06]))
    return 'zip';
  if (startsWith(bytes, [0x50, 0x4b, 0x07, 0x08])) return 'zip';
  if (startsWith(bytes, [0x1f, 0x8b])) return 'gzip';
  if (startsWith(bytes, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return '7z';
  if (startsWith(bytes, [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07])) return 'rar';
  if (startsWith(bytes, [0x42, 0x5a, 0x68])) return 'bzip2';
  if (startsWith(bytes, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (startsWith(bytes, [0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
  if (startsWith(bytes, [0x75, 0x73, 0x74, 0x61, 0x72], 257)) return 'tar';
  if (startsWith(bytes, [0x4d, 0x53, 0x43, 0x46])) return 'cab';
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'ole';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38])) return 'gif';
  if (startsWith(bytes, [0x4d, 0x5a]) || startsWith(bytes, [0x7f, 0x45, 0x4c, 0x46])) return 'executable';
  if (startsWith(bytes, [0xcf, 0xfa, 0xed, 0xfe]) || startsWith(bytes, [0xca, 0xfe, 0xba, 0xbe]))
    return 'executable';
  return looksLikeText(bytes) ? 'text' : 'binary';
}
