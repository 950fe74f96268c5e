import { Advisor, RandomSearch } from '@virnyflow/optimizer';
import { describeOptimizer } from '@virnyflow/optimizer/testing';

describeOptimizer('advisor, gp + ehvi', (a) => new Advisor({ ...a, surrogate: 'gp' }));
describeOptimizer('advisor, prf + ehvi', (a) => new Advisor({ ...a, surrogate: 'prf' }));
describeOptimizer(
  'advisor, gp + parego, constant liar',
  (a) => new Advisor({ ...a, surrogate: 'gp', acquisition: 'parego', pendingStrategy: 'constant_liar' }),
);
describeOptimizer('advisor, auto', (a) => new Advisor(a));
describeOptimizer('random search', (a) => new RandomSearch(a));
