import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../../src/core/finding.ts';
import { capFindings, FINDINGS_PER_FILE, FINDINGS_PER_PLAN, OMITTED_FILES_NAMED } from '../../src/plan/finding-caps.ts';
import type { EnvironmentPlan } from '../../src/plan/plan-types.ts';
import { renderCheckRun } from '../../src/render/check-run.ts';
import { renderJson } from '../../src/render/json.ts';
import { renderMarkdown } from '../../src/render/markdown.ts';
import { renderText } from '../../src/render/text.ts';
import { planFiles, STAGING_CONFIG } from '../support/plan-fixture.ts';

const finding = (file: string | undefined, severity: Finding['severity'], line = 1): Finding => ({
  severity,
  code: severity === 'error' ? 'manifest-invalid' : 'drift',
  message: 'm',
  line,
  ...(file ? { file } : {}),
});

/** The outputs people read (JSON counts instead: see below), as the CLI and the app make them. */
function readable(plan: EnvironmentPlan): Record<string, string> {
  return {
    text: renderText({ environments: [plan] }, { color: false }),
    markdown: renderMarkdown({ environments: [plan] }),
    'check run': renderCheckRun(plan).summary,
  };
}

test('a file of 130,000 one-line documents plans and renders in every format, showing 50 findings and counting the rest', async () => {
  // 130,000 findings overflowed the comment renderer's stack (an argument spread); 100,000 made 2,000 check run requests.
  // Without prune: a file of non-manifests withholds it, with a warning this test is not about (test/plan/prune.test.ts).
  const plan = await planFiles({ 'plugins/x.yaml': `${Array.from({ length: 130_000 }, () => '--- x').join('\n')}\n` }, { config: `${STAGING_CONFIG}    prune: false\n` });
  assert.equal(plan.findings.length, FINDINGS_PER_FILE);
  assert.deepEqual(plan.omittedFindings?.map((o) => [o.file, o.count, o.severities.error, o.codes]), [
    ['clusters/staging/plugins/x.yaml', 129_950, 129_950, [{ code: 'manifest-invalid', count: 129_950 }]],
  ]);
  for (const [format, output] of Object.entries(readable(plan))) {
    assert.match(output, /… and 129,950 more findings in `?clusters\/staging\/plugins\/x\.yaml`? \(129,950 errors; codes: manifest-invalid ×129,950\)/, format);
  }
  assert.match(renderText({ environments: [plan] }, { color: false }), /130000 errors/, 'the counts are of every finding');
  type Counts = { findings: { error: number } };
  const json = JSON.parse(renderJson({ environments: [plan] })) as { summary: Counts; environments: ({ findings: unknown[]; findingsOmitted: { file: string; count: number }[]; summary: Counts })[] };
  assert.equal(json.environments[0]!.findings.length, 50);
  assert.equal(json.summary.findings.error, 130_000, 'the JSON summary counts every finding');
  assert.equal(json.environments[0]!.summary.findings.error, 130_000);
  assert.deepEqual(json.environments[0]!.findingsOmitted.map((o) => [o.file, o.count]), [['clusters/staging/plugins/x.yaml', 129_950]]);
  const check = renderCheckRun(plan);
  assert.equal(check.conclusion, 'failure');
  assert.equal(check.annotations.length, 51, 'one annotation per finding shown, one saying how many more');
  assert.deepEqual(check.annotations.at(-1), {
    path: 'clusters/staging/plugins/x.yaml',
    start_line: 1,
    end_line: 1,
    annotation_level: 'failure',
    title: '129,950 more findings not shown',
    message: '… and 129,950 more findings in this file (129,950 errors; codes: manifest-invalid ×129,950)',
  });
});

test('the plan keeps at most 200 findings, the most severe first, so errors are never the ones left out', () => {
  const sorted = [
    ...Array.from({ length: 30 }, (_, i) => finding(`a-${String(i).padStart(2, '0')}.yaml`, 'error')),
    ...Array.from({ length: 30 }, (_, f) => Array.from({ length: 10 }, (_, i) => finding(`w-${String(f).padStart(2, '0')}.yaml`, 'warning', i))).flat(),
  ];
  const { findings, omitted } = capFindings(sorted);
  assert.equal(findings.length, FINDINGS_PER_PLAN);
  assert.equal(findings.filter((f) => f.severity === 'error').length, 30);
  assert.equal(omitted.reduce((n, o) => n + o.count, 0), 300 + 30 - FINDINGS_PER_PLAN);
  assert.ok(omitted.every((o) => o.severities.error === 0));
});

test('files past the first 20 with findings left out are counted together, and findings without a file are capped too', () => {
  const sorted = [
    ...Array.from({ length: 60 }, () => finding(undefined, 'error')),
    ...Array.from({ length: 25 }, (_, f) => Array.from({ length: 60 }, (_, i) => finding(`f-${String(f).padStart(2, '0')}.yaml`, 'warning', i))).flat(),
  ];
  const { findings, omitted } = capFindings(sorted);
  assert.equal(findings.filter((f) => !f.file).length, FINDINGS_PER_FILE);
  assert.equal(omitted.filter((o) => o.file !== undefined).length, OMITTED_FILES_NAMED);
  const rest = omitted.find((o) => o.file === undefined && o.files > 0)!;
  const named = omitted.filter((o) => o.file !== undefined).reduce((n, o) => n + o.count, 0);
  assert.equal(rest.files, 25 - OMITTED_FILES_NAMED);
  assert.equal(named + rest.count + 10, 60 + 25 * 60 - FINDINGS_PER_PLAN);
  assert.deepEqual(omitted.at(-1), { files: 0, count: 10, severities: { error: 10, warning: 0, notice: 0 }, codes: [{ code: 'manifest-invalid', count: 10 }] });
});
