import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
const childListeners = new Set<() => void>();

/** If this process exits without stopping a child (an uncaught error), the child goes too. */
export function killOnExit(child: ChildProcess): void {
  if (children.size === 0)
    process.once('exit', () => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));
  children.add(child);
  child.once('exit', () => children.delete(child));
  childListeners.forEach((listener) => listener());
}

/** PIDs of the child processes this process started and that still run (emulators, sandboxes). */
export function childPids(): number[] {
  return [...children].map((child) => child.pid).filter((pid): pid is number => pid !== undefined);
}

/** Called whenever a child process starts. */
export function onChildStarted(listener: () => void): () => void {
  childListeners.add(listener);
  return () => childListeners.delete(listener);
}

export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
