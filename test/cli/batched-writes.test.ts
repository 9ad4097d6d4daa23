import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { BATCH_INTERVAL_MS, BatchedWrites } from '../../src/cli/batched-writes.ts';

function batched(): { batch: BatchedWrites; written: string[]; turn(): void } {
  const written: string[] = [];
  let scheduled: (() => void) | undefined;
  const batch = new BatchedWrites(
    (text) => void written.push(text),
    (flush) => void (scheduled = flush),
  );
  return { batch, written, turn: () => scheduled?.() };
}

test('lines added before the scheduled flush are written once, together, in order', () => {
  const { batch, written, turn } = batched();
  batch.add('a\n');
  batch.add('b\n');
  batch.add('c\n');
  assert.deepEqual(written, []);
  turn();
  assert.deepEqual(written, ['a\nb\nc\n']);
  batch.add('d\n');
  turn();
  assert.deepEqual(written, ['a\nb\nc\n', 'd\n']);
});

test('by default, lines of several event-loop turns go out as one write, within the interval', async () => {
  const written: string[] = [];
  const batch = new BatchedWrites((text) => void written.push(text));
  batch.add('create Plugin a\n');
  await nextTurn();
  batch.add('create Plugin b\n');
  await nextTurn();
  assert.deepEqual(written, [], 'one write per turn would wake the reader ~150 times in an apply of 500');
  await sleep(BATCH_INTERVAL_MS * 3);
  assert.deepEqual(written, ['create Plugin a\ncreate Plugin b\n']);
});

test('flush() writes what waits at once; nothing is written twice or when nothing waits', () => {
  const { batch, written, turn } = batched();
  batch.flush();
  batch.add('a\n');
  batch.flush();
  assert.deepEqual(written, ['a\n']);
  turn();
  batch.flush();
  assert.deepEqual(written, ['a\n']);
});


test("the CLI's streams keep their order: stderr's waiting lines are written before stdout's", () => {
  const out = execFileSync('sh', ['-c', `"${process.execPath}" --import tsx --input-type=module -e "import { processIo } from './src/cli/io.ts'; const io = processIo(); io.stderr('1 progress\\n'); io.stderr('2 progress\\n'); io.stdout('3 plan\\n'); io.stderr('4 progress\\n'); setImmediate(() => io.stdout('5 outcome\\n'));" 2>&1`], { encoding: 'utf8' });
  assert.equal(out, '1 progress\n2 progress\n3 plan\n4 progress\n5 outcome\n');
});

test('lines still waiting when the process exits are written', () => {
  const out = execFileSync('sh', ['-c', `"${process.execPath}" --import tsx --input-type=module -e "import { processIo } from './src/cli/io.ts'; const io = processIo(); io.stderr('said just before exit\\n'); process.exit(3);" 2>&1; echo "exit $?"`], { encoding: 'utf8' });
  assert.equal(out, 'said just before exit\nexit 3\n');
});
