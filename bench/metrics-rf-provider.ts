/**
 * Model provider for `metrics.bench.ts`: builds the models package's `rf_clf` from a `ModelSpec`, in the
 * main thread and inside the bootstrap's worker threads.
 */
import { RandomForestClassifier } from '@virnyflow/models';
import type { Classifier, SerializedModel } from '@virnyflow/models';

export const modelProvider = {
  create(kind: string, params: Readonly<Record<string, unknown>>): Classifier {
    if (kind !== 'rf_clf') throw new Error(`this bench provider builds rf_clf only, got ${kind}`);
    return new RandomForestClassifier({ ...params });
  },
  fromJSON(json: SerializedModel): Classifier {
    return RandomForestClassifier.fromJSON(json);
  },
};
