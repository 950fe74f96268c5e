import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nkeys } from '@nats-io/transport-node';
import type { NatsConnectionOptions } from '@virnyflow/runtime';
import { JetStreamTransport, NatsServer, resolveNatsConnection } from '@virnyflow/runtime';

describe('resolveNatsConnection', () => {
  const bad = (o: NatsConnectionOptions): void => {
    expect(() => resolveNatsConnection(o)).toThrow(
      expect.objectContaining({ code: 'VF_RUNTIME_INVALID_OPTION' }),
    );
  };

  it('validates servers and authentication', () => {
    bad({ servers: [] });
    bad({ servers: 'http://x:1' });
    bad({ servers: 'nats://a:1', user: 'u' });
    bad({ servers: 'nats://a:1', user: 'u', pass: 'p', token: 't' });
    bad({ servers: 'nats://a:1', nkeySeed: 'not-a-seed' });
    bad({ servers: 'nats://a:1', credsFile: '/nonexistent/x.creds' });
    bad({ servers: 'nats://a:1', tls: { caFile: '/nonexistent/ca.pem' } });
    bad({ servers: 'nats://a:1', reconnect: { jitterMs: -1 } });
    const r = resolveNatsConnection({ servers: ['nats://a:1', 'tls://b:2'], user: 'u', pass: 'p' });
    expect(r.servers).toEqual(['nats://a:1', 'tls://b:2']);
    expect(r.client.maxReconnectAttempts).toBe(-1);
    expect(r.client.user).toBe('u');
  });

  it('reconnect waits grow exponentially to the cap, plus a bounded jitter drawn once per attempt', () => {
    const r = resolveNatsConnection({
      servers: 'nats://a:1',
      reconnect: { initialDelayMs: 100, maxDelayMs: 1_000, jitterMs: 50 },
    });
    const delay = r.client.reconnectDelayHandler as () => number;
    const bases = [100, 200, 400, 800, 1_000, 1_000];
    for (const base of bases) {
      const d = delay();
      expect(d).toBeGreaterThanOrEqual(base);
      expect(d).toBeLessThanOrEqual(base + 50);
      expect(delay()).toBe(d); // asked again within the same attempt: same answer
      r.onAttempt();
    }
    r.onReconnected();
    expect(delay()).toBeLessThanOrEqual(150);
  });
});

describe('authentication and TLS against a real nats-server', () => {
  const servers: NatsServer[] = [];
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vf-nats-auth-'));
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.cleanup()));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const start = async (args: string[]): Promise<NatsServer> => {
    const s = await NatsServer.start({ args });
    servers.push(s);
    return s;
  };
  const tryConnect = async (connection: NatsConnectionOptions): Promise<void> => {
    const t = await JetStreamTransport.connect({
      prefix: 'auth',
      connection: { connectTimeoutMs: 3_000, ...connection },
    });
    const info = await t.putBlob(new Uint8Array([1, 2, 3]));
    expect(await t.getBlob(info.hash)).toEqual(new Uint8Array([1, 2, 3]));
    await t.close();
  };

  it('user/password', async () => {
    const s = await start(['--user', 'vf', '--pass', 's3cret']);
    await tryConnect({ servers: s.url, user: 'vf', pass: 's3cret' });
    await expect(tryConnect({ servers: s.url, user: 'vf', pass: 'wrong' })).rejects.toMatchObject({
      code: 'VF_RUNTIME_CONNECT_FAILED',
    });
  });

  it('token', async () => {
    const s = await start(['--auth', 'tok-123']);
    await tryConnect({ servers: s.url, token: 'tok-123' });
    await expect(tryConnect({ servers: s.url })).rejects.toMatchObject({ code: 'VF_RUNTIME_CONNECT_FAILED' });
  });

  it('nkey seed', async () => {
    const user = nkeys.createUser();
    const conf = join(dir, 'nkey.conf');
    writeFileSync(conf, `authorization { users = [ { nkey: ${user.getPublicKey()} } ] }\n`);
    const s = await start(['-c', conf]);
    await tryConnect({ servers: s.url, nkeySeed: new TextDecoder().decode(user.getSeed()) });
  });

  it('TLS with a private CA', async () => {
    const ca = join(dir, 'ca');
    const srv = join(dir, 'server');
    const openssl = (...args: string[]): void => {
      execFileSync('openssl', args, { stdio: 'ignore' });
    };
    // P-256 keys: quick to generate, and enough for a test CA.
    const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl(
      'req',
      '-x509',
      ...key,
      '-days',
      '1',
      '-subj',
      '/CN=vf-test-ca',
      '-keyout',
      `${ca}.key`,
      '-out',
      `${ca}.pem`,
    );
    openssl('req', ...key, '-subj', '/CN=127.0.0.1', '-keyout', `${srv}.key`, '-out', `${srv}.csr`);
    writeFileSync(`${srv}.ext`, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    const sign = ['-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '1'];
    openssl('x509', '-req', '-in', `${srv}.csr`, ...sign, '-extfile', `${srv}.ext`, '-out', `${srv}.pem`);
    const s = await start(['--tls', '--tlscert', `${srv}.pem`, '--tlskey', `${srv}.key`]);
    await tryConnect({ servers: `tls://127.0.0.1:${s.port}`, tls: { caFile: `${ca}.pem` } });
    // Without the CA the server certificate is not trusted.
    await expect(tryConnect({ servers: `tls://127.0.0.1:${s.port}`, tls: {} })).rejects.toMatchObject({
      code: 'VF_RUNTIME_CONNECT_FAILED',
    });
  });
});
