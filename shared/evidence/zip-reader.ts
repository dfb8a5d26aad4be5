/**
 * Opens an evidence bundle ZIP within bounds, before inflating anything it should not: at most so
 * many entries, no entry and no total larger than the limits, no entry that inflates more than the
 * ratio allows (a zip bomb), and no name twice (fflate's unzipSync keeps the last of two entries
 * with the same name, so a second `events.jsonl` could hide behind the first). The sizes and names
 * are those of the central directory, checked in fflate's filter callback, which it calls for
 * every entry before inflating it; an entry is inflated into a buffer of its declared size only,
 * so an entry that lies about its size cannot grow beyond it (its hash then fails).
 */
import { unzipSync } from 'fflate';

export interface ZipLimits {
  readonly maxEntries: number;
  /** Uncompressed bytes of one entry. */
  readonly maxEntryBytes: number;
  /** Uncompressed bytes of all entries together. */
  readonly maxTotalBytes: number;
  /** Uncompressed / compressed size, checked for entries above `ratioFromBytes`. */
  readonly maxRatio: number;
  readonly ratioFromBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 20_000,
  maxEntryBytes: 256 * 1024 * 1024,
  maxTotalBytes: 2 * 1024 * 1024 * 1024,
  maxRatio: 200,
  ratioFromBytes: 1024 * 1024,
};

/** The ZIP is not one this tool will open: it names the limit and the entry. */
export class UnsafeZip extends Error {
  override name = 'UnsafeZip' as const;
}

/** The files of the ZIP by name (directories left out); UnsafeZip or fflate's error otherwise. */
export function readBundleZip(zip: Uint8Array, limits: Partial<ZipLimits> = {}): Map<string, Uint8Array> {
  const bounds = { ...DEFAULT_ZIP_LIMITS, ...limits };
  const seen = new Set<string>();
  let total = 0;
  const entries = unzipSync(zip, {
    filter(file) {
      if (seen.has(file.name)) {
        throw new UnsafeZip(
          `holds two entries named "${file.name}": a reader would see only one of them, so the bundle is refused`,
        );
      }
      seen.add(file.name);
      if (seen.size > bounds.maxEntries) {
        throw new UnsafeZip(`holds more than ${bounds.maxEntries} entries`);
      }
      if (file.originalSize > bounds.maxEntryBytes) {
        throw new UnsafeZip(
          `entry "${file.name}" inflates to ${file.originalSize} bytes, more than ${bounds.maxEntryBytes} allowed for one file`,
        );
      }
      total += file.originalSize;
      if (total > bounds.maxTotalBytes) {
        throw new UnsafeZip(`inflates to more than ${bounds.maxTotalBytes} bytes in all`);
      }
      if (
        file.originalSize > bounds.ratioFromBytes &&
        file.originalSize > bounds.maxRatio * Math.max(file.size, 1)
      ) {
        throw new UnsafeZip(
          `entry "${file.name}" inflates ${Math.round(file.originalSize / Math.max(file.size, 1))} times (${file.size} to ${file.originalSize} bytes), more than ${bounds.maxRatio} allowed: a zip bomb`,
        );
      }
      return !file.name.endsWith('/');
    },
  });
  return new Map(Object.entries(entries));
}
