/**
 * GitHub's documented field limits (https://docs.github.com/rest/checks/runs, /rest/deployments/statuses):
 * a value past them is refused with 422, so every such field is cut to fit, saying it was cut.
 */
export const CHECK_TEXT_LIMIT = 65_535;
export const CHECK_TITLE_LIMIT = 255;
export const DEPLOYMENT_STATUS_DESCRIPTION_LIMIT = 140;

export function limitCheckText(text: string): string {
  return cut(text, CHECK_TEXT_LIMIT, '\n…(truncated)');
}

export function limitCheckTitle(text: string): string {
  return cut(text.replace(/\s+/g, ' '), CHECK_TITLE_LIMIT, '…');
}

export function limitStatusDescription(text: string): string {
  return cut(text.replace(/\s+/g, ' '), DEPLOYMENT_STATUS_DESCRIPTION_LIMIT, '…');
}

function cut(text: string, limit: number, ellipsis: string): string {
  return text.length <= limit ? text : `${text.slice(0, limit - ellipsis.length)}${ellipsis}`;
}
