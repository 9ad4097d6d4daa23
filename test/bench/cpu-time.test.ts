/**
 * The live bench's CPU figures (bench/live/cpu-time.ts, bench/live/measure.ts): a command's own CPU from GNU
 * time, and the test API server's from /proc/<pid>/stat, read from what those files really hold.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseTimeFigures, ServerCpu, statCpuTicks } from '../../bench/live/cpu-time.ts';
import { measure } from '../../bench/live/measure.ts';

const linux = existsSync('/proc/self/stat');

test('GNU time figures: peak RSS and user + system CPU, also after the line a failed command adds; anything else is none', () => {
  assert.deepEqual(parseTimeFigures('124596 1.88 0.45\n'), { peakRssKiB: 124596, cpuMs: 2330 });
  assert.deepEqual(parseTimeFigures('Command exited with non-zero status 2\n70928 0.50 0.12\n'), { peakRssKiB: 70928, cpuMs: 620 });
  assert.equal(parseTimeFigures('124596\n'), undefined, 'the old one-figure format');
  assert.equal(parseTimeFigures(''), undefined);
  assert.equal(parseTimeFigures('Command terminated by signal 9\n'), undefined);
  assert.equal(parseTimeFigures('0 0.10 0.10\n'), undefined, 'no peak RSS: nothing ran');
});

test('/proc stat: utime + stime are counted after the last parenthesis, whatever the command name holds', () => {
  // proc(5): pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime ...
  const line = '28240 (kube (api) server) S 1 28240 28240 0 -1 4194560 51234 0 12 0 1234 567 0 0 20 0 17 0 4711 1304628000 146558\n';
  assert.equal(statCpuTicks(line), 1234 + 567);
  assert.equal(statCpuTicks(''), undefined);
  assert.equal(statCpuTicks('28240 (etcd) S 1'), undefined, 'cut short');
});

test('ServerCpu reads the pid files beside the kubeconfig and sums their CPU, as the kernel counts it', { skip: !linux && 'no /proc' }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fsm-gitops-cpu-'));
  try {
    await mkdir(join(dir, 'pids'));
    // This process twice: the sum must be twice its own CPU. The watchdog's pid file is not the server's.
    await writeFile(join(dir, 'pids', 'kube-apiserver.pid'), `${process.pid}\n`);
    await writeFile(join(dir, 'pids', 'etcd.pid'), `${process.pid}\n`);
    await writeFile(join(dir, 'pids', 'watchdog.pid'), `${process.pid}\n`);
    const cpu = await ServerCpu.of(join(dir, 'kubeconfig'));
    const usage = process.cpuUsage();
    const read = await cpu.read();
    const own = (usage.user + usage.system) / 1000;
    assert.ok(read !== undefined && Math.abs(read - 2 * own) < 100, `read ${read} ms, expected about ${2 * own} ms`);
    assert.ok(statCpuTicks(readFileSync('/proc/self/stat', 'utf8')) !== undefined);

    await rm(join(dir, 'pids', 'etcd.pid'));
    assert.equal(await (await ServerCpu.of(join(dir, 'kubeconfig'))).read(), undefined, 'etcd\'s pid file missing: no figure rather than half of one');
    await writeFile(join(dir, 'pids', 'etcd.pid'), '2147483647\n'); // no such process
    assert.equal(await (await ServerCpu.of(join(dir, 'kubeconfig'))).read(), undefined, 'a process gone: no figure rather than a wrong one');
    assert.equal(await (await ServerCpu.of(join(dir, 'elsewhere', 'kubeconfig'))).read(), undefined, 'no pid files');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('measure gives the command\'s own CPU and peak RSS', { skip: !existsSync('/usr/bin/time') && 'no GNU time' }, async () => {
  const scratch = await mkdtemp(join(tmpdir(), 'fsm-gitops-measure-'));
  try {
    // Burns 300 ms of its own CPU, then fails: the figures are still read.
    const burn = 'const s = process.cpuUsage(); while ((process.cpuUsage(s).user + process.cpuUsage(s).system) < 300000); process.exit(3)';
    const result = await measure(process.execPath, ['-e', burn], { env: process.env, scratch, timeoutMs: 60_000 });
    assert.equal(result.code, 3);
    assert.ok(result.cpuMs !== undefined && result.cpuMs >= 290, `cpu ${result.cpuMs} ms`);
    assert.ok(result.peakRssKiB !== undefined && result.peakRssKiB > 1024, `peak RSS ${result.peakRssKiB} KiB`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});
