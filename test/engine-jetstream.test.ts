/**
 * The engine's one code path over NATS JetStream: a coordinator (no evaluator of its own) and a separate
 * worker, each with its own connection to a real `nats-server -js` spawned by the harness, complete an
 * experiment with an exact budget; the dataset and the experiment context reach the worker through the
 * JetStream object store only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@virnyflow/core';
import { runExperiment, startWorker } from '@virnyflow/engine';
import { JetStreamTransport, NatsServer, hasNatsServer } from '@virnyflow/runtime';
import { openStore } from '@virnyflow/store';

const CONFIG = `
common_args:
  exp_config_name: 'js'
  run_nums: [1]
pipeline_args:
  dataset: 'demo'
  sensitive_attrs_for_intervention: ['sex']
  null_imputers: ['median-mode']
  fairness_interventions: []
  models: ['dt_clf', 'lr_clf']
optimisation_args:
  ref_point: [0.5, 0.5]
  objectives:
    - { name: 'objective_1', metric: 'F1', group: 'overall', weight: 0.5 }
    - { name: 'objective_2', metric: 'Equalized_Odds_FPR', group: 'sex&race', weight: 0.5 }
  max_total_pipelines_num: 6
  num_workers: 2
  num_pp_candidates: 2
  training_set_fractions_for_halting: [1.0]
virny_args:
  sensitive_attributes_dct: { 'sex': 'female', 'race': 'minority', 'sex&race': None }
`;

describe.skipIf(!hasNatsServer())(
  'engine over JetStream (coordinator and worker on separate connections)',
  () => {
    let server: NatsServer;
    const dir = mkdtempSync(join(tmpdir(), 'vf-engine-js-'));
    beforeAll(async () => {
      server = await NatsServer.start();
    });
    afterAll(async () => {
      await server?.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it('completes a run with the exact budget', async () => {
      const connect = (name: string): Promise<JetStreamTransport> =>
        JetStreamTransport.connect({ connection: { servers: server.url, name }, prefix: 'engine_js' });
      const coordinatorSide = await connect('coordinator');
      const workerSide = await connect('worker');
      const worker = await startWorker({ transport: workerSide, threads: 1, workerId: 'w1' });
      try {
        const summary = await runExperiment({
          config: loadConfig(CONFIG),
          storeDir: dir,
          threads: 0,
          transport: coordinatorSide,
        });
        expect(summary.runs[0]).toMatchObject({ status: 'completed', reason: 'budget' });
        // The worker counts a task once its observation is published, which may be just after the run closed.
        for (let i = 0; i < 50 && (await worker.stats()).completed < 6; i++)
          await new Promise((r) => setTimeout(r, 50));
        expect((await worker.stats()).completed).toBe(6);
      } finally {
        await worker.stop();
        await workerSide.close();
        await coordinatorSide.close();
      }
      const store = await openStore(dir);
      try {
        const obs = await store.listObservations({ experiment: 'js', run: 1 });
        expect(obs).toHaveLength(6);
        expect(new Set(obs.map((o) => o.taskId)).size).toBe(6);
        expect(obs.every((o) => o.status === 'ok' && o.worker === 'w1')).toBe(true);
      } finally {
        await store.close();
      }
    }, 120_000);
  },
);
