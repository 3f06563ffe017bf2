import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** aws-ses-v2-local's store: one per process, read by its `/store` route. */
interface SesStore {
  emails: { readonly messageId?: string }[];
  templates: Map<string, unknown>;
}

function sesStore(): SesStore {
  const require = createRequire(import.meta.url);
  return (require('aws-ses-v2-local/dist/store.js') as { getStoreReadonly: () => SesStore }).getStoreReadonly();
}

/** A store's contents kept on disk. */
export interface SesStoreFile {
  /** Writes what arrived since the last write. */
  flush(): void;
  /** Flushes and stops the periodic writes. */
  stop(): void;
}

/**
 * Keeps aws-ses-v2-local's e-mails (and templates) in `dir` across restarts: it loads them into the emulator's
 * store, then appends new e-mails every `intervalMs` and at stop. The emulator keeps them in memory only, and
 * offers no hook on arrival. A store emptied through its `/clear-store` route is emptied on disk too.
 */
export function persistSesStore(dir: string, intervalMs = 500): SesStoreFile {
  mkdirSync(dir, { recursive: true });
  const emailsFile = join(dir, 'emails.ndjson');
  const templatesFile = join(dir, 'templates.json');
  const store = sesStore();
  const emails = existsSync(emailsFile)
    ? readFileSync(emailsFile, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as SesStore['emails'][number])
    : [];
  store.emails = emails;
  store.templates.clear();
  if (existsSync(templatesFile)) {
    const entries = JSON.parse(readFileSync(templatesFile, 'utf8')) as [string, unknown][];
    for (const [name, template] of entries) store.templates.set(name, template);
  }
  let saved = emails.length;
  let lastSaved = emails.at(-1);
  let templatesSaved = JSON.stringify([...store.templates]);
  const rewrite = (file: string, text: string) => {
    writeFileSync(`${file}.partial`, text);
    renameSync(`${file}.partial`, file);
  };
  const flush = () => {
    const now = store.emails;
    // Fewer, or another list: cleared since (and maybe refilled): written whole.
    if (now.length < saved || (saved > 0 && now[saved - 1] !== lastSaved)) {
      rewrite(emailsFile, now.map((email) => `${JSON.stringify(email)}\n`).join(''));
    } else if (now.length > saved) {
      appendFileSync(
        emailsFile,
        now
          .slice(saved)
          .map((email) => `${JSON.stringify(email)}\n`)
          .join(''),
      );
    }
    saved = now.length;
    lastSaved = now.at(-1);
    const templates = JSON.stringify([...store.templates]);
    if (templates !== templatesSaved) rewrite(templatesFile, templates);
    templatesSaved = templates;
  };
  const timer = setInterval(flush, intervalMs);
  timer.unref();
  return {
    flush,
    stop: () => {
      clearInterval(timer);
      flush();
    },
  };
}
