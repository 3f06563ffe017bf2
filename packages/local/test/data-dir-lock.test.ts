import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirLockedError, LOCK_FILE, lockDataDir } from '@serverless-jobs/local/runner';

/** The PID of a process that has exited: a child that ran and is gone. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;

describe('Function: lockDataDir', () => {
  it('takes a free folder, writes its PID, and removes the lock on release', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sj-lock-'));
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses a folder a live process holds, naming its PID, its endpoints and --data-dir', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sj-lock-'));
    const owner = process.ppid;
    writeFileSync(join(dir, LOCK_FILE), `${owner}\n`);
    const state = { pid: owner, stackName: 'S', endpoints: { sqs: 'http://127.0.0.1:9324' }, outputs: {} };
    writeFileSync(join(dir, 'runner.json'), JSON.stringify(state));
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    expect(() => lockDataDir(dir)).toThrow(`(pid ${owner})`);
    expect(() => lockDataDir(dir)).toThrow('sqs http://127.0.0.1:9324');
    expect(() => lockDataDir(dir)).toThrow('--data-dir');
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(owner));
  });

  it('takes over a lock whose process has exited', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sj-lock-'));
    writeFileSync(join(dir, LOCK_FILE), `${deadPid()}\n`);
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    release();
  });
});
