/**
 * The conformance suite of the `Optimizer` port: every implementation runs it from its own test file,
 *   describeOptimizer('advisor gp/ehvi', (a) => new Advisor({ ...a, surrogate: 'gp' }));
 * It checks the contract written on the port (`../optimizer.ts`), including the NaN-objective case.
 * Imported through `@virnyflow/optimizer/testing` only, so runtime code never loads vitest.
 */
import type { Configuration, SearchSpace } from '@virnyflow/core';
import { categorical, constant, float, int, searchSpace, validateConfiguration } from '@virnyflow/core';
import { describe, expect, it } from 'vitest';
import { SpaceEncoding } from '../encoding';
import { OptimizerErrorCode } from '../errors';
import type { Optimizer } from '../optimizer';

export interface OptimizerFactoryArgs {
  space: SearchSpace;
  numObjectives: number;
  numConstraints: number;
  seed: number;
}

export type OptimizerFactory = (args: OptimizerFactoryArgs) => Optimizer;

/** A small mixed space with every parameter kind and a prefixed joint naming. */
export const conformanceSpace: SearchSpace = searchSpace([
  int('model__n_estimators', 50, 1000, { q: 50 }),
  float('model__learning_rate', 0.01, 1, { log: true }),
  float('fi__repair_level', 0.1, 1),
  categorical('model__max_depth', [10, 20, 30, null]),
  categorical('model__bootstrap', [true, false]),
  constant('model__scope', 'clf'),
]);

/** A deterministic two-objective test function on `conformanceSpace` (both minimised). */
function objectives(c: Configuration): number[] {
  const ne = (c['model__n_estimators'] as number) / 1000;
  const lr = Math.log10(c['model__learning_rate'] as number) / -2;
  const rl = c['fi__repair_level'] as number;
  const depthPenalty = c['model__max_depth'] === null ? 0.3 : 0;
  const boot = c['model__bootstrap'] === true ? 0 : 0.1;
  return [(ne - 0.3) ** 2 + (lr - 0.5) ** 2 + depthPenalty + boot, (rl - 0.7) ** 2 + ne * 0.5 + boot];
}

function keyOf(space: SearchSpace): (c: Configuration) => string {
  const enc = new SpaceEncoding(space);
  return (c) => enc.key(c);
}

export function describeOptimizer(name: string, make: OptimizerFactory): void {
  describe(`Optimizer conformance: ${name}`, () => {
    const key = keyOf(conformanceSpace);
    const base = { space: conformanceSpace, numObjectives: 2, numConstraints: 0, seed: 7 };

    it('suggests valid, pairwise distinct configurations and never repeats an observed or pending one', () => {
      const opt = make(base);
      const seen = new Set<string>();
      for (let round = 0; round < 4; round++) {
        const batch = opt.suggest(3);
        expect(batch).toHaveLength(3);
        for (const c of batch) {
          validateConfiguration(conformanceSpace, c);
          const k = key(c);
          expect(seen.has(k)).toBe(false);
          seen.add(k);
        }
        // Observe only the first two: the third stays pending across rounds.
        for (const c of batch.slice(0, 2)) opt.observe({ config: c, objectives: objectives(c) });
      }
      expect(opt.suggest(0)).toEqual([]);
    });

    it('treats NaN/±Infinity objectives as a failed trial and keeps going', () => {
      const opt = make(base);
      const first = opt.suggest(6);
      opt.observe({ config: first[0], objectives: [NaN, 1] });
      opt.observe({ config: first[1], objectives: [Infinity, 0.5] });
      opt.observe({ config: first[2], failed: true });
      for (const c of first.slice(3)) opt.observe({ config: c, objectives: objectives(c) });
      const failedKeys = new Set(first.slice(0, 3).map(key));
      for (let round = 0; round < 3; round++) {
        const batch = opt.suggest(2);
        expect(batch).toHaveLength(2);
        for (const c of batch) {
          validateConfiguration(conformanceSpace, c);
          expect(failedKeys.has(key(c))).toBe(false);
          opt.observe({ config: c, objectives: objectives(c) });
        }
      }
    });

    it('rejects observations of the wrong shape without changing state', () => {
      const opt = make({ ...base, numConstraints: 1 });
      const [c] = opt.suggest(1);
      expect(() => opt.observe({ config: c, objectives: [1], constraints: [0] })).toThrowError(
        expect.objectContaining({ code: OptimizerErrorCode.BadObservation }),
      );
      expect(() => opt.observe({ config: c, objectives: [1, 2] })).toThrowError(
        expect.objectContaining({ code: OptimizerErrorCode.BadObservation }),
      );
      expect(() =>
        opt.observe({ config: { ...c, model__max_depth: 40 }, objectives: [1, 2], constraints: [0] }),
      ).toThrowError(expect.objectContaining({ code: 'VF_SPACE_BAD_CONFIGURATION' }));
      // Still pending, so it is not suggested again; a correct observation is accepted.
      for (const d of opt.suggest(3)) expect(key(d)).not.toBe(key(c));
      opt.observe({ config: c, objectives: [1, 2], constraints: [-1] });
    });

    it('is deterministic for a seed', () => {
      const run = (): string[] => {
        const opt = make(base);
        const out: string[] = [];
        for (let round = 0; round < 4; round++) {
          const batch = opt.suggest(2);
          for (const c of batch) {
            out.push(key(c));
            opt.observe({ config: c, objectives: objectives(c) });
          }
        }
        return out;
      };
      expect(run()).toEqual(run());
    });

    it('returns fewer than k only when the space is exhausted', () => {
      const tiny = searchSpace([int('a', 0, 2), categorical('b', ['x', 'y'])]);
      const opt = make({ ...base, space: tiny });
      const tinyKey = keyOf(tiny);
      const all = new Set<string>();
      const first = opt.suggest(4);
      expect(first).toHaveLength(4);
      for (const c of first) {
        all.add(tinyKey(c));
        opt.observe({ config: c, objectives: [Number(c['a']), c['b'] === 'x' ? 1 : 0] });
      }
      const rest = opt.suggest(5);
      expect(rest).toHaveLength(2);
      for (const c of rest) all.add(tinyKey(c));
      expect(all.size).toBe(6);
      expect(opt.suggest(1)).toEqual([]);
    });
  });
}
