import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

/** The helm binary in the layer is 63 MB; anything past this is not the entry we expect. */
export const MAX_HELM_BYTES = 256 * 1024 * 1024;

/**
 * Extracts one entry of a zip archive (the helm binary, `helm/helm` in the Lambda layer's zip) to `target`
 * with mode 0755. The bytes go to a temp file beside `target`, which is renamed over it only once complete
 * (rename(2) is atomic within a folder), so a concurrent process sees either no file or a whole one, and two
 * processes extracting at once both end with the same complete file. yauzl checks the entry's size against
 * the central directory while it inflates. Errors: the entry is missing, larger than maxBytes, or the archive
 * is unreadable.
 */
export async function extractZipEntry(zipPath: string, entryName: string, target: string, maxBytes = MAX_HELM_BYTES): Promise<void> {
  const zip = await openZip(zipPath);
  try {
    const entry = await findEntry(zip, entryName);
    if (!entry) throw new Error(`${zipPath} has no entry ${entryName}`);
    if (entry.uncompressedSize > maxBytes) throw new Error(`${zipPath}: ${entryName} is ${entry.uncompressedSize} bytes, more than the ${maxBytes} expected`);
    await mkdir(dirname(target), { recursive: true });
    const temp = join(dirname(target), `.${entryName.replace(/\W/g, '-')}-${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) => zip.openReadStream(entry, (error, s) => (error ? reject(error) : resolve(s))));
      await pipeline(stream, createWriteStream(temp, { mode: 0o700 }));
      await chmod(temp, 0o755);
      await rename(temp, target);
    } finally {
      await rm(temp, { force: true });
    }
  } finally {
    zip.close();
  }
}

function openZip(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => yauzl.open(path, { lazyEntries: true, autoClose: false }, (error, zip) => (error ? reject(error) : resolve(zip))));
}

/** Reads the central directory entry by entry until `name`; undefined at its end. */
function findEntry(zip: ZipFile, name: string): Promise<Entry | undefined> {
  return new Promise((resolve, reject) => {
    const onEntry = (entry: Entry): void => {
      if (entry.fileName === name) {
        zip.off('entry', onEntry);
        resolve(entry);
      } else zip.readEntry();
    };
    zip.on('entry', onEntry);
    zip.once('end', () => resolve(undefined));
    zip.once('error', reject);
    zip.readEntry();
  });
}
