import * as vitest from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JetStreamTransport, NatsServer, describeTransportConformance } from '@virnyflow/runtime';

let server: NatsServer;
beforeAll(async () => {
  server = await NatsServer.start();
});
afterAll(async () => {
  await server?.cleanup();
});

describeTransportConformance(
  'jetstream',
  ({ id, settings }) =>
    JetStreamTransport.connect({
      ...settings,
      prefix: id,
      connection: { servers: server.url },
      pullExpiresMs: 1_000,
    }),
  vitest,
);

describe('JetStreamTransport', () => {
  it('creates its streams with the documented settings', async () => {
    const t = await JetStreamTransport.connect({
      prefix: 'settings_check',
      connection: { servers: server.url },
      ackWaitMs: 45_000,
      maxDeliveries: 4,
      maxAckPending: 12,
      duplicateWindowMs: 90_000,
    });
    try {
      const { jetstreamManager } = await import('@nats-io/jetstream');
      const { connect } = await import('@nats-io/transport-node');
      const nc = await connect({ servers: server.url });
      const jsm = await jetstreamManager(nc);
      const tasks = await jsm.streams.info(t.names.tasksStream);
      expect(tasks.config.retention).toBe('workqueue');
      expect(tasks.config.storage).toBe('file');
      expect(tasks.config.duplicate_window).toBe(90_000 * 1e6);
      const c = await jsm.consumers.info(t.names.tasksStream, t.names.tasksConsumer);
      expect(c.config.ack_policy).toBe('explicit');
      expect(c.config.ack_wait).toBe(45_000 * 1e6);
      expect(c.config.max_deliver).toBe(4);
      expect(c.config.max_ack_pending).toBe(12);
      const obs = await jsm.streams.info(t.names.observationsStream);
      expect(obs.config.retention).toBe('limits');
      // Connecting again with a changed setting updates the consumer in place.
      const t2 = await JetStreamTransport.connect({
        prefix: 'settings_check',
        connection: { servers: server.url },
        ackWaitMs: 45_000,
        maxDeliveries: 4,
        maxAckPending: 20,
        duplicateWindowMs: 90_000,
      });
      await t2.close();
      const c2 = await jsm.consumers.info(t.names.tasksStream, t.names.tasksConsumer);
      expect(c2.config.max_ack_pending).toBe(20);
      // A worker (updateSettings: false) with its own defaults leaves the coordinator's settings alone.
      const member = await JetStreamTransport.connect({
        prefix: 'settings_check',
        connection: { servers: server.url },
        updateSettings: false,
      });
      await member.close();
      const c3 = await jsm.consumers.info(t.names.tasksStream, t.names.tasksConsumer);
      expect(c3.config.ack_wait).toBe(45_000 * 1e6);
      expect(c3.config.max_deliver).toBe(4);
      expect(c3.config.max_ack_pending).toBe(20);
      await nc.close();
    } finally {
      await t.destroy();
      await t.close();
    }
  });

  it('fails fast with VF_RUNTIME_CONNECT_FAILED when nothing listens', async () => {
    const dead = await NatsServer.start();
    const url = dead.url;
    await dead.cleanup();
    await expect(
      JetStreamTransport.connect({ prefix: 'nobody', connection: { servers: url, connectTimeoutMs: 2_000 } }),
    ).rejects.toMatchObject({ code: 'VF_RUNTIME_CONNECT_FAILED', retryable: true });
  });

  it('rejects a prefix that cannot name a stream', async () => {
    await expect(
      JetStreamTransport.connect({ prefix: 'has.dot', connection: { servers: server.url } }),
    ).rejects.toMatchObject({ code: 'VF_RUNTIME_INVALID_OPTION' });
  });
});
