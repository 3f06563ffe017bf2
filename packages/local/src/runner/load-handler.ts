import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** A bundled function's export, as Lambda's runtime finds it from `index.handler`: `index.mjs` (or .js, .cjs). */
export async function loadHandler<T>(bundleDir: string, handlerSpec: string): Promise<T> {
  const dot = handlerSpec.lastIndexOf('.');
  const [file, exportName] = [handlerSpec.slice(0, dot), handlerSpec.slice(dot + 1)];
  const candidates = ['.mjs', '.js', '.cjs'].map((extension) => join(bundleDir, `${file}${extension}`));
  const entry = candidates.find((path) => existsSync(path));
  if (!entry) throw new Error(`No bundle for ${handlerSpec} in ${bundleDir}`);
  const module = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
  const handler = module[exportName];
  if (typeof handler !== 'function') throw new Error(`${entry} exports no function "${exportName}"`);
  return handler as T;
}
