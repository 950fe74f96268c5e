import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, AckPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
const nc = await connect({ servers: process.argv[2] });
const jsm = await jetstreamManager(nc);
const js = jetstream(nc);
const P = 'EXP' + Date.now();
await jsm.streams.add({ name: P + '_TASKS', subjects: [P + '.tasks'], retention: RetentionPolicy.Workqueue, storage: StorageType.File, duplicate_window: 120e9 });
await jsm.streams.add({ name: P + '_DLQ', subjects: ['$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.' + P + '_TASKS.*'], storage: StorageType.File });
await jsm.consumers.add(P + '_TASKS', { durable_name: 'w', ack_policy: AckPolicy.Explicit, ack_wait: 500e6, max_deliver: 2, max_ack_pending: 10 });
const a = await js.publish(P + '.tasks', JSON.stringify({ id: 't1' }), { msgID: 't1' });
const b = await js.publish(P + '.tasks', JSON.stringify({ id: 't1' }), { msgID: 't1' });
console.log('pub', a, b);
await js.publish(P + '.tasks', 'term-me', { msgID: 't2' });
const c = await js.consumers.get(P + '_TASKS', 'w');
const t0 = Date.now();
for (let i = 0; i < 6; i++) {
  const m = await c.next({ expires: 2000 });
  if (!m) { console.log('null at', Date.now() - t0); continue; }
  console.log('got', m.string(), m.info.deliveryCount, Date.now() - t0);
  if (m.string() === 'term-me') m.term();
  else m.nak(200);
}
const si = await jsm.streams.info(P + '_TASKS');
console.log('tasks state', si.state.messages);
const di = await jsm.streams.info(P + '_DLQ');
console.log('dlq state', di.state.messages);
if (di.state.messages) { const sm = await jsm.streams.getMessage(P + '_DLQ', { seq: 1 }); console.log(sm.subject, sm.string()); }
const orig = await jsm.streams.getMessage(P + '_TASKS', { seq: 1 }); console.log('orig', orig.string(), orig.header?.get('Nats-Msg-Id'));
await nc.close();
