import { findingAt } from '../../core/findings.ts';
import { getAt } from '../../core/json.ts';
import { labelSelectorProblems } from '../label-selector.ts';
import { contentOf, type Rule } from './rule.ts';

/** A PluginChain selector FSM cannot turn into a label selector matches nothing, and the API server does not say so. */
export const selectorsRule: Rule = {
  name: 'selectors',
  check(context) {
    return contentOf(context, 'PluginChain').flatMap((chain) =>
      (['podSelector', 'namespaceSelector'] as const).flatMap((field) =>
        labelSelectorProblems(getAt(chain.object, ['spec', 'selectors', field]), ['spec', 'selectors', field]).map((p) =>
          findingAt(chain, p.path, 'error', 'selector-invalid', `${p.message}; FSM cannot match this selector, so the chain would apply to no pods`),
        ),
      ),
    );
  },
};
