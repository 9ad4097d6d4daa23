import assert from 'node:assert/strict';
import { test } from 'node:test';
import { policyDigest } from '../../src/config/policy.ts';
import type { EnvironmentConfig } from '../../src/config/repo-config.ts';
import { describeUnmet, unmetRequirements, type ApplyFacts } from '../../src/commands/apply-requirements.ts';

const HEAD = 'a'.repeat(40);
const ENV: EnvironmentConfig = {
  name: 'production',
  path: 'clusters/production',
  cluster: 'prod',
  mesh: { name: 'fsm', namespace: 'fsm-system' },
  deploy: 'on-command',
  approvals: 1,
  namespaces: undefined,
  teams: [],
  restart: 'manual',
  prune: true,
  production: true,
};

/** Facts under which /fsm apply goes ahead; each row changes one. */
function facts(change: (f: ApplyFacts) => void = () => {}): ApplyFacts {
  const f: ApplyFacts = {
    environment: structuredClone(ENV),
    pr: { number: 7, headSha: HEAD, author: 'author', state: 'open', merged: false, fromFork: false, mergeable: true, baseRef: 'main' },
    commenterStanding: { canWrite: true, inTeams: true },
    commenter: 'alice',
    approvals: { required: 1, headSha: HEAD, approvers: ['bob'], changesRequestedBy: [], staleApprovers: [], ownApprovers: [], approversWithoutWrite: [], approversOutsideTeams: [], met: true },
    checkRun: { id: 1, name: 'fsm-gitops/production', status: 'completed', conclusion: 'success', record: { delivery: 'd', plan: 'digest', policy: policyDigest(ENV) }, startedAt: null },
    baseChanges: { files: ['README.md', 'clusters/staging/values.yaml'], complete: true },
    heldBy: undefined,
    repository: 'acme/mesh-config',
    pin: undefined,
  };
  change(f);
  return f;
}

const TABLE: [string, (f: ApplyFacts) => void, RegExp | undefined][] = [
  ['everything holds', () => {}, undefined],
  ['deploys on merge', (f) => (f.environment.deploy = 'on-merge'), /production deploys on merge, not on command\n {4}to unblock: merge the pull request once it is approved/],
  ['deploys from the CLI only', (f) => (f.environment.deploy = 'manual'), /production deploys only from the CLI\n {4}to unblock: fsm-gitops apply --env production/],
  ['the commenter may not apply', (f) => (f.commenterStanding.canWrite = false), /alice may not apply production: alice has no write permission on the repository \(applying needs write\)/],
  [
    'teams are named in the refusal, and which is missing',
    (f) => {
      f.commenterStanding.inTeams = false;
      f.environment.teams = ['acme/mesh-admins'];
      f.checkRun!.record!.policy = policyDigest(f.environment); // planned under this policy
    },
    /alice may not apply production: alice is in none of its teams \(acme\/mesh-admins\)/,
  ],
  ['approvals missing', (f) => (f.approvals = { ...f.approvals, approvers: [], met: false }), /approvals 0\/1 on aaaaaaa\n {4}to unblock: get 1 more approving review\(s\) of aaaaaaa/],
  ['changes requested', (f) => (f.approvals = { ...f.approvals, changesRequestedBy: ['carol'], met: false }), /to unblock: get carol to approve \(they requested changes\)/],
  ['no plan of the head', (f) => (f.checkRun = undefined), /aaaaaaa has no plan of production\n {4}to unblock: \/fsm plan production/],
  ['the plan is still running', (f) => (f.checkRun = { ...f.checkRun!, status: 'in_progress', conclusion: null }), /still running\n {4}to unblock: wait for the check fsm-gitops\/production/],
  ['the plan had errors', (f) => (f.checkRun = { ...f.checkRun!, conclusion: 'failure' }), /the plan of production for aaaaaaa failed \(check fsm-gitops\/production\)/],
  ['the policy moved since the plan', (f) => (f.environment.approvals = 2), /the policy of production changed on the default branch since aaaaaaa was planned\n {4}to unblock: \/fsm plan production/],
  ['GitHub is still computing mergeable', (f) => (f.pr.mergeable = null), /GitHub has not yet worked out whether #7 can merge\n {4}to unblock: try again in a minute/],
  ['merge conflicts', (f) => (f.pr.mergeable = false), /#7 has merge conflicts\n {4}to unblock: update your branch first/],
  ['the default branch changed the environment', (f) => f.baseChanges.files.push('clusters/production/meshconfig.yaml'), /the default branch changed clusters\/production\/meshconfig\.yaml since this branch\n {4}to unblock: update your branch first/],
  ['the default branch changed the config', (f) => f.baseChanges.files.push('.github/fsm-gitops.yml'), /changed \.github\/fsm-gitops\.yml since this branch/],
  ['too many base changes to tell', (f) => (f.baseChanges.complete = false), /the default branch changed too many files since this branch to tell/],
  [
    'a rollback pin pauses the environment',
    (f) => (f.pin = { sha: 'c'.repeat(40), deployment: 3, actor: 'alice', since: '2026-11-30T00:00:00Z' }),
    /production is paused since a rollback to ccccccc by alice\n {4}to unblock: \/fsm unlock production \(by someone who may\), then \/fsm apply production/,
  ],
  [
    'another pull request holds the environment',
    (f) => (f.heldBy = { repository: 'acme/mesh-config', pr: 12, headSha: 'b'.repeat(40), actor: 'dave', since: '2026-11-30T00:00:00Z' }),
    /production is locked by #12 \(applied bbbbbbb by dave\)\n {4}to unblock: merge or close #12, or \/fsm unlock production/,
  ],
  [
    "another repository's pull request holds it (environments may share a cluster): named owner/name#12, not this repository's #12",
    (f) => (f.heldBy = { repository: 'acme/platform', pr: 12, headSha: 'b'.repeat(40), actor: 'dave', since: '2026-11-30T00:00:00Z' }),
    /production is locked by acme\/platform#12 \(applied bbbbbbb by dave\)\n {4}to unblock: merge or close acme\/platform#12, or \/fsm unlock production/,
  ],
];

for (const [name, change, expected] of TABLE) {
  test(`apply requirements: ${name}`, () => {
    const unmet = unmetRequirements(facts(change));
    if (!expected) return assert.deepEqual(unmet, []);
    assert.equal(unmet.length, 1, JSON.stringify(unmet));
    assert.match(describeUnmet('production', unmet), expected);
  });
}
