import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { NatsServer, findNatsServer } from '@virnyflow/runtime';
import { existsSync } from 'node:fs';

describe('NatsServer test harness', () => {
  const started: NatsServer[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.cleanup()));
  });

  it('starts on a server-chosen port read from the ports file, and cleans up its directory', async () => {
    const s = await NatsServer.start();
    started.push(s);
    expect(s.port).toBeGreaterThan(0);
    expect(s.url).toBe(`nats://127.0.0.1:${s.port}`);
    const nc = await connect({ servers: s.url });
    expect(nc.info?.jetstream).toBe(true);
    await nc.close();
    await s.cleanup();
    expect(s.running).toBe(false);
    expect(existsSync(s.dir)).toBe(false);
  });

  it('two servers run side by side on different ports', async () => {
    const [a, b] = await Promise.all([NatsServer.start(), NatsServer.start()]);
    started.push(a, b);
    expect(a.port).not.toBe(b.port);
  });

  it('restart() after kill -9 comes back on the same port with the same store', async () => {
    const s = await NatsServer.start();
    started.push(s);
    const port = s.port;
    const pid = s.pid;
    await s.kill();
    expect(s.running).toBe(false);
    await s.restart();
    expect(s.running).toBe(true);
    expect(s.port).toBe(port);
    expect(s.pid).not.toBe(pid);
    const nc = await connect({ servers: s.url });
    await nc.close();
  });

  it('stop() is graceful and signal() reaches the process', async () => {
    const s = await NatsServer.start();
    started.push(s);
    s.signal('SIGSTOP');
    s.signal('SIGCONT');
    const nc = await connect({ servers: s.url });
    await nc.close();
    await s.stop();
    expect(s.running).toBe(false);
  });

  it('a missing binary is a clear VF_RUNTIME_NATS_SERVER_MISSING error', async () => {
    expect(() => findNatsServer('/nonexistent/nats-server')).toThrow(
      expect.objectContaining({ code: 'VF_RUNTIME_NATS_SERVER_MISSING' }),
    );
    await expect(NatsServer.start({ binary: '/nonexistent/nats-server' })).rejects.toMatchObject({
      code: 'VF_RUNTIME_NATS_SERVER_MISSING',
    });
  });

  it('a server that cannot start reports VF_RUNTIME_NATS_SERVER_FAILED with its output', async () => {
    await expect(NatsServer.start({ args: ['--no-such-flag'] })).rejects.toMatchObject({
      code: 'VF_RUNTIME_NATS_SERVER_FAILED',
    });
  });
});
