/**
 * docs/rules.md documents every finding code, and its examples are true: each section's Bad example,
 * planned against the example staging cluster, reports the code exactly as the section shows it, and
 * its Good example does not report the code.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { RULE_CODES } from '../../src/core/rule-codes.ts';
import type { EnvironmentPlan } from '../../src/plan/plan-types.ts';
import { renderText } from '../../src/render/text.ts';
import { planFiles } from '../support/plan-fixture.ts';

const DOC = readFileSync(new URL('../../docs/rules.md', import.meta.url), 'utf8');

/**
 * Codes whose examples cannot be planned from the text of the page: a byte that is not UTF-8, a file
 * over 4 MiB or an environment over 32 MiB, a symbolic link, an environment folder with no files, a refusal by a live API server, the Services it lists, a cluster without FSM, an object being deleted, live managedFields, a chart
 * upgrade (the repository config's `chart:` and helm; the app's time for it), the GitHub App's two configs (default branch and pull request). Their sections carry NOT_EXECUTABLE_MARK; keep this list short.
 */
const NOT_EXECUTABLE: ReadonlySet<string> = new Set(['environment-empty', 'file-not-text', 'file-too-large', 'environment-too-large', 'symlink-skipped', 'server-rejected', 'meshconfig-missing', 'object-terminating', 'drift', 'policy-pending', 'chart-downgrade', 'chart-breaking-upgrade', 'chart-kube-version', 'chart-render-failed', 'chart-release-pending', 'chart-release-failed', 'chart-wait-cut', 'chart-live-changes', 'destination-ref-missing', 'destination-refs-unchecked']);
const NOT_EXECUTABLE_MARK = '<!-- example: not executable -->';

/** First line of an example block that is a file of the staging environment: `# clusters/staging/<file>` (or `//` in JavaScript). */
const STAGING_FILE = /^(?:#|\/\/) clusters\/staging\/(\S+)$/;
const SEVERITY = /^\*\*Severity:\*\*\s+(.+)$/m;

interface Block {
  lang: string;
  lines: string[];
}

/** A run of prose lines, or a fenced code block. */
type Part = { prose: string } | { block: Block };

interface Section {
  code: string;
  heading: string;
  parts: Part[];
}

/** Splits the page into `### \`code\`` sections (fence-aware: a `#` line inside a code block is not a heading). */
function parseSections(markdown: string): { sections: Section[]; headings: string[] } {
  const sections: Section[] = [];
  const headings: string[] = [];
  let current: Section | undefined;
  let block: Block | undefined;
  for (const line of markdown.split('\n')) {
    if (block) {
      if (/^```\s*$/.test(line)) {
        current?.parts.push({ block });
        block = undefined;
      } else {
        block.lines.push(line);
      }
      continue;
    }
    const fence = /^```(\S*)\s*$/.exec(line);
    if (fence) {
      block = { lang: fence[1] ?? '', lines: [] };
      continue;
    }
    const heading = /^(#{1,6})\s/.exec(line);
    if (heading) {
      if (heading[1]!.length <= 3) current = undefined;
      if (heading[1]!.length === 3) {
        headings.push(line);
        const code = /^### `([^`]+)`$/.exec(line)?.[1];
        if (code !== undefined) {
          current = { code, heading: line, parts: [] };
          sections.push(current);
        }
      }
      continue;
    }
    current?.parts.push({ prose: line });
  }
  assert.equal(block, undefined, 'docs/rules.md has an unclosed code block');
  return { sections, headings };
}

interface Example {
  /** Prose and blocks before **Bad**. */
  intro: Part[];
  bad: Part[];
  good: Part[];
}

function splitExample(section: Section): Example {
  const marker = (name: string): number[] =>
    section.parts.flatMap((part, i) => ('prose' in part && part.prose.startsWith(`**${name}**`) ? [i] : []));
  const bad = marker('Bad');
  const good = marker('Good');
  assert.equal(bad.length, 1, `${section.code}: needs exactly one **Bad** example`);
  assert.equal(good.length, 1, `${section.code}: needs exactly one **Good** example`);
  assert.ok(bad[0]! < good[0]!, `${section.code}: **Bad** comes before **Good**`);
  return { intro: section.parts.slice(0, bad[0]), bad: section.parts.slice(bad[0]!, good[0]), good: section.parts.slice(good[0]!) };
}

const blocksOf = (parts: Part[]): Block[] => parts.flatMap((p) => ('block' in p ? [p.block] : []));
const proseOf = (parts: Part[]): string => parts.flatMap((p) => ('prose' in p ? [p.prose] : [])).join('\n');

/** The example's files of the staging environment, by path relative to clusters/staging/ (the comment line stays in the file). */
function stagingFiles(parts: Part[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const { lines } of blocksOf(parts)) {
    const name = STAGING_FILE.exec(lines[0] ?? '')?.[1];
    if (name === undefined) continue;
    assert.equal(files[name], undefined, `the example has two blocks for ${name}`);
    files[name] = `${lines.join('\n')}\n`;
  }
  return files;
}

/** The findings with `code`, as `fsm-gitops plan` prints them, without the indentation of the Findings list. */
function printedFindings(plan: EnvironmentPlan, code: string): string {
  const env: EnvironmentPlan = { ...plan, changes: [], restarts: [], findings: plan.findings.filter((f) => f.code === code) };
  const lines = renderText({ environments: [env] }, { color: false }).split('\n');
  const start = lines.indexOf('  Findings:');
  if (start === -1) return '';
  const end = lines.indexOf('', start);
  return lines
    .slice(start + 1, end === -1 ? undefined : end)
    .map((line) => line.replace(/^ {4}/, ''))
    .join('\n');
}

const { sections, headings } = parseSections(DOC);
const byCode = new Map(sections.map((s) => [s.code, s]));

describe('docs/rules.md', () => {
  it('has a section for every code in RULE_CODES, and for no other code', () => {
    const documented = sections.map((s) => s.code);
    assert.deepEqual(
      RULE_CODES.filter((code) => !documented.includes(code)),
      [],
      'codes without a ### `code` section',
    );
    assert.deepEqual(
      documented.filter((code) => !(RULE_CODES as readonly string[]).includes(code)),
      [],
      'sections for codes that are not in RULE_CODES',
    );
    assert.deepEqual(
      documented.filter((code, i) => documented.indexOf(code) !== i),
      [],
      'codes with more than one section',
    );
    assert.deepEqual(
      headings.filter((h) => !/^### `[^`]+`$/.test(h)),
      [],
      'level-3 headings are code sections, written exactly as ### `code`',
    );
  });

  it('lists every code in its contents, in the order of RULE_CODES', () => {
    const contents = /^## Contents\n([\s\S]*?)^## /m.exec(DOC)?.[1] ?? '';
    const listed = [...contents.matchAll(/\[`([a-z0-9-]+)`\]\(#\1\)/g)].map((m) => m[1]);
    assert.deepEqual(listed, [...RULE_CODES]);
  });

  it('marks exactly the NOT_EXECUTABLE codes as not executable', () => {
    const marked = sections.filter((s) => proseOf(s.parts).includes(NOT_EXECUTABLE_MARK)).map((s) => s.code);
    assert.deepEqual(marked.sort(), [...NOT_EXECUTABLE].sort());
  });

  for (const code of RULE_CODES) {
    describe(`\`${code}\``, () => {
      const section = byCode.get(code);

      it('names a severity and has a Bad and a Good example with the finding it produces', (t) => {
        if (!section) return t.skip('no section (reported above)');
        const example = splitExample(section);
        const severity = SEVERITY.exec(proseOf(example.intro))?.[1];
        assert.match(severity ?? '', /\b(error|warning|notice)\b/, `${code}: **Severity:** error, warning or notice before **Bad**`);
        const bad = blocksOf(example.bad);
        const anyFile = /^(#|\/\/) \S+\.(ya?ml|js)\b/;
        const file = NOT_EXECUTABLE.has(code) ? anyFile : STAGING_FILE;
        assert.ok(bad.some((b) => file.test(b.lines[0] ?? '')), `${code}: the Bad example has a file of ${NOT_EXECUTABLE.has(code) ? 'the repository' : 'clusters/staging/'}`);
        const printed = bad.find((b) => b.lang === 'text')?.lines.join('\n') ?? '';
        assert.match(printed, new RegExp(`^(error|warning|notice) \\[${code}\\]( |$)`, 'm'), `${code}: the Bad example shows its finding in a text block`);
        assert.ok(severity!.includes(printed.split(' ')[0]!), `${code}: the finding shown has a severity the section names`);
        assert.ok(blocksOf(example.good).length > 0, `${code}: the Good example has a code block`);
      });

      if (NOT_EXECUTABLE.has(code)) return;

      it('Bad example: planned, it reports the finding as shown', async (t) => {
        if (!section) return t.skip('no section (reported above)');
        const { bad } = splitExample(section);
        const files = stagingFiles(bad);
        assert.notDeepEqual(files, {}, `${code}: the Bad example has no block starting with # clusters/staging/<file>`);
        const plan = await planFiles(files);
        const expected = blocksOf(bad).find((b) => b.lang === 'text')?.lines.join('\n') ?? '';
        const actual = printedFindings(plan, code);
        assert.notEqual(actual, '', `${code}: the Bad example does not report ${code}; it reports: ${JSON.stringify(plan.findings, null, 2)}`);
        assert.equal(actual, expected, `${code}: the finding shown in docs/rules.md differs from what fsm-gitops prints (above: actual)`);
      });

      it('Good example: planned, it does not report the code', async (t) => {
        if (!section) return t.skip('no section (reported above)');
        const { good } = splitExample(section);
        const plan = await planFiles(stagingFiles(good));
        assert.deepEqual(
          plan.findings.filter((f) => f.code === code),
          [],
          `${code}: the Good example still reports it`,
        );
      });
    });
  }
});
