import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeApprovals, evaluateApprovals, type Review, type ReviewerStanding } from '../../src/deploy/approvals.ts';

const HEAD = 'a'.repeat(40);
const OLD = 'b'.repeat(40);
let nextId = 1;
const review = (login: string, state: string, commitId = HEAD, userType = 'User'): Review => ({ id: nextId++, login, userType, state, commitId });

const WRITE: ReviewerStanding = { canWrite: true, inTeams: true };
const standings: Record<string, ReviewerStanding> = {
  alice: WRITE,
  bob: WRITE,
  carol: { canWrite: false, inTeams: true }, // read-only collaborator
  dave: { canWrite: true, inTeams: false }, // writer outside the environment's teams
  author: WRITE,
  'renovate[bot]': WRITE,
  pusher: WRITE,
};

interface Row {
  name: string;
  required: number;
  reviews: Review[];
  approvers: string[];
  met: boolean;
  changesRequestedBy?: string[];
  stale?: string[];
  own?: string[];
  withoutWrite?: string[];
  outsideTeams?: string[];
}

const TABLE: Row[] = [
  { name: 'no reviews, none required', required: 0, reviews: [], approvers: [], met: true },
  { name: 'no reviews, one required', required: 1, reviews: [], approvers: [], met: false },
  { name: 'one approval on the head', required: 1, reviews: [review('alice', 'APPROVED')], approvers: ['alice'], met: true },
  { name: 'the author approving themself does not count', required: 1, reviews: [review('author', 'APPROVED')], approvers: [], own: ['author'], met: false },
  { name: 'an approval of an older commit is stale', required: 1, reviews: [review('alice', 'APPROVED', OLD)], approvers: [], met: false, stale: ['alice'] },
  { name: 'a read-only reviewer does not count', required: 1, reviews: [review('carol', 'APPROVED')], approvers: [], withoutWrite: ['carol'], met: false },
  { name: 'a writer outside the teams does not count', required: 1, reviews: [review('dave', 'APPROVED')], approvers: [], outsideTeams: ['dave'], met: false },
  { name: 'a bot never counts', required: 1, reviews: [review('renovate[bot]', 'APPROVED', HEAD, 'Bot')], approvers: [], met: false },
  { name: 'comments after an approval leave it standing', required: 1, reviews: [review('alice', 'APPROVED'), review('alice', 'COMMENTED')], approvers: ['alice'], met: true },
  { name: 'a later approval replaces changes requested', required: 1, reviews: [review('alice', 'CHANGES_REQUESTED'), review('alice', 'APPROVED')], approvers: ['alice'], met: true },
  {
    name: 'changes requested by a qualified reviewer block, however many approve',
    required: 1,
    reviews: [review('alice', 'APPROVED'), review('bob', 'APPROVED'), review('bob', 'CHANGES_REQUESTED')],
    approvers: ['alice'],
    changesRequestedBy: ['bob'],
    met: false,
  },
  { name: 'changes requested on an older commit still block', required: 1, reviews: [review('alice', 'APPROVED'), review('bob', 'CHANGES_REQUESTED', OLD)], approvers: ['alice'], changesRequestedBy: ['bob'], met: false },
  { name: 'changes requested by a read-only reviewer do not block', required: 1, reviews: [review('alice', 'APPROVED'), review('carol', 'CHANGES_REQUESTED')], approvers: ['alice'], met: true },
  { name: 'a dismissed approval counts for nothing', required: 1, reviews: [review('alice', 'APPROVED'), review('alice', 'DISMISSED')], approvers: [], met: false },
  { name: 'two required, one given', required: 2, reviews: [review('alice', 'APPROVED'), review('carol', 'APPROVED')], approvers: ['alice'], withoutWrite: ['carol'], met: false },
  { name: 'two required, two given', required: 2, reviews: [review('bob', 'APPROVED'), review('alice', 'APPROVED')], approvers: ['alice', 'bob'], met: true },
  { name: 'someone who wrote a commit of the pull request approving it does not count', required: 1, reviews: [review('pusher', 'APPROVED')], approvers: [], own: ['pusher'], met: false },
  { name: 'the author\'s changes requested are not an approval of their own', required: 1, reviews: [review('author', 'CHANGES_REQUESTED')], approvers: [], met: false },
  { name: 'a pending review is not a review yet', required: 1, reviews: [review('alice', 'PENDING')], approvers: [], met: false },
];

for (const row of TABLE) {
  test(`approvals: ${row.name}`, async () => {
    const asked: string[] = [];
    const status = await evaluateApprovals({
      required: row.required,
      headSha: HEAD,
      author: 'author',
      contributors: ['pusher'],
      reviews: row.reviews,
      standing: async (login) => (asked.push(login), standings[login]!),
    });
    assert.deepEqual(status.approvers, row.approvers);
    assert.deepEqual(status.changesRequestedBy, row.changesRequestedBy ?? []);
    assert.deepEqual(status.staleApprovers, row.stale ?? []);
    assert.deepEqual(status.ownApprovers, row.own ?? []);
    assert.deepEqual([status.approversWithoutWrite, status.approversOutsideTeams], [row.withoutWrite ?? [], row.outsideTeams ?? []]);
    assert.equal(status.met, row.met);
    assert.ok(!asked.includes('author') && !asked.includes('pusher'), 'the author and contributors are never looked up');
  });
}

test('an approval of one\'s own change is named as not counted, so people see why it is missing', async () => {
  const status = await evaluateApprovals({ required: 1, headSha: HEAD, author: 'author', contributors: ['pusher'], reviews: [review('pusher', 'APPROVED')], standing: async () => WRITE });
  assert.equal(describeApprovals(status), 'approvals 0/1 on aaaaaaa; approved their own change (wrote the pull request or one of its commits), not counted: pusher');
});

test('an approval by a reviewer without write permission or outside the teams is named as not counted, with the reason', async () => {
  const status = await evaluateApprovals({ required: 1, headSha: HEAD, author: 'author', reviews: [review('carol', 'APPROVED'), review('dave', 'APPROVED'), review('carol', 'COMMENTED')], standing: async (login) => standings[login]! });
  assert.equal(
    describeApprovals(status),
    "approvals 0/1 on aaaaaaa; approved without write permission on the repository, not counted: carol; approved but in none of the environment's teams, not counted: dave",
  );
});

test('the sticky comment line names the head commit and the approvers', async () => {
  const status = await evaluateApprovals({ required: 2, headSha: HEAD, author: 'author', reviews: [review('alice', 'APPROVED'), review('bob', 'CHANGES_REQUESTED')], standing: async () => WRITE });
  assert.equal(describeApprovals(status), 'approvals 1/2 on aaaaaaa (alice); changes requested by bob');
});
