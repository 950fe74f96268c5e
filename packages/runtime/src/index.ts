export { RuntimeErrorCode } from './errors';
export { EventHub } from './event-hub';

export { ActorState, StopMode, SupervisionDirective } from './actor';
export type {
  ActorContext,
  ActorEvent,
  ActorRef,
  AskOptions,
  Behavior,
  BehaviorFactory,
  EscalationInfo,
  SpawnOptions,
  StopOptions,
  SupervisionStrategy,
} from './actor';
export { ActorSystem } from './actor-system';
export type { ActorSystemOptions } from './actor-system';

export type {
  BlobInfo,
  ConsumeOptions,
  Consumption,
  ControlMessage,
  ControlMessageType,
  ControlSubscribeOptions,
  DeadLetter,
  Delivery,
  DeliveryHandler,
  PublishReceipt,
  ResolvedTransportSettings,
  Transport,
  TransportEvent,
  TransportMessage,
  TransportSettings,
} from './transport';
export {
  WIRE_VERSION,
  EnvelopeSchema,
  ControlMessageSchema,
  resolveTransportSettings,
  sha256Hex,
} from './wire';
export type { Envelope, WireSchema } from './wire';
export { InProcessTransport } from './in-process-transport';
export type { InProcessTransportOptions } from './in-process-transport';
export {
  JetStreamTransport,
  jetStreamNames,
  jetStreamPrefix,
  resolveJetStreamTransportOptions,
} from './jetstream-transport';
export type {
  JetStreamNames,
  JetStreamTransportOptions,
  ResolvedJetStreamTransportOptions,
} from './jetstream-transport';
export { resolveNatsConnection } from './nats-connection';
export type { NatsConnectionOptions, NatsReconnectOptions, NatsTlsOptions } from './nats-connection';

export { ThreadPool, ThreadPoolState } from './thread-pool';
export type { ThreadPoolOptions, ThreadPoolStats, ThreadRunOptions } from './thread-pool';
export {
  defineThreadTask,
  isThreadFailure,
  moveBuffer,
  THREAD_FAILURE_KEY,
  THREAD_WARMUP_KEY,
} from './thread-task';
export type { ThreadFailureResult } from './thread-task';

// Testing support: no test-runner import happens at load time (see transport-conformance.ts).
export { describeTransportConformance } from './testing/transport-conformance';
export type { TransportFactory, TransportFactoryContext, VitestApi } from './testing/transport-conformance';
export { NatsServer, findNatsServer, hasNatsServer } from './testing/nats-server';
export type { NatsServerOptions } from './testing/nats-server';
