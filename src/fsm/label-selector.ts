import { isObject, type PathSegment } from '../core/json.ts';
import { labelValueProblem, qualifiedNameProblem } from '../core/names.ts';
import { didYouMeanNote as didYouMean } from '../core/did-you-mean.ts';

export interface SelectorProblem {
  path: PathSegment[];
  message: string;
}

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** Checks a metav1.LabelSelector the way Kubernetes' LabelSelectorAsSelector would, which FSM calls to match pods and namespaces. */
export function labelSelectorProblems(selector: unknown, path: PathSegment[]): SelectorProblem[] {
  if (!isObject(selector)) return [];
  const problems: SelectorProblem[] = [];
  const matchLabels = selector['matchLabels'];
  if (isObject(matchLabels)) {
    for (const [key, value] of Object.entries(matchLabels)) {
      const keyProblem = labelKeyProblem(key);
      if (keyProblem) problems.push({ path: [...path, 'matchLabels', key], message: keyProblem });
      if (typeof value === 'string' && !isLabelValue(value)) problems.push({ path: [...path, 'matchLabels', key], message: labelValueMessage(value) });
    }
  }
  const expressions = selector['matchExpressions'];
  if (Array.isArray(expressions)) {
    expressions.forEach((expression, i) => {
      if (!isObject(expression)) return;
      const at: PathSegment[] = [...path, 'matchExpressions', i];
      const { key, operator, values } = expression;
      if (typeof key === 'string') {
        const keyProblem = labelKeyProblem(key);
        if (keyProblem) problems.push({ path: [...at, 'key'], message: keyProblem });
      }
      if (typeof operator === 'string' && !OPERATORS.includes(operator)) {
        const hint = operator === 'Equals' || operator === '=' ? ' (for equality use In with one value)' : didYouMean(operator, OPERATORS);
        problems.push({ path: [...at, 'operator'], message: `operator "${operator}" is not a label selector operator; use one of ${OPERATORS.join(', ')}${hint}` });
        return;
      }
      const count = Array.isArray(values) ? values.length : 0;
      if ((operator === 'In' || operator === 'NotIn') && count === 0) {
        problems.push({ path: [...at, 'operator'], message: `operator ${operator} needs at least one value in values` });
      }
      if ((operator === 'Exists' || operator === 'DoesNotExist') && count > 0) {
        problems.push({ path: [...at, 'values'], message: `operator ${operator} takes no values; remove values` });
      }
      if (Array.isArray(values)) {
        values.forEach((value, j) => {
          if (typeof value === 'string' && !isLabelValue(value)) problems.push({ path: [...at, 'values', j], message: labelValueMessage(value) });
        });
      }
    });
  }
  return problems;
}

/** ValidateLabelName (k8s.io/apimachinery/pkg/apis/meta/v1/validation): a qualified name. */
function labelKeyProblem(key: string): string | undefined {
  const problem = qualifiedNameProblem(key);
  return problem && `label key "${key}" is invalid: ${problem}`;
}

function isLabelValue(value: string): boolean {
  return labelValueProblem(value) === undefined;
}

function labelValueMessage(value: string): string {
  return `label value "${value}" is invalid: ${labelValueProblem(value) ?? ''}`;
}
