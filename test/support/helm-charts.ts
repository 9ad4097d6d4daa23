import { fileURLToPath } from 'node:url';

/** FSM's chart as packaged (test/fixtures/fsm-reference/charts, copied by npm run fixtures; sources in test/fixtures/fsm-reference/SOURCES.md). */
export function fsmChart(version: '1.5.1' | '1.6.0'): { path: string } {
  return { path: fileURLToPath(new URL(`../fixtures/fsm-reference/charts/fsm-${version}.tgz`, import.meta.url)) };
}

/**
 * The `spec.replicas` of a Deployment in a rendered manifest, read from the text: FSM's chart renders flow
 * sequences (`args: [ ... ]`) whose closing bracket js-yaml refuses as deficient indentation (Go's YAML takes it).
 */
export function deploymentReplicas(manifest: string, name: string): number | undefined {
  const document = manifest.split(/^---$/m).find((d) => /^kind: Deployment$/m.test(d) && new RegExp(`^metadata:\\n(?:  .*\\n)*?  name: ${name}$`, 'm').test(d));
  const replicas = document && /^spec:\n(?:  .*\n)*?  replicas: (\d+)$/m.exec(document);
  return replicas ? Number(replicas[1]) : undefined;
}

