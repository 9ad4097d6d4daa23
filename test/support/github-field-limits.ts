/**
 * GitHub's field limits as its API enforces them (422 "Validation Failed"), for the fake GitHub: a test
 * whose app sends a field past them fails the way production would. Sources: docs.github.com/rest/checks/runs
 * (summary and text 65,535 characters, annotation title 255, message and raw_details 64 KB, 50 annotations a
 * request), /rest/issues (bodies 65,536 characters; titles 256).
 */
interface CheckRunBody {
  output?: { title?: string; summary?: string; text?: string; annotations?: { title?: string; message?: string; raw_details?: string }[] };
}

/** Why GitHub would refuse a check run create or update, or undefined when it would take it. */
export function checkRunRefusal(body: unknown): string | undefined {
  const output = (body as CheckRunBody).output;
  if (!output) return undefined;
  if ((output.summary?.length ?? 0) > 65_535) return `output.summary: only 65535 characters are allowed; ${output.summary!.length} were supplied`;
  if ((output.text?.length ?? 0) > 65_535) return `output.text: only 65535 characters are allowed; ${output.text!.length} were supplied`;
  if ((output.title?.length ?? 0) > 255) return 'output.title is too long';
  const annotations = output.annotations ?? [];
  if (annotations.length > 50) return 'at most 50 annotations per request';
  for (const a of annotations) {
    if ((a.title?.length ?? 0) > 255) return `annotation title is too long (${a.title!.length} characters, maximum 255)`;
    if (Buffer.byteLength(a.message ?? '') > 64 * 1024) return 'annotation message is too long (maximum 64 KB)';
    if (Buffer.byteLength(a.raw_details ?? '') > 64 * 1024) return 'annotation raw_details is too long (maximum 64 KB)';
  }
  return undefined;
}

/** Why GitHub would refuse an issue or comment write, or undefined. */
export function issueRefusal(body: unknown): string | undefined {
  const input = body as { title?: string; body?: string };
  if ((input.body?.length ?? 0) > 65_536) return 'body is too long (maximum is 65536 characters)';
  if ((input.title?.length ?? 0) > 256) return 'title is too long (maximum is 256 characters)';
  return undefined;
}
