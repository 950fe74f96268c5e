/**
 * The synthetic `demo` dataset: a seeded, realistic loan-approval table so that the demo config runs on any
 * machine with no download.
 *
 * Generative story (per row, all draws from one seeded `Rng` in a fixed order, so a seed fixes every value):
 * sex and race are drawn first; education depends on race (a structural gap), occupation on education and
 * sex, hours on sex and occupation, income (log-normal) on education, hours, occupation, sex and race;
 * marital status on age, region on race, home ownership on age, income and race; debt ratio falls with
 * income; credit history grows with age. The approval logit uses the financial features plus direct group
 * penalties for women, for the minority and an extra one for minority women, so base rates differ by group
 * and most of all at the intersection. Finally ~3% of the cells of income, hours_per_week and occupation are
 * blanked completely at random.
 */
import { Rng } from '@virnyflow/core';
import { DEMO_DEFAULT_ROWS, DEMO_DEFAULT_SEED } from './datasets';
import { DataErrorCode, dataError } from './errors';
import { MISSING_CODE, Table, categoricalColumn, numericColumn } from './table';

export interface DemoOptions {
  /** Number of rows (default 5,000). */
  readonly rows?: number;
  /** Seed (default 42). */
  readonly seed?: number;
  /** Fraction of cells blanked in each of the missing-value columns (default 0.03). */
  readonly missingRate?: number;
}

export interface DemoData {
  /** Features and sensitive attributes (sex and race are features too, as in Virny's datasets). */
  readonly table: Table;
  /** (rows) 1 = approved. */
  readonly target: Uint8Array;
}

export const DEMO_CATEGORIES = {
  sex: ['male', 'female'],
  race: ['majority', 'minority'],
  occupation: ['professional', 'management', 'clerical', 'sales', 'service', 'manual'],
  marital_status: ['married', 'single', 'divorced', 'widowed'],
  region: ['north', 'south', 'east', 'west', 'central'],
  home_owner: ['no', 'yes'],
} as const;

export const DEMO_DEFAULT_MISSING_RATE = 0.03;

/** Columns that receive MCAR missing values. */
export const DEMO_MISSING_COLUMNS = ['income', 'hours_per_week', 'occupation'] as const;

// Occupation effects: [log-income shift, hours shift]; the index follows DEMO_CATEGORIES.occupation.
const OCC_INCOME = [0.35, 0.45, 0.0, 0.05, -0.25, -0.1];
const OCC_HOURS = [3, 6, -1, 1, -3, 2];

export function generateDemoData(options: DemoOptions = {}): DemoData {
  const n = options.rows ?? DEMO_DEFAULT_ROWS;
  const seed = options.seed ?? DEMO_DEFAULT_SEED;
  const missingRate = options.missingRate ?? DEMO_DEFAULT_MISSING_RATE;
  if (!Number.isInteger(n) || n < 1) {
    throw dataError(DataErrorCode.BadOption, `demo rows must be a positive integer, got ${n}`, { rows: n });
  }
  if (!(missingRate >= 0 && missingRate < 1)) {
    throw dataError(DataErrorCode.BadOption, `demo missingRate must be in [0, 1), got ${missingRate}`, {
      missingRate,
    });
  }
  const rng = new Rng(seed);
  const age = new Float64Array(n);
  const edu = new Float64Array(n);
  const hours = new Float64Array(n);
  const income = new Float64Array(n);
  const debt = new Float64Array(n);
  const history = new Float64Array(n);
  const sex = new Int32Array(n);
  const race = new Int32Array(n);
  const occ = new Int32Array(n);
  const marital = new Int32Array(n);
  const region = new Int32Array(n);
  const owner = new Int32Array(n);
  const target = new Uint8Array(n);
  const occScore = new Float64Array(6); // scratch: softmax scores over occupations

  for (let i = 0; i < n; i++) {
    const female = rng.next() < 0.5 ? 1 : 0;
    const minority = rng.next() < 0.3 ? 1 : 0;
    sex[i] = female;
    race[i] = minority;
    const a = clamp(Math.round(40 + 12 * rng.normal()), 18, 80);
    age[i] = a;
    const e = clamp(Math.round(13.5 + 2.5 * rng.normal() - 1.3 * minority), 6, 22);
    edu[i] = e;

    // Occupation: softmax of education/sex-dependent scores (temperature 1).
    const z = (e - 13.5) / 2.5;
    occScore[0] = 1.2 * z;
    occScore[1] = 0.9 * z - 0.3 * female;
    occScore[2] = 0.2 * z + 0.4 * female;
    occScore[3] = 0.1;
    occScore[4] = -0.6 * z + 0.3 * female;
    occScore[5] = -0.9 * z - 0.9 * female;
    occ[i] = softmaxDraw(occScore, rng);

    const h = clamp(
      Math.round(40 + 7 * rng.normal() - 4 * female + (OCC_HOURS[occ[i] as number] as number)),
      5,
      80,
    );
    hours[i] = h;
    const logInc =
      Math.log(38_000) +
      0.07 * (e - 13.5) +
      0.012 * (h - 40) +
      (OCC_INCOME[occ[i] as number] as number) +
      0.006 * (a - 40) -
      0.12 * female -
      0.1 * minority +
      0.35 * rng.normal();
    const inc = Math.round(Math.exp(logInc) / 100) * 100;
    income[i] = inc;

    // Marital status by age bracket.
    const u = rng.next();
    if (a < 30) marital[i] = u < 0.3 ? 0 : u < 0.95 ? 1 : 2;
    else if (a < 60) marital[i] = u < 0.6 ? 0 : u < 0.8 ? 1 : u < 0.97 ? 2 : 3;
    else marital[i] = u < 0.55 ? 0 : u < 0.65 ? 1 : u < 0.8 ? 2 : 3;

    // Region: the minority lives more often in the south and east.
    const r = rng.next();
    region[i] = minority
      ? r < 0.15
        ? 0
        : r < 0.45
          ? 1
          : r < 0.75
            ? 2
            : r < 0.85
              ? 3
              : 4
      : r < 0.25
        ? 0
        : r < 0.4
          ? 1
          : r < 0.55
            ? 2
            : r < 0.8
              ? 3
              : 4;

    const relInc = Math.log(inc / 38_000);
    owner[i] = rng.next() < sigmoid(-0.6 + 0.05 * (a - 40) + 1.1 * relInc - 0.5 * minority) ? 1 : 0;
    debt[i] = round3(clamp(0.36 - 0.1 * relInc + 0.12 * rng.normal(), 0, 1.2));
    history[i] = Math.max(0, Math.round((a - 18) * (0.5 + 0.4 * rng.next())));

    const logit =
      0.5 +
      1.3 * relInc +
      0.1 * (e - 13.5) -
      3.0 * ((debt[i] as number) - 0.36) +
      0.025 * ((history[i] as number) - 10) +
      0.35 * (owner[i] as number) -
      0.4 * female -
      0.55 * minority -
      0.4 * female * minority;
    target[i] = rng.next() < sigmoid(logit) ? 1 : 0;
  }

  // MCAR blanks, drawn after all values so that the complete data do not depend on the missing rate.
  if (missingRate > 0) {
    for (let i = 0; i < n; i++) {
      if (rng.next() < missingRate) income[i] = NaN;
      if (rng.next() < missingRate) hours[i] = NaN;
      if (rng.next() < missingRate) occ[i] = MISSING_CODE;
    }
  }

  const cat = (name: keyof typeof DEMO_CATEGORIES, codes: Int32Array) =>
    categoricalColumn(name, codes, DEMO_CATEGORIES[name], 'string');
  const table = new Table([
    numericColumn('age', age),
    numericColumn('education_years', edu),
    numericColumn('hours_per_week', hours),
    numericColumn('income', income),
    numericColumn('debt_ratio', debt),
    numericColumn('credit_history_years', history),
    cat('sex', sex),
    cat('race', race),
    cat('occupation', occ),
    cat('marital_status', marital),
    cat('region', region),
    cat('home_owner', owner),
  ]);
  return { table, target };
}

function softmaxDraw(scores: Float64Array, rng: Rng): number {
  let max = -Infinity;
  for (let k = 0; k < scores.length; k++) if ((scores[k] as number) > max) max = scores[k] as number;
  let total = 0;
  for (let k = 0; k < scores.length; k++) total += Math.exp((scores[k] as number) - max);
  let u = rng.next() * total;
  for (let k = 0; k < scores.length; k++) {
    u -= Math.exp((scores[k] as number) - max);
    if (u < 0) return k;
  }
  return scores.length - 1;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
