/**
 * Test harness: a real `nats-server` with JetStream, on a port the server picks itself (`-p -1`) and read
 * back from its ports file — probing for a free port races with other processes. The JetStream store lives
 * in a temporary directory that `restart()` reuses (same port, same data) and `cleanup()` removes.
 *
 * For tests, benchmarks and multi-process fault tests; never used by production code.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { RuntimeErrorCode, runtimeError } from '../errors';

export interface NatsServerOptions {
  /** Path of the binary. Default: `$NATS_SERVER_BIN`, else `nats-server` on PATH (or /usr/sbin, /usr/local/sbin). */
  binary?: string;
  /** Enable JetStream (`-js`). Default true. */
  jetstream?: boolean;
  /** Extra command-line arguments, e.g. `['--user', 'a', '--pass', 'b']`. */
  args?: string[];
  /** How long to wait for the ports file, in ms. Default 10 000. */
  startTimeoutMs?: number;
}

const LOG_TAIL_CHARS = 8_000;

/** Finds the nats-server binary or throws `VF_RUNTIME_NATS_SERVER_MISSING` with the fix. */
export function findNatsServer(binary?: string): string {
  const candidates: string[] = [];
  const explicit = binary ?? process.env.NATS_SERVER_BIN;
  if (explicit !== undefined && explicit !== '') candidates.push(explicit);
  else {
    for (const dir of (process.env.PATH ?? '').split(delimiter))
      if (dir !== '') candidates.push(join(dir, 'nats-server'));
    candidates.push('/usr/sbin/nats-server', '/usr/local/sbin/nats-server', '/usr/local/bin/nats-server');
  }
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // try the next one
    }
  }
  throw runtimeError(
    RuntimeErrorCode.NatsServerMissing,
    `nats-server: no executable found (looked at ${candidates.slice(0, 6).join(', ')}${candidates.length > 6 ? ', …' : ''}). ` +
      `Install it (Debian/Ubuntu: apt-get install nats-server) or set NATS_SERVER_BIN to its path.`,
    { details: { candidates } },
  );
}

/** Whether `findNatsServer` finds a binary (tests that need a server skip without one). */
export function hasNatsServer(binary?: string): boolean {
  try {
    findNatsServer(binary);
    return true;
  } catch {
    return false;
  }
}

export class NatsServer {
  readonly binary: string;
  /** The temporary directory holding the JetStream store (`<dir>/store`) and the ports files. */
  readonly dir: string;
  readonly storeDir: string;
  #port = 0;
  #child: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();
  #log = '';
  readonly #options: Required<Omit<NatsServerOptions, 'binary'>>;
  readonly #onProcessExit = (): void => {
    this.#child?.kill('SIGKILL');
  };

  private constructor(binary: string, options: NatsServerOptions) {
    this.binary = binary;
    this.#options = {
      jetstream: options.jetstream ?? true,
      args: options.args ?? [],
      startTimeoutMs: options.startTimeoutMs ?? 10_000,
    };
    this.dir = mkdtempSync(join(tmpdir(), 'vf-nats-'));
    this.storeDir = join(this.dir, 'store');
  }

  /** Spawns a server on a port of its choosing; resolves once it listens. */
  static async start(options: NatsServerOptions = {}): Promise<NatsServer> {
    const server = new NatsServer(findNatsServer(options.binary), options);
    process.once('exit', server.#onProcessExit);
    try {
      await server.#spawn(-1);
    } catch (error) {
      await server.cleanup();
      throw error;
    }
    return server;
  }

  get port(): number {
    return this.#port;
  }

  /** `nats://127.0.0.1:<port>` */
  get url(): string {
    return `nats://127.0.0.1:${this.#port}`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== null;
  }

  /** The tail of the server's output, for failure messages. */
  get log(): string {
    return this.#log;
  }

  /** Sends a signal (e.g. SIGSTOP/SIGCONT to freeze the server, SIGKILL to crash it). */
  signal(signal: NodeJS.Signals): void {
    this.#child?.kill(signal);
  }

  /** Graceful stop (SIGTERM; SIGKILL after `timeoutMs`). */
  async stop(timeoutMs = 5_000): Promise<void> {
    const child = this.#child;
    if (child === null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await this.#exited;
    clearTimeout(timer);
  }

  /** Crash: `kill -9`, resolves once the process is gone. */
  async kill(): Promise<void> {
    if (this.#child === null) return;
    this.#child.kill('SIGKILL');
    await this.#exited;
  }

  /** Starts the server again on the same port with the same store (stopping it gracefully first if running). */
  async restart(): Promise<void> {
    await this.stop();
    await this.#spawn(this.#port);
  }

  /** Kills the server if running and removes the temporary directory. Idempotent. */
  async cleanup(): Promise<void> {
    await this.kill();
    process.removeListener('exit', this.#onProcessExit);
    rmSync(this.dir, { recursive: true, force: true });
  }

  async #spawn(port: number): Promise<void> {
    const portsDir = join(this.dir, 'ports');
    rmSync(portsDir, { recursive: true, force: true });
    const args = ['-a', '127.0.0.1', '-p', String(port), '--ports_file_dir', portsDir];
    if (this.#options.jetstream) args.push('-js', '-sd', this.storeDir);
    args.push(...this.#options.args);
    // A fresh, existing directory: the server writes into it but does not create it, and a stale file from
    // the previous process must not be mistaken for the new one.
    mkdirSync(portsDir, { recursive: true });
    const child = spawn(this.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    const append = (chunk: Buffer): void => {
      this.#log = (this.#log + chunk.toString()).slice(-LOG_TAIL_CHARS);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    let exitInfo: string | null = null;
    this.#exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        exitInfo = `code ${String(code)}, signal ${String(signal)}`;
        if (this.#child === child) this.#child = null;
        resolve();
      });
      child.once('error', (error) => {
        exitInfo = String(error);
        if (this.#child === child) this.#child = null;
        resolve();
      });
    });
    const deadline = performance.now() + this.#options.startTimeoutMs;
    for (;;) {
      if (exitInfo !== null) {
        throw runtimeError(
          RuntimeErrorCode.NatsServerFailed,
          `nats-server exited during start-up (${exitInfo}). Its output:\n${this.#log}`,
          { details: { args } },
        );
      }
      const found = readPortsFile(portsDir, child.pid);
      if (found !== null) {
        this.#port = found;
        return;
      }
      if (performance.now() > deadline) {
        child.kill('SIGKILL');
        await this.#exited;
        throw runtimeError(
          RuntimeErrorCode.NatsServerFailed,
          `nats-server did not write its ports file within ${this.#options.startTimeoutMs} ms. Its output:\n${this.#log}`,
          { details: { args } },
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Port from `<exe>_<pid>.ports` (`{"nats":["nats://127.0.0.1:PORT"],...}`), or null while not written yet. */
function readPortsFile(dir: string, pid: number | undefined): number | null {
  if (pid === undefined || !existsSync(dir)) return null;
  const name = readdirSync(dir).find((f) => f.endsWith(`_${pid}.ports`));
  if (name === undefined) return null;
  try {
    const parsed = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { nats?: string[] };
    const url = parsed.nats?.[0];
    if (url === undefined) return null;
    const port = Number(new URL(url).port);
    return Number.isInteger(port) && port > 0 ? port : null;
  } catch {
    return null; // partially written; read again on the next poll
  }
}
