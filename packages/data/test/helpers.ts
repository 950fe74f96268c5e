import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';

/** A temp directory removed after the test file; `file(name, text)` writes into it and returns the path. */
export function tempDir(prefix = 'vf-data-'): { dir: string; file: (name: string, text: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    file: (name, text) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    },
  };
}

/** Awaits `p` and returns the error it rejects with (fails the test if it resolves). */
export async function rejection(
  p: Promise<unknown>,
): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    return err as { code: string; message: string; details: Record<string, unknown> };
  }
  expect.fail('expected a rejection');
}

/** Calls `f` and returns the error it throws (fails the test if it returns). */
export function thrown(f: () => unknown): {
  code: string;
  message: string;
  details: Record<string, unknown>;
} {
  try {
    f();
  } catch (err) {
    return err as { code: string; message: string; details: Record<string, unknown> };
  }
  expect.fail('expected an exception');
}

export const DATA_DIR = process.env.VIRNYFLOW_DATA_DIR;
export const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;
