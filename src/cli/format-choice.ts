import { extname } from 'node:path';
import { UsageError } from '../workflow/usage-error.ts';

export const FORMATS = ['text', 'markdown', 'json'] as const;
export type Format = (typeof FORMATS)[number];

/** `--format`, else --output's extension: .json json, .md / .markdown markdown, anything else (or none) text. */
export function chooseFormat(format: string | undefined, output: string | undefined): Format {
  if (format !== undefined) {
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${format}"`);
    return format as Format;
  }
  const extension = output === undefined ? '' : extname(output).toLowerCase();
  return extension === '.json' ? 'json' : extension === '.md' || extension === '.markdown' ? 'markdown' : 'text';
}
