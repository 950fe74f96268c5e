import * as vitest from 'vitest';
import { describe, expect, it } from 'vitest';
import { InProcessTransport, describeTransportConformance } from '@virnyflow/runtime';

describeTransportConformance(
  'in-process',
  ({ settings }) => Promise.resolve(new InProcessTransport(settings)),
  vitest,
);

describe('InProcessTransport', () => {
  it('rejects invalid settings with VF_RUNTIME_INVALID_OPTION', () => {
    expect(() => new InProcessTransport({ maxDeliveries: 0 })).toThrow(
      expect.objectContaining({ code: 'VF_RUNTIME_INVALID_OPTION' }),
    );
    expect(() => new InProcessTransport({ ackWaitMs: Number.NaN })).toThrow(
      expect.objectContaining({ code: 'VF_RUNTIME_INVALID_OPTION' }),
    );
  });

  it('does not share payload objects between publisher and consumer', async () => {
    const t = new InProcessTransport();
    const payload = { list: [1, 2, 3] };
    await t.publishTask({ id: 'a', payload });
    payload.list.push(4); // mutation after publish must not leak into the queued message
    const got = await new Promise<unknown>((resolve) => {
      const c = t.consumeTasks(async (d) => {
        await d.ack();
        resolve(d.payload);
        void c.stop();
      });
    });
    expect(got).toEqual({ list: [1, 2, 3] });
    await t.close();
  });
});
