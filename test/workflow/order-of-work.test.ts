/**
 * The order of work in a live plan (issue 12): the live read is started before the desired files are
 * loaded, so the API server answers while the process parses; the dry runs and the chart's render run at
 * once. Proven by the order of events a recording reader and repository see, never by timing; and the
 * guarantees that order must keep: one error, the same one as one step after the other, no unhandled
 * rejection, nothing still running when the error is raised.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { EnvironmentConfig } from '../../src/config/repo-config.ts';
import type { KubeObject } from '../../src/core/kube.ts';
import { MemoryRepo } from '../../src/desired/memory-repo.ts';
import type { RepoFiles } from '../../src/desired/repo-files.ts';
import type { DesiredEnvironment } from '../../src/desired/desired-state.ts';
import { loadEnvironment } from '../../src/desired/load-environment.ts';
import { ChartRenderer } from '../../src/chart/render-release.ts';
import { LiveStateError, type DryRunOutcome, type LiveState, type LiveStateReader, type MeshRef } from '../../src/live/live-state.ts';
import type { ChartRender } from '../../src/plan/plan-types.ts';
import { parseScriptsAhead } from '../../src/fsm/rules/pipyscript.ts';
import { planEnvironment } from '../../src/plan/plan.ts';
import { Ahead, meanwhile } from '../../src/workflow/ahead.ts';
import { planAgainst, planRepository, requireRepoConfig } from '../../src/workflow/plan-repository.ts';
import { CONFIG_FILE, exampleLiveState, STAGING_CONFIG, TWO_ENVIRONMENTS_CONFIG } from '../support/plan-fixture.ts';

const PLUGIN = (name: string, script: string) => `apiVersion: plugin.flomesh.io/v1alpha1
kind: Plugin
metadata:
  name: ${name}
spec:
  priority: 100
  pipyscript: ${JSON.stringify(script)}
`;

/** A repository of three Plugins (one whose script does not parse) that logs each file it reads. */
function recordingRepo(events: string[], fail?: Error): RepoFiles {
  const repo = new MemoryRepo({
    [CONFIG_FILE]: STAGING_CONFIG,
    'clusters/staging/a.yaml': PLUGIN('a', 'pipy()'),
    'clusters/staging/b.yaml': PLUGIN('b', 'pipy().pipeline('),
    'clusters/staging/c.yaml': PLUGIN('c', 'pipy().listen(8080)'),
  });
  return {
    list: (dir) => repo.list(dir),
    async read(path) {
      if (path !== CONFIG_FILE) {
        events.push(`file ${path.split('/').pop()}`);
        if (fail) throw fail;
      }
      return repo.read(path);
    },
  };
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** A reader whose answers the test gives (or that answers at once), logging when each request starts and ends. */
class RecordingReader implements LiveStateReader {
  readonly answer = deferred<LiveState>();
  constructor(
    private readonly events: string[],
    live: LiveState | 'unanswered' = exampleLiveState(),
  ) {
    if (live !== 'unanswered') this.answer.resolve(live);
  }
  /** The signal the read was given (LiveRead's: aborted when the read is no longer wanted). */
  signal: AbortSignal | undefined;
  async read(mesh: MeshRef, signal?: AbortSignal): Promise<LiveState> {
    this.signal = signal;
    this.events.push(`read ${mesh.namespace}/${mesh.name}`);
    try {
      return await this.answer.promise;
    } finally {
      this.events.push('read answered');
    }
  }
  dryRunAnswer?: Deferred<Map<string, DryRunOutcome>>;
  dryRunFails?: Error;
  async dryRun(objects: readonly KubeObject[]): Promise<Map<string, DryRunOutcome>> {
    this.events.push(`dry run of ${objects.length}`);
    if (this.dryRunFails) throw this.dryRunFails;
    const answer = this.dryRunAnswer?.promise ?? Promise.resolve(new Map());
    try {
      return await answer;
    } finally {
      this.events.push('dry run answered');
    }
  }
}

/** Stands in for helm: logs the render, answers what the test says. */
class RecordingChart extends ChartRenderer {
  constructor(
    private readonly events: string[],
    private readonly outcome: () => Promise<ChartRender | undefined>,
  ) {
    super(() => {
      throw new Error('no helm in this test');
    });
  }
  override async render(): Promise<ChartRender | undefined> {
    this.events.push('chart render');
    try {
      return await this.outcome();
    } finally {
      this.events.push('chart rendered');
    }
  }
}

/** Stands in for helm, logging the render, which ends only when stopped: its signal aborted (helm killed), it rejects with the reason. */
class StoppableChart extends ChartRenderer {
  constructor(private readonly events: string[]) {
    super(() => {
      throw new Error('no helm in this test');
    });
  }
  override render(_desired: DesiredEnvironment, _live: LiveState, _connection?: unknown, signal?: AbortSignal): Promise<ChartRender | undefined> {
    this.events.push('chart render');
    return new Promise((_resolve, reject) =>
      signal?.addEventListener('abort', () => (this.events.push('chart render stopped'), reject(signal.reason)), { once: true }),
    );
  }
}

/** Unhandled rejections seen while a test runs (Node would otherwise end the process on the first). */
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
before(() => process.on('unhandledRejection', onUnhandled));
after(() => process.off('unhandledRejection', onUnhandled));
const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

async function stagingOf(repo: RepoFiles): Promise<EnvironmentConfig> {
  return (await requireRepoConfig(repo)).environments[0]!;
}

test('planRepository starts the live read before it reads the first desired file, and plans the same as one step after the other', async () => {
  const events: string[] = [];
  const repo = recordingRepo(events);
  const reader = new RecordingReader(events);
  const { plan } = await planRepository({ repo, environments: [], liveStateFor: () => reader });
  assert.equal(events[0], 'read fsm-system/fsm', events.join(', '));
  assert.ok(events.indexOf('file a.yaml') > 0 && events.includes('file c.yaml'));

  const sequential = planEnvironment(await loadEnvironment(repo, await stagingOf(repo)), exampleLiveState());
  assert.deepEqual(plan.environments[0], sequential);
  assert.deepEqual(
    plan.environments[0]!.findings.filter((f) => f.code === 'pipyscript-syntax').map((f) => f.file),
    ['clusters/staging/b.yaml'],
    'the script parsed ahead is still reported where it is',
  );
});

test('a desired file that cannot be read is the one error, raised once the live read it overlapped has failed too; no unhandled rejection', async () => {
  const events: string[] = [];
  const reader = new RecordingReader(events, 'unanswered');
  const planning = planRepository({ repo: recordingRepo(events, new Error('disk gone')), environments: [], liveStateFor: () => reader });
  const seen: { raised?: Error } = {};
  const outcome = planning.catch((error: Error) => {
    seen.raised = error;
    events.push('raised');
  });
  await turns(5);
  assert.equal(seen.raised === undefined, true, 'not raised while the read is still running');
  reader.answer.reject(new LiveStateError('the API server is gone'));
  await outcome;
  await turns(5);
  assert.equal(seen.raised?.message, 'disk gone', 'the load failed first, as when it ran first');
  assert.ok(events.indexOf('read answered') < events.indexOf('raised'), events.join(', '));
  assert.deepEqual(unhandled, []);
});

test('a live read that fails is raised as it was once the files are loaded', async () => {
  const events: string[] = [];
  const reader = new RecordingReader(events, 'unanswered');
  reader.answer.reject(new LiveStateError('cannot reach https://kube.test'));
  await assert.rejects(planRepository({ repo: recordingRepo(events), environments: [], liveStateFor: () => reader }), LiveStateError);
  assert.ok(events.includes('file c.yaml'), 'the files were loaded meanwhile');
  await turns(3);
  assert.deepEqual(unhandled, []);
});

/** The staging files loaded, and a reader whose dry run the test answers. */
async function stagingWithHeldDryRun(events: string[]): Promise<{ desired: DesiredEnvironment; reader: RecordingReader; dryRun: Deferred<Map<string, DryRunOutcome>> }> {
  const repo = recordingRepo(events);
  const reader = new RecordingReader(events);
  const dryRun = (reader.dryRunAnswer = deferred());
  return { desired: await loadEnvironment(repo, await stagingOf(repo)), reader, dryRun };
}

test('the dry runs and the chart render run at once: the render starts before the dry run is answered', async () => {
  const events: string[] = [];
  const { desired, reader, dryRun } = await stagingWithHeldDryRun(events);
  const chart = new RecordingChart(events, async () => undefined);
  const planning = planAgainst(desired, reader, { chart });
  await turns(5);
  assert.ok(events.includes('chart rendered'), `the chart was rendered while the dry run is unanswered: ${events.join(', ')}`);
  assert.ok(!events.includes('dry run answered'));
  dryRun.resolve(new Map());
  const { plan } = await planning;
  assert.equal(plan.name, 'staging');
});

test('when both the dry run and the chart render fail, the dry run\'s error is raised (as when it ran first), once both have finished', async () => {
  const events: string[] = [];
  const { desired, reader, dryRun } = await stagingWithHeldDryRun(events);
  const render = deferred<ChartRender | undefined>();
  const planning = planAgainst(desired, reader, { chart: new RecordingChart(events, () => render.promise) });
  const outcome = planning.then(
    () => undefined,
    (error: Error) => error,
  );
  await turns(3);
  render.reject(new Error('helm: no such chart'));
  await turns(3);
  dryRun.reject(new LiveStateError('dry run: the API server is gone'));
  assert.equal((await outcome)?.message, 'dry run: the API server is gone');

  const second = new RecordingReader([]);
  const failing = planAgainst(desired, second, { chart: new RecordingChart([], () => Promise.reject(new Error('helm: no such chart'))) });
  await assert.rejects(failing, /helm: no such chart/, 'the chart error when the dry run went through');
  await turns(3);
  assert.deepEqual(unhandled, []);
});

test('a dry run that fails stops the chart render still running, and its error is raised once the render has ended', { timeout: 20_000 }, async () => {
  const events: string[] = [];
  const { desired, reader, dryRun } = await stagingWithHeldDryRun(events);
  const planning = planAgainst(desired, reader, { chart: new StoppableChart(events) });
  const outcome = planning.then(
    () => undefined,
    (error: Error) => error,
  );
  await turns(3);
  assert.ok(events.includes('chart render'), events.join(', '));
  dryRun.reject(new LiveStateError('dry run: the API server is gone'));
  // Without the stop, the render never ends and neither does the plan: the test's timeout fails it.
  assert.equal((await outcome)?.message, 'dry run: the API server is gone');
  assert.ok(events.includes('chart render stopped'));
  await turns(3);
  assert.deepEqual(unhandled, []);
});

test('the dry runs do not wait for the scripts: they are parsed while the dry run is answered, and planned once parsed', async () => {
  const events: string[] = [];
  const { desired, reader, dryRun } = await stagingWithHeldDryRun(events);
  const parsed = deferred<void>();
  const chart = new RecordingChart([], async () => undefined);
  const planning = planAgainst(desired, reader, {
    chart,
    async meanwhileWork() {
      events.push('scripts parsing');
      await parsed.promise;
      events.push('scripts parsed');
    },
  });
  let planned = false;
  void planning.then(() => (planned = true));
  await turns(5);
  assert.ok(events.includes('dry run of 3') && !events.includes('scripts parsed'), `the dry run went while the scripts are parsed: ${events.join(', ')}`);
  dryRun.resolve(new Map());
  await turns(5);
  assert.equal(planned, false, 'no plan before the scripts are parsed');
  parsed.resolve();
  const { plan } = await planning;
  assert.deepEqual(plan.findings.filter((f) => f.code === 'pipyscript-syntax').map((f) => f.file), ['clusters/staging/b.yaml']);
});

test('an error while the scripts are parsed ahead is raised once the parsing stopped, and is the read\'s', async () => {
  const events: string[] = [];
  const { desired } = await stagingWithHeldDryRun([]);
  const reader = new RecordingReader(events, 'unanswered');
  const parsed = deferred<void>();
  const planning = planAgainst(desired, reader, {
    chart: new RecordingChart([], async () => undefined),
    async meanwhileWork() {
      await parsed.promise;
      events.push('scripts parsed');
    },
  });
  const outcome = planning.then(
    () => undefined,
    (error: Error) => (events.push('raised'), error),
  );
  reader.answer.reject(new LiveStateError('the API server is gone'));
  await turns(5);
  assert.ok(!events.includes('raised'), 'not raised while the scripts are still parsed');
  parsed.resolve();
  assert.equal((await outcome)?.message, 'the API server is gone');
  assert.ok(events.indexOf('scripts parsed') < events.indexOf('raised'), events.join(', '));
  assert.deepEqual(unhandled, []);
});

test('the read started ahead is the one planned against: no second read', async () => {
  const events: string[] = [];
  const repo = recordingRepo(events);
  await planRepository({ repo, environments: ['staging'], liveStateFor: () => new RecordingReader(events) });
  assert.equal(events.filter((e) => e.startsWith('read fsm-system')).length, 1);
});

test('scripts parsed ahead pause between slices and find what the rule finds', async () => {
  const repo = recordingRepo([]);
  const desired = await loadEnvironment(repo, await stagingOf(repo));
  const alone = planEnvironment(await loadEnvironment(repo, await stagingOf(repo)), exampleLiveState());
  let pauses = 0;
  await parseScriptsAhead(desired, async () => void pauses++, 0);
  assert.equal(pauses, 3, 'a pause after each script when every slice is over');
  assert.deepEqual(planEnvironment(desired, exampleLiveState()).findings, alone.findings);
});

test('meanwhile: the work\'s error stops the work started ahead and waits for it, whose own failure is no unhandled rejection', async () => {
  const read = deferred<string>();
  let given: AbortSignal | undefined;
  const ahead = Ahead.start((signal) => ((given = signal), read.promise));
  let settled = false;
  const failing = meanwhile([ahead], async () => {
    throw new Error('parse failed');
  }).finally(() => (settled = true));
  await turns(3);
  assert.equal(given?.aborted, true, 'the read is told to stop');
  assert.equal(settled, false, 'waits for the read (this one ignores its signal)');
  read.reject(new Error('read failed'));
  await assert.rejects(failing, /parse failed/);
  await turns(3);
  assert.deepEqual(unhandled, []);
  const thrown = Ahead.start((): Promise<never> => {
    throw new Error('synchronous');
  });
  await assert.rejects(thrown.result(), /synchronous/);
});

const twoEnvironments = (): MemoryRepo =>
  new MemoryRepo({ [CONFIG_FILE]: TWO_ENVIRONMENTS_CONFIG, 'clusters/staging/a.yaml': PLUGIN('a', 'pipy()'), 'clusters/production/a.yaml': PLUGIN('a', 'pipy()') });

test('planRepository reads the next environment\'s live state while it plans this one, once per environment', async () => {
  const events: string[] = [];
  const { plan } = await planRepository({
    repo: twoEnvironments(),
    environments: [],
    liveStateFor: (environment) => {
      events.push(`reader of ${environment.name}`);
      return new RecordingReader(events);
    },
    progress: (message) => events.push(message),
  });
  assert.deepEqual(plan.environments.map((e) => e.name), ['staging', 'production']);
  assert.deepEqual(events.filter((e) => e.startsWith('reader of')), ['reader of staging', 'reader of production']);
  const planning = events.findIndex((e) => e.startsWith('staging: planning'));
  assert.ok(events.indexOf('reader of production') < planning, events.join('\n'));
  assert.ok(events.indexOf('production: reading clusters/production/') > planning, 'its progress lines come in its turn');
});

test('an environment whose plan fails is the error, raised once the next environment\'s read, started meanwhile, was stopped and has finished', async () => {
  const events: string[] = [];
  const production = new RecordingReader(events, 'unanswered');
  const staging = new RecordingReader(events);
  staging.dryRunFails = new LiveStateError('staging: the dry run was refused');
  const seen: { raised?: Error } = {};
  const outcome = planRepository({ repo: twoEnvironments(), environments: [], liveStateFor: (e) => (e.name === 'staging' ? staging : production) }).catch((error: Error) => {
    seen.raised = error;
  });
  await turns(10);
  assert.equal(production.signal?.aborted, true, 'production\'s read is told to stop');
  assert.equal(seen.raised === undefined, true, 'not raised while production is still being read');
  production.answer.reject(new LiveStateError('production is unreachable'));
  await outcome;
  assert.equal(seen.raised?.message, 'staging: the dry run was refused');
  await turns(3);
  assert.deepEqual(unhandled, []);
});
