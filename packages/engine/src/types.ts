/** Progress, events and summaries the engine reports (plain data, for the CLI and logs). */

/** Progress of one run, reported after every recorded observation and on every tick. */
export interface RunProgress {
  readonly experiment: string;
  readonly run: number;
  readonly seed: number;
  readonly state: 'running' | 'stopping' | 'finished';
  /** Observations recorded (ok + failed): the budget counter. */
  readonly completed: number;
  readonly failed: number;
  readonly tasksCreated: number;
  /** Tasks queued or running. */
  readonly inFlight: number;
  /** `max_total_pipelines_num`, or every logical pipeline's `max_trials` summed. */
  readonly budget: number;
  readonly bestCompoundQuality: number | null;
  readonly bestTaskId: string | null;
  /** Size of the Pareto front of the feasible ok observations (weighted objectives, minimised). */
  readonly paretoSize: number;
  /** Active time of the run, accumulated across restarts (`max_time_budget` is checked against it). */
  readonly activeSeconds: number;
  /** Observations per minute in this session. */
  readonly ratePerMinute: number;
  readonly etaSeconds: number | null;
  /** Workers connected to the coordinator now and their pipeline threads (null: not all said). */
  readonly workers?: { readonly connected: number; readonly threads: number | null };
}

/** Things worth a log line. */
export type EngineEvent =
  | {
      readonly type: 'run-start';
      readonly experiment: string;
      readonly run: number;
      readonly resumed: boolean;
    }
  | { readonly type: 'run-skip'; readonly experiment: string; readonly run: number; readonly status: string }
  | { readonly type: 'run-end'; readonly experiment: string; readonly run: number; readonly reason: string }
  | { readonly type: 'republish'; readonly experiment: string; readonly run: number; readonly tasks: number }
  | {
      readonly type: 'space-exhausted';
      readonly experiment: string;
      readonly run: number;
      readonly lp: string;
    }
  | {
      readonly type: 'time-budget';
      readonly experiment: string;
      readonly run: number;
      readonly seconds: number;
    }
  | {
      readonly type: 'pipeline-failed';
      readonly taskId: string;
      readonly lp: string;
      readonly code: string;
      readonly message: string;
    }
  | {
      readonly type: 'stray-observation';
      readonly taskId: string;
      readonly experiment: string;
      readonly run: number;
    }
  | { readonly type: 'invalid-message'; readonly channel: string; readonly message: string }
  | { readonly type: 'task-retry'; readonly taskId: string; readonly attempt: number; readonly code: string }
  | {
      readonly type: 'worker-joined';
      readonly workerId: string;
      readonly host: string | null;
      readonly threads: number | null;
    }
  | { readonly type: 'worker-left'; readonly workerId: string; readonly reason: 'goodbye' | 'silent' }
  | {
      readonly type: 'actor-failure';
      readonly actor: string;
      readonly code: string;
      readonly message: string;
    };
