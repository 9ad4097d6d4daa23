/** What fsm-gitops accepts as a text file: size-limited, UTF-8, no NUL bytes. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

export type TextFileResult =
  | { ok: true; text: string }
  | { ok: false; code: 'file-too-large' | 'file-not-text'; message: string };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The refusal of a file over the limit, known by its size alone. */
export function fileTooLarge(size: number, maxBytes = MAX_FILE_BYTES): TextFileResult & { ok: false } {
  return {
    ok: false,
    code: 'file-too-large',
    message: `file is ${formatBytes(size)}, over the ${formatBytes(maxBytes)} limit: no FSM manifest is that large; move it out of the environment folder, or split it`,
  };
}

export function decodeTextFile(bytes: Uint8Array, maxBytes = MAX_FILE_BYTES): TextFileResult {
  if (bytes.byteLength > maxBytes) return fileTooLarge(bytes.byteLength, maxBytes);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { ok: false, code: 'file-not-text', message: 'file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8' };
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return { ok: false, code: 'file-not-text', message: `file holds a NUL byte at offset ${nul}: it looks binary, not YAML or JavaScript` };
  }
  try {
    return { ok: true, text: utf8.decode(bytes) };
  } catch {
    return { ok: false, code: 'file-not-text', message: `file is not valid UTF-8 at byte ${firstInvalidUtf8(bytes)}; save it as UTF-8` };
  }
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i]!;
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    for (let k = 1; k < length; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += length;
  }
  return bytes.length;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
