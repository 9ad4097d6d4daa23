/** Worker entry of the bad-input corpus: runs the case named in each message and posts its outcome back. */
import { parentPort } from 'node:worker_threads';
import { CASES } from './corpus.test.ts';
import { runCase } from './harness.ts';

const port = parentPort;
if (!port) throw new Error('case-worker.ts runs only as a worker thread');

port.on('message', (name: string) => {
  const c = CASES.find((candidate) => candidate.name === name);
  if (!c) {
    port.postMessage({ name, failure: `no case named ${name}` });
    return;
  }
  runCase(c).then(
    (outcome) => port.postMessage({ name, outcome }),
    (error: unknown) => port.postMessage({ name, failure: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
port.postMessage('ready');
