/** What fsm-gitops accepts as a text file: size-limited, UTF-8, no NUL bytes. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

export type TextFileResult =
  | { ok: true; text: string }
  | {
      ok: false;
      code: 'file-too-large' | 'file-not-text';
      message: string;
      /** 1-based line and column (in characters) of the first byte that breaks the rule; 1:1 when only the file's size is known. */
      line: number;
      column: number;
    };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const lenientUtf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });

/** The refusal of a file over the limit, known by its size alone (so about the whole file: 1:1). */
export function fileTooLarge(size: number, maxBytes = MAX_FILE_BYTES): TextFileResult & { ok: false } {
  return { ok: false, code: 'file-too-large', message: tooLargeMessage(size, maxBytes), line: 1, column: 1 };
}

/**
 * The file as UTF-8 text, or why it is not text fsm-gitops reads: over `maxBytes` (at the line holding the
 * first byte past the limit), UTF-16, a NUL byte or a byte that is not UTF-8 (at its line and column).
 */
export function decodeTextFile(bytes: Uint8Array, maxBytes = MAX_FILE_BYTES): TextFileResult {
  if (bytes.byteLength > maxBytes) return { ok: false, code: 'file-too-large', message: tooLargeMessage(bytes.byteLength, maxBytes), ...positionOf(bytes, maxBytes) };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { ok: false, code: 'file-not-text', message: 'file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8', line: 1, column: 1 };
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return { ok: false, code: 'file-not-text', message: `file holds a NUL byte at offset ${nul}: it looks binary, not YAML or JavaScript`, ...positionOf(bytes, nul) };
  }
  try {
    return { ok: true, text: utf8.decode(bytes) };
  } catch {
    const at = firstInvalidUtf8(bytes);
    return { ok: false, code: 'file-not-text', message: `file is not valid UTF-8 at byte ${at}; save it as UTF-8`, ...positionOf(bytes, at) };
  }
}

function tooLargeMessage(size: number, maxBytes: number): string {
  return `file is ${formatBytes(size)}, over the ${formatBytes(maxBytes)} limit: no FSM manifest is that large; move it out of the environment folder, or split it`;
}

/** 1-based line and column (in characters, as an editor counts them) of the byte at `offset`. */
function positionOf(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < offset; i = bytes.indexOf(0x0a, i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  const before = lenientUtf8.decode(bytes.subarray(lineStart, offset));
  return { line, column: [...before].length + 1 };
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
