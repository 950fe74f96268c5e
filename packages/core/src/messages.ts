/**
 * Messages that cross a thread or process boundary between the scheduler and the evaluators: a task (one
 * physical pipeline to evaluate) and its observation (the result). Both are plain JSON data with a `version`
 * field and a zod schema; receivers parse with `parseTaskMessage` / `parseObservationMessage` and never trust
 * the shape of what arrives.
 *
 * Numbers: JSON has no NaN or ±Infinity. Objective vectors of an `ok` observation are finite by contract
 * (a pipeline whose objectives are not finite is reported as `failed`, SPEC §13.6); a metric value that is
 * not finite (an F1 with an empty denominator, a ratio over zero) travels as `null` — see `metricValue`.
 */
import { z } from 'zod';
import { VirnyFlowError } from './errors';
import { LossTransform } from './metric-catalog';

export const MESSAGE_VERSION = 1;

export const MessageErrorCode = {
  Invalid: 'VF_MESSAGE_INVALID',
  Version: 'VF_MESSAGE_VERSION',
} as const;
export type MessageErrorCode = (typeof MessageErrorCode)[keyof typeof MessageErrorCode];

export const ObservationStatus = { Ok: 'ok', Failed: 'failed' } as const;
export type ObservationStatus = (typeof ObservationStatus)[keyof typeof ObservationStatus];

export const MetricSplit = { Test: 'test', Train: 'train' } as const;
export type MetricSplit = (typeof MetricSplit)[keyof typeof MetricSplit];

const paramValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** A flat configuration of a logical pipeline's joint space (prefixed names, `null` for "None"). */
export const configurationSchema = z.record(z.string(), paramValueSchema);

export const constraintConfigSchema = z.object({
  op: z.enum(['>=', '<=']),
  threshold: z.number(),
  on: z.enum(['raw', 'abs']),
  text: z.string(),
});

/** The wire form of `ObjectiveConfig` (a test checks that both describe the same object). */
export const objectiveConfigSchema = z.object({
  name: z.string().min(1),
  metric: z.string().min(1),
  group: z.string().min(1),
  weight: z.number().gt(0).max(1),
  loss: z.enum([LossTransform.Reverse, LossTransform.Identity, LossTransform.Abs, LossTransform.ReverseAbs]),
  // readonly so that a resolved config's objectives can be put in a task as they are
  constraints: z.array(constraintConfigSchema).readonly(),
});

const componentsSchema = z.object({
  null_imputation: z.string().min(1),
  fairness_intervention: z.string().min(1),
  model: z.string().min(1),
});

/** One physical pipeline to evaluate. `taskId` is stable: redelivery and replays are deduplicated by it. */
export const taskMessageSchema = z.object({
  version: z.literal(MESSAGE_VERSION),
  taskId: z.string().min(1),
  /** `exp_config_name` of the experiment. */
  experiment: z.string().min(1),
  runNum: z.number().int().min(1),
  lpUuid: z.string().min(1),
  lpName: z.string().min(1),
  components: componentsSchema,
  /** Flat, prefixed hyper-parameters (`mvi__…`, `fi__…`, `model__…`). */
  configuration: configurationSchema,
  /** Seed of everything random in this evaluation (`100 + run_num` for the run-level steps). */
  seed: z.number().int(),
  objectives: z.array(objectiveConfigSchema).min(1).readonly(),
  /**
   * The run's best test compound quality known when the task was dispatched (the halting rule compares the
   * pipeline's train compound quality with it, SPEC §13.1); null while nothing has completed.
   */
  bestCompoundQuality: z.number().nullable(),
  /** 1 for the first delivery; incremented on every redelivery. */
  attempt: z.number().int().min(1),
  /**
   * Content hash (transport blob key) of the evaluation context shared by every task of an experiment:
   * sensitive attributes, computation mode, bootstrap settings, halting fractions, test fraction. Workers
   * fetch it once and cache it by this hash.
   */
  contextHash: z.string().min(1).optional(),
  /** Content hash (transport blob key) of the prepared dataset; workers fetch and cache it by this hash. */
  datasetHash: z.string().min(1).optional(),
});
export type TaskMessage = z.infer<typeof taskMessageSchema>;

/** One metric value in long format; `group` is `overall`, a `<key>_priv`/`<key>_dis` group, or a key for disparity metrics. */
export const metricRowSchema = z.object({
  metric: z.string().min(1),
  group: z.string().min(1),
  /** null when the value is NaN or infinite. */
  value: z.number().nullable(),
  split: z.enum([MetricSplit.Test, MetricSplit.Train]),
});
export type MetricRow = z.infer<typeof metricRowSchema>;

/** The `SerializedFailure` of the error that failed the evaluation. */
export const failureSchema = z.object({
  code: z.string().min(1),
  message: z.string(),
  retryable: z.boolean(),
  details: z.record(z.string(), z.unknown()),
});

/**
 * The result of one task. For `ok`: `objectives`, `weighted` and `reversed` have one finite entry per objective
 * (config order), `constraints` one violation per constraint string (config order; ≤ 0 is feasible) and
 * `compoundQuality` = Σ wᵢ·(1 − lossᵢ). For `failed`: `failure` is set and the vectors may be empty.
 */
export const observationMessageSchema = z
  .object({
    version: z.literal(MESSAGE_VERSION),
    taskId: z.string().min(1),
    experiment: z.string().min(1),
    runNum: z.number().int().min(1),
    lpUuid: z.string().min(1),
    lpName: z.string().min(1),
    configuration: configurationSchema,
    seed: z.number().int(),
    attempt: z.number().int().min(1),
    status: z.enum([ObservationStatus.Ok, ObservationStatus.Failed]),
    /** Raw losses lossᵢ (lower is better). */
    objectives: z.array(z.number()),
    /** wᵢ·lossᵢ: what the optimizer minimises. */
    weighted: z.array(z.number()),
    /** 1 − lossᵢ (higher is better). */
    reversed: z.array(z.number()),
    constraints: z.array(z.number()),
    compoundQuality: z.number().nullable(),
    /** The last training fraction evaluated (< 1 when halted early); null if it failed before the first. */
    haltingFraction: z.number().gt(0).max(1).nullable(),
    elapsedSeconds: z.number().min(0),
    workerId: z.string().min(1),
    failure: failureSchema.nullable(),
    metrics: z.array(metricRowSchema),
  })
  .superRefine((o, ctx) => {
    if (o.status === ObservationStatus.Ok) {
      if (o.failure !== null)
        ctx.addIssue({ code: 'custom', path: ['failure'], message: 'must be null when status is ok' });
      if (o.compoundQuality === null)
        ctx.addIssue({ code: 'custom', path: ['compoundQuality'], message: 'is required when status is ok' });
      if (o.objectives.length === 0)
        ctx.addIssue({
          code: 'custom',
          path: ['objectives'],
          message: 'must not be empty when status is ok',
        });
      if (o.weighted.length !== o.objectives.length || o.reversed.length !== o.objectives.length)
        ctx.addIssue({
          code: 'custom',
          path: ['weighted'],
          message: 'objectives, weighted and reversed must have the same length',
        });
    } else if (o.failure === null) {
      ctx.addIssue({ code: 'custom', path: ['failure'], message: 'is required when status is failed' });
    }
  });
export type ObservationMessage = z.infer<typeof observationMessageSchema>;

/** Encodes a metric value for the wire: finite numbers pass, NaN and ±Infinity become null. */
export function metricValue(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

export function parseTaskMessage(data: unknown): TaskMessage {
  return parseMessage('task', taskMessageSchema, data);
}

export function parseObservationMessage(data: unknown): ObservationMessage {
  return parseMessage('observation', observationMessageSchema, data);
}

function parseMessage<T>(kind: string, schema: z.ZodType<T>, data: unknown): T {
  const version = (data as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version !== MESSAGE_VERSION) {
    throw new VirnyFlowError(
      MessageErrorCode.Version,
      `${kind} message has version ${version}, this build reads version ${MESSAGE_VERSION}; run the same VirnyFlow-TS version on every node`,
      { details: { kind, version, expected: MESSAGE_VERSION } },
    );
  }
  const r = schema.safeParse(data);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    throw new VirnyFlowError(MessageErrorCode.Invalid, `invalid ${kind} message: ${problems.join('; ')}`, {
      details: { kind, problems },
    });
  }
  return r.data;
}
