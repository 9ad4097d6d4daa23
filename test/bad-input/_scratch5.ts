import { parseRepoConfig } from '../../src/config/repo-config.ts';
const enc = (s: string) => new TextEncoder().encode(s);
const cases: Record<string, Uint8Array> = {
  missingEnv: enc('version: 1\n'),
  emptyEnv: enc('environments: {}\n'),
  envNull: enc('environments:\n'),
  etc: enc('environments:\n  staging:\n    path: /etc\n    cluster: s\n'),
  dotdot: enc('environments:\n  staging:\n    path: ../x\n    cluster: s\n'),
  dotdotMid: enc('environments:\n  staging:\n    path: clusters/../../x\n    cluster: s\n'),
  dot: enc('environments:\n  staging:\n    path: .\n    cluster: s\n'),
  slash: enc('environments:\n  staging:\n    path: /\n    cluster: s\n'),
  empty: enc('environments:\n  staging:\n    path: ""\n    cluster: s\n'),
  unknownTop: enc('environments:\n  staging:\n    path: a\n    cluster: s\nenviroment: x\n'),
  unknownEnv: enc('environments:\n  staging:\n    path: a\n    cluster: s\n    kubeconfig: /root/.kube/config\n'),
  binary: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1]),
  big: enc('# ' + 'x'.repeat(300 * 1024) + '\n'),
  list: enc('- a\n'),
  twoDocs: enc('environments:\n  staging:\n    path: a\n    cluster: s\n---\nx: 1\n'),
  winpath: enc('environments:\n  staging:\n    path: C:\\\\etc\n    cluster: s\n'),
  backslash: enc('environments:\n  staging:\n    path: clusters\\\\..\\\\..\\\\x\n    cluster: s\n'),
};
for (const [name, bytes] of Object.entries(cases)) {
  try { const c = parseRepoConfig('.github/fsm-gitops.yml', bytes); console.log(name, 'OK', JSON.stringify(c.environments.map(e => e.path))); }
  catch (e) { console.log(name, (e as Error).name, (e as Error).message); }
}
