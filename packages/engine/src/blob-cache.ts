/**
 * A directory of content-addressed blobs (prepared datasets, experiment contexts), one file per sha256.
 *
 * Workers use it as a read-through cache in front of the transport's blob store, so a restarted worker
 * (or a second worker on the same node) does not fetch a large dataset over NATS again. When the
 * directory is on a file system the coordinator shares with its workers, the coordinator writes the blobs
 * there too and workers find them without asking NATS at all.
 *
 * A file is trusted only if its bytes hash to its name: a partial or corrupted file is ignored (and
 * replaced by the next fetch). Writes go to a temporary name and are renamed into place, so a reader on
 * another node never sees a half-written file.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '@virnyflow/runtime';
import { EngineErrorCode, engineError } from './errors';

const HASH_RE = /^[0-9a-f]{64}$/;

export class BlobCache {
  constructor(readonly dir: string) {}

  path(hash: string): string {
    if (!HASH_RE.test(hash)) {
      throw engineError(
        EngineErrorCode.BadBlob,
        `blob cache: ${JSON.stringify(hash)} is not a sha256 hex digest (64 lower-case hex characters); ` +
          'blob keys come from the coordinator, so check that the task was made by this engine',
        { hash },
      );
    }
    return join(this.dir, `${hash}.blob`);
  }

  /** The bytes stored under `hash`, or null when absent or not matching their hash. */
  read(hash: string): Uint8Array | null {
    let bytes: Uint8Array;
    try {
      const buf = readFileSync(this.path(hash));
      bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch {
      return null;
    }
    return sha256Hex(bytes) === hash ? bytes : null;
  }

  /** Stores `bytes` under their hash (atomically); returns the hash. Failures to write are not fatal. */
  write(bytes: Uint8Array): string {
    const hash = sha256Hex(bytes);
    const final = this.path(hash);
    const tmp = `${final}.${process.pid}.${Date.now()}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(tmp, bytes);
      renameSync(tmp, final);
    } catch {
      // A full or read-only disk makes the cache useless, not the worker.
      rmSync(tmp, { force: true });
    }
    return hash;
  }

  /** `read`, else `fetch` and keep what it returns. */
  async readThrough(hash: string, fetch: () => Promise<Uint8Array | null>): Promise<Uint8Array | null> {
    const cached = this.read(hash);
    if (cached !== null) return cached;
    const bytes = await fetch();
    if (bytes !== null && sha256Hex(bytes) === hash) this.write(bytes);
    return bytes;
  }
}
