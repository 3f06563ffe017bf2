import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '@serverless-jobs/cli/ops';
import { parseRunnerState, RUNNER_STATE_FILE } from '@serverless-jobs/runtime/contracts';

/** The file that holds the PID of the runner that owns a data folder. */
export const LOCK_FILE = 'runner.lock';

/** Thrown when another live runner owns the data folder; its message names it and what to do. */
export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
}

function describeOwner(dataDir: string, pid: number): string {
  let state: ReturnType<typeof parseRunnerState>;
  try {
    state = parseRunnerState(JSON.parse(readFileSync(join(dataDir, RUNNER_STATE_FILE), 'utf8')));
  } catch {
    state = undefined;
  }
  const where = state && state.pid === pid ? Object.entries(state.endpoints).map(([n, url]) => `${n} ${url}`) : [];
  if (state?.dashboard && state.pid === pid) where.push(`dashboard ${state.dashboard.url}`);
  return where.length > 0 ? ` (${where.join(', ')})` : '';
}

/**
 * Takes the data folder for this process: one stack per folder, since two would share DynamoDB Local's files
 * and overwrite each other's runner.json. A lock whose PID has exited is taken over. Returns the release.
 * @throws DataDirLockedError naming the running PID, its endpoints, and `--data-dir`
 */
export function lockDataDir(dataDir: string, pid: number = process.pid): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(file, `${pid}\n`, { flag: 'wx' });
      return () => {
        if (readFileSync(file, 'utf8').trim() === String(pid)) rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== pid && isAlive(owner)) {
      throw new DataDirLockedError(
        `Another npm start (pid ${owner}) is running on ${dataDir}${describeOwner(dataDir, owner)}. ` +
          'Stop it first, or start a second stack on its own folder: npm start -- --data-dir <folder> ' +
          '--sqs-port 0 --dynamodb-port 0 --ses-port 0 --dashboard-port 0',
      );
    }
    // Stale: its process has exited without removing it.
    rmSync(file, { force: true });
  }
  throw new DataDirLockedError(`Could not take ${file}: another runner took it at the same moment`);
}
