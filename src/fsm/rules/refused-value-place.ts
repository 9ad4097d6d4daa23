import type { Finding } from '../../core/finding.ts';
import { formatPath, isObject, type JsonPath, type JsonValue } from '../../core/json.ts';
import type { DesiredValues } from '../../desired/desired-state.ts';

const SCALAR = String.raw`"(?:[^"\\]|\\.){0,200}"|-?\d{1,30}(?:\.\d{1,30})?|true|false`;
/**
 * A value the API server quotes as the one it refuses, after the field it names (apimachinery's field.Invalid):
 * `spec.template.spec.containers[0].resources.limits[cpu]: Invalid value: "2x"`, `…ports[0].containerPort: Invalid value: 70000`.
 */
const INVALID_VALUE = new RegExp(`([\\w.\\[\\]/-]{1,300}): Invalid value: (${SCALAR})`, 'g');
/** The field's own name, the last step of its path that is not an index: `cpu` of `limits[cpu]`, `containerPort`. */
const LAST_NAME = /\[([^[\]]{1,300})\]$|(?:^|\.)([A-Za-z_][\w-]{0,300})$/;
/**
 * A value the API server could not decode, in the JSON around it: `error found in #10 byte of ...|"cpu":"2x","memory":|...`
 * (json-iterator's error, which a patch whose result does not decode gets: a quantity of `2x`). The byte is just past the value.
 */
const DECODE_ERROR = /error found in #(\d{1,4}) byte of \.\.\.\|(.{0,200}?)\|\.\.\./g;
const KEY_AND_VALUE_AT_END = new RegExp(`"((?:[^"\\\\]|\\\\.){1,200})"\\s*:\\s*(${SCALAR})\\s*$`);

/**
 * Where values.yaml sets the value an API server refusal quotes: the one scalar of the values that reads as
 * the refused value under a key named as the refused field (`cpu: 2x` for `limits[cpu]: Invalid value: "2x"`,
 * or for a decoding error quoting `"cpu":"2x"`). The server names the field of the rendered object, which the
 * chart's templates may fill from any value: a value alone (`1`, `true`) would point at unrelated lines, so
 * the name must match too, at exactly one place; otherwise undefined, and the finding stays at the file.
 * Linear in the message and the values.
 */
export function refusedValuePlace(values: DesiredValues, message: string): Pick<Finding, 'file' | 'line' | 'column' | 'path'> | undefined {
  const refused = refusedValues(message);
  if (refused.length === 0) return undefined;
  const found: JsonPath[] = [];
  const visit = (value: JsonValue, path: (string | number)[]): void => {
    if (found.length > 1) return;
    if (Array.isArray(value)) value.forEach((item, i) => visit(item, [...path, i]));
    else if (isObject(value)) for (const [key, child] of Object.entries(value)) visit(child, [...path, key]);
    else if (value !== null && refused.some((r) => r.value === String(value) && r.key === lastName(path))) found.push(path);
  };
  visit(values.values, []);
  if (found.length !== 1) return undefined;
  const [path] = found as [JsonPath];
  return { file: values.file, ...values.locate(path), path: formatPath(path) };
}

/** The values a refusal names, as text, each with the key the server names it under when it does. */
function refusedValues(message: string): { value: string; key: string }[] {
  const out: { value: string; key: string }[] = [];
  for (const [, field, value] of message.matchAll(INVALID_VALUE)) {
    const name = LAST_NAME.exec(field!.replace(/(?:\[\d+\])+$/, ''));
    const key = name?.[1] ?? name?.[2];
    if (key) out.push({ key, value: text(value!) });
  }
  for (const [, byte, snippet] of message.matchAll(DECODE_ERROR)) {
    const pair = KEY_AND_VALUE_AT_END.exec(snippet!.slice(0, Number(byte)));
    if (pair) out.push({ key: text(`"${pair[1]!}"`), value: text(pair[2]!) });
  }
  return out;
}

/** The last key of a values path, skipping list indexes (`ports[1]` → ports). */
function lastName(path: readonly (string | number)[]): string | undefined {
  for (let i = path.length - 1; i >= 0; i--) if (typeof path[i] === 'string') return path[i] as string;
  return undefined;
}

function text(json: string): string {
  try {
    return String(JSON.parse(json) as JsonValue);
  } catch {
    return json;
  }
}
