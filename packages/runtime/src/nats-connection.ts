/**
 * NATS connection options as VirnyFlow exposes them, and their translation to the nats.js client.
 *
 * Reconnection never gives up by default (`maxAttempts: -1`): a worker or coordinator outlives a NATS
 * restart. The wait between attempts grows exponentially from `initialDelayMs` to `maxDelayMs`, plus a
 * random jitter up to `jitterMs` so that hundreds of workers do not reconnect in lock-step after a server
 * restart. The jitter is not part of any result, so it uses the OS random source, not a seeded `Rng`.
 */
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { NodeConnectionOptions } from '@nats-io/transport-node';
import type * as NatsNodeLib from '@nats-io/transport-node';
import { RuntimeErrorCode, checkInt, checkNumber, runtimeError } from './errors';

export interface NatsReconnectOptions {
  /** First wait after a disconnect, in ms. Default 250. */
  initialDelayMs?: number;
  /** Cap of the exponential wait, in ms. Default 5 000. */
  maxDelayMs?: number;
  /** Upper bound of the random extra wait, in ms. Default 500. */
  jitterMs?: number;
  /** Attempts per server before giving up; -1 = never give up (default). */
  maxAttempts?: number;
}

export interface NatsTlsOptions {
  /** CA bundle that signed the server certificate (PEM file). */
  caFile?: string;
  /** Client certificate (PEM file), for servers that verify clients (`tlsverify`). */
  certFile?: string;
  /** Key of the client certificate (PEM file). */
  keyFile?: string;
  /** For servers configured with `handshake_first`. */
  handshakeFirst?: boolean;
}

/**
 * How to reach NATS. At most one authentication method: `user` + `pass`, `token`, `nkeySeed` or
 * `credsFile` (a JWT `.creds` file from `nsc`).
 */
export interface NatsConnectionOptions {
  /** `nats://host:4222`, `tls://host:4222`, or several for a cluster. */
  servers: string | string[];
  /** Client name shown by the server's monitoring (e.g. `virnyflow-worker-<host>`). */
  name?: string;
  user?: string;
  pass?: string;
  token?: string;
  /** NKey user seed (`SU…`). */
  nkeySeed?: string;
  credsFile?: string;
  tls?: NatsTlsOptions;
  reconnect?: NatsReconnectOptions;
  /** Handshake timeout of each connection attempt, in ms. Default 10 000. */
  connectTimeoutMs?: number;
  /**
   * Keep retrying the first connection (with the reconnect back-off) instead of failing: for workers that may
   * start before the server. Default false: `connect` fails with `VF_RUNTIME_CONNECT_FAILED`.
   */
  waitForServer?: boolean;
  /** Client ping interval, in ms; two missed pongs mark the connection stale and trigger a reconnect. Default 20 000. */
  pingIntervalMs?: number;
}

export interface ResolvedNatsConnection {
  servers: string[];
  reconnect: Required<NatsReconnectOptions>;
  /**
   * Options for `@nats-io/transport-node`'s `connect`, including the back-off handler; the authenticator for
   * `nkeySeed` / `credsFile` is added by `withAuthenticator` once the client library is loaded.
   */
  client: NodeConnectionOptions;
  auth: { kind: 'nkey'; seed: Uint8Array } | { kind: 'creds'; creds: Uint8Array } | null;
  /** Call on every `reconnecting` status (counts attempts) and `reconnect` status (resets). */
  onAttempt(): void;
  onReconnected(): void;
}

function invalidOption(field: string, value: unknown, fix: string): never {
  throw runtimeError(RuntimeErrorCode.InvalidOption, `${field}: ${JSON.stringify(value)} ${fix}`, {
    details: { field },
  });
}

export function resolveNatsConnection(o: NatsConnectionOptions): ResolvedNatsConnection {
  const servers = (Array.isArray(o.servers) ? o.servers : [o.servers]).filter((s) => s !== '');
  if (servers.length === 0)
    invalidOption('connection.servers', o.servers, 'is empty. Pass e.g. "nats://127.0.0.1:4222".');
  for (const s of servers) {
    if (!/^(nats|tls|ws|wss):\/\/[^\s]+$|^[^\s:/]+(:\d+)?$/.test(s)) {
      invalidOption('connection.servers', s, 'is not a server URL. Use nats://host:port or tls://host:port.');
    }
  }
  const methods = [
    o.user !== undefined || o.pass !== undefined ? 'user/pass' : null,
    o.token !== undefined ? 'token' : null,
    o.nkeySeed !== undefined ? 'nkeySeed' : null,
    o.credsFile !== undefined ? 'credsFile' : null,
  ].filter((m) => m !== null);
  if (methods.length > 1) {
    invalidOption('connection', methods, 'sets several authentication methods. Keep exactly one.');
  }
  if ((o.user === undefined) !== (o.pass === undefined)) {
    invalidOption(
      'connection.user/pass',
      o.user ?? '(unset)',
      'user and pass go together. Set both or neither.',
    );
  }
  const reconnect: Required<NatsReconnectOptions> = {
    initialDelayMs: checkNumber('connection.reconnect.initialDelayMs', o.reconnect?.initialDelayMs ?? 250, 0),
    maxDelayMs: checkNumber('connection.reconnect.maxDelayMs', o.reconnect?.maxDelayMs ?? 5_000, 0),
    jitterMs: checkInt('connection.reconnect.jitterMs', o.reconnect?.jitterMs ?? 500, 0),
    maxAttempts: checkInt('connection.reconnect.maxAttempts', o.reconnect?.maxAttempts ?? -1, -1),
  };

  const client: NodeConnectionOptions = {
    servers,
    name: o.name,
    maxReconnectAttempts: reconnect.maxAttempts,
    timeout: checkNumber('connection.connectTimeoutMs', o.connectTimeoutMs ?? 10_000, 1),
    pingInterval: checkNumber('connection.pingIntervalMs', o.pingIntervalMs ?? 20_000, 1),
    waitOnFirstConnect: o.waitForServer ?? false,
    // Otherwise every request (each JetStream publish, ack confirmation and pull) builds an Error up front
    // to carry its call site into a later timeout: a stack capture per message, for a trace our own
    // errors already give (they name the operation and the subject).
    noAsyncTraces: true,
  };
  if (o.user !== undefined) {
    client.user = o.user;
    client.pass = o.pass;
  }
  if (o.token !== undefined) client.token = o.token;
  let auth: ResolvedNatsConnection['auth'] = null;
  if (o.nkeySeed !== undefined) {
    if (!/^SU[A-Z2-7]+$/.test(o.nkeySeed)) {
      invalidOption(
        'connection.nkeySeed',
        '(hidden)',
        'is not an NKey user seed. It starts with "SU"; see `nk -gen user`.',
      );
    }
    auth = { kind: 'nkey', seed: new TextEncoder().encode(o.nkeySeed) };
  }
  if (o.credsFile !== undefined) {
    let creds: Uint8Array;
    try {
      creds = readFileSync(o.credsFile);
    } catch (cause) {
      throw runtimeError(
        RuntimeErrorCode.InvalidOption,
        `connection.credsFile: ${JSON.stringify(o.credsFile)} cannot be read (${String(cause)}). Check the path and permissions.`,
        { details: { field: 'connection.credsFile' }, cause },
      );
    }
    auth = { kind: 'creds', creds };
  }
  if (o.tls !== undefined) {
    for (const f of ['caFile', 'certFile', 'keyFile'] as const) {
      const path = o.tls[f];
      if (path === undefined) continue;
      try {
        readFileSync(path);
      } catch (cause) {
        throw runtimeError(
          RuntimeErrorCode.InvalidOption,
          `connection.tls.${f}: ${JSON.stringify(path)} cannot be read (${String(cause)}). Check the path and permissions.`,
          { details: { field: `connection.tls.${f}` }, cause },
        );
      }
    }
    if ((o.tls.certFile === undefined) !== (o.tls.keyFile === undefined)) {
      invalidOption('connection.tls', o.tls, 'certFile and keyFile go together. Set both or neither.');
    }
    client.tls = {
      caFile: o.tls.caFile,
      certFile: o.tls.certFile,
      keyFile: o.tls.keyFile,
      handshakeFirst: o.tls.handshakeFirst,
    };
  }

  // nats.js asks for the wait before every dial; it may ask several times per attempt, so the jitter is
  // drawn once per attempt and reused.
  let attempt = 0;
  let jitterFor = -1;
  let jitter = 0;
  client.reconnectDelayHandler = () => {
    if (jitterFor !== attempt) {
      jitterFor = attempt;
      jitter = reconnect.jitterMs > 0 ? randomInt(reconnect.jitterMs + 1) : 0;
    }
    const base = Math.min(reconnect.maxDelayMs, reconnect.initialDelayMs * 2 ** Math.min(attempt, 30));
    return base + jitter;
  };
  return {
    servers,
    reconnect,
    client,
    auth,
    onAttempt: () => {
      attempt++;
    },
    onReconnected: () => {
      attempt = 0;
    },
  };
}

/** The client options with the authenticator for NKey / creds authentication filled in. */
export function withAuthenticator(
  r: ResolvedNatsConnection,
  lib: Pick<typeof NatsNodeLib, 'nkeyAuthenticator' | 'credsAuthenticator'>,
): NodeConnectionOptions {
  if (r.auth === null) return r.client;
  const authenticator =
    r.auth.kind === 'nkey' ? lib.nkeyAuthenticator(r.auth.seed) : lib.credsAuthenticator(r.auth.creds);
  return { ...r.client, authenticator };
}
