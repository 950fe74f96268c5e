/**
 * The built-in dataset registry: Virny's loaders (SPEC §9) as declarative specs, plus the synthetic `demo`.
 * Row counts and target balances in `expected` are those of the published files (SPEC §8.4, §9).
 */
import { DataErrorCode, dataError } from './errors';
import type { DatasetSpec } from './spec';

/** Virny's repository holds the public copies of these files; `datasets fetch` tries the URLs in order. */
const VIRNY_RAW = 'https://raw.githubusercontent.com/DataResponsibly/Virny/main';
const virnyData = (file: string): readonly string[] => [
  `${VIRNY_RAW}/virny/datasets/data/${file}`,
  `${VIRNY_RAW}/virny/datasets/${file}`,
];

const DIABETES: DatasetSpec = {
  name: 'diabetes',
  description:
    'Diabetes questionnaire, India 2019 (Tigga & Garg), 952 rows with missing values; target Diabetic ' +
    '(yes = 1). Rows with a missing target are dropped; withNulls=false drops every incomplete row (905 rows).',
  file: 'diabetes_dataset__2019.csv',
  urls: virnyData('diabetes_dataset__2019.csv'),
  delimiter: ',',
  rename: { Pregancies: 'Pregnancies' },
  target: { column: 'Diabetic', kind: 'mapping', mapping: { no: 0, yes: 1 }, trim: true },
  numericalColumns: ['BMI', 'Sleep', 'SoundSleep', 'Pregnancies'],
  categoricalColumns: [
    'Age',
    'Gender',
    'Family_Diabetes',
    'highBP',
    'PhysicallyActive',
    'Smoking',
    'Alcohol',
    'RegularMedicine',
    'JunkFood',
    'Stress',
    'BPLevel',
    'Pdiabetes',
    'UriationFreq',
  ],
  fixes: [
    { kind: 'replace', column: 'RegularMedicine', values: { o: 'no' } },
    { kind: 'normalize', column: 'BPLevel', trim: true, lower: true },
  ],
  sensitiveAttributes: { Gender: 'Female' },
  testSetFraction: 0.3,
  expected: { rows: 952 },
};

const HEART: DatasetSpec = {
  name: 'heart',
  description:
    'Cardiovascular disease (Kaggle, sulianova), 70,000 rows, `;`-separated; age converted from days to ' +
    'whole years; target cardio. gender 1 = women (45,530 rows).',
  file: 'cardio.csv',
  urls: virnyData('cardio.csv'),
  delimiter: ';',
  target: { column: 'cardio', kind: 'mapping', mapping: { '0': 0, '1': 1 } },
  numericalColumns: ['age', 'height', 'weight', 'ap_hi', 'ap_lo'],
  categoricalColumns: ['gender', 'cholesterol', 'gluc', 'smoke', 'alco', 'active'],
  defaultCategoricalType: 'int_string',
  dropColumns: ['id'],
  fixes: [{ kind: 'divide_trunc', column: 'age', divisor: 365 }],
  sensitiveAttributes: { gender: '1' },
  testSetFraction: 0.2,
  expected: { rows: 70_000 },
};

const FOLK_CATEGORICAL = [
  'MAR',
  'MIL',
  'ESP',
  'MIG',
  'DREM',
  'NATIVITY',
  'DIS',
  'DEAR',
  'DEYE',
  'SEX',
  'RAC1P',
  'RELP',
  'CIT',
  'ANC',
  'SCHL',
] as const;

const FOLK_EMP: DatasetSpec = {
  name: 'folk_emp',
  description:
    'ACS PUMS employment, New York 2018 (folktables ACSEmployment), 20,000 rows, integer-coded with nulls ' +
    'already mapped to 0; target ESR (1 = employed, 11,497 rows). Categorical codes are strings (`SEX: "2"`).',
  file: 'folk_employment_NY_2018.csv',
  urls: [`${VIRNY_RAW}/tests/files_for_tests/folk_employment_NY_2018.csv`],
  delimiter: ',',
  target: { column: 'ESR', kind: 'mapping', mapping: { '0': 0, '1': 1 } },
  numericalColumns: ['AGEP'],
  categoricalColumns: FOLK_CATEGORICAL,
  defaultCategoricalType: 'int_string',
  sensitiveAttributes: { SEX: '2', RAC1P: ['2', '3', '4', '5', '6', '7', '8', '9'], 'SEX&RAC1P': null },
  testSetFraction: 0.2,
  expected: { rows: 20_000, positives: 11_497 },
};

const GERMAN: DatasetSpec = {
  name: 'german',
  description:
    'Statlog German credit, 1,000 rows; long category texts shortened to codes as Virny does; target ' +
    'class-label (1 = good credit, 700 rows). VirnyFlow\'s own variant reads "no savings account" and ' +
    '"unknown / no property" as missing: pass them as columnMissingValues to get it.',
  file: 'german_data_credit.csv',
  urls: virnyData('german_data_credit.csv'),
  delimiter: ',',
  target: { column: 'class-label', kind: 'mapping', mapping: { '0': 0, '1': 1 } },
  numericalColumns: [
    'duration',
    'credit-amount',
    'installment-rate',
    'residence-since',
    'age',
    'existing-credits',
    'number-people-provide-maintenance-for',
  ],
  categoricalColumns: [
    'checking-account',
    'credit-history',
    'purpose',
    'savings-account',
    'employment-since',
    'other-debtors',
    'property',
    'other-installment',
    'housing',
    'job',
    'telephone',
    'foreign-worker',
    'sex',
    'marital-status',
  ],
  fixes: [
    {
      kind: 'replace',
      column: 'credit-history',
      values: {
        'critical account': '1',
        'existing credits paid back duly till now': '2',
        'delay in paying off': '3',
        'no credits taken': '4',
        'all credits at this bank paid back duly': '5',
      },
    },
    {
      kind: 'replace',
      column: 'property',
      values: {
        'real estate': '1',
        'savings agreement/life insurance': '2',
        'unknown / no property': '3',
        'car or other': '4',
      },
    },
    {
      kind: 'replace',
      column: 'job',
      values: {
        'skilled employee / official': '1',
        'unskilled - resident': '2',
        'management/ highly qualified employee': '3',
        'unemployed/ unskilled  - non-resident': '4',
      },
    },
  ],
  sensitiveAttributes: { sex: 'female', age: [19, 20, 21, 22, 23, 24, 25], 'sex&age': null },
  testSetFraction: 0.3,
  expected: { rows: 1_000, positives: 700 },
};

const COMPAS: DatasetSpec = {
  name: 'compas',
  description:
    'ProPublica COMPAS (Virny version), 5,278 rows; target recidivism. sex and the one-hot age/charge ' +
    'columns are integers (`sex: 1` matches 4,247 rows), race is text (African-American 3,175).',
  file: 'COMPAS.csv',
  urls: virnyData('COMPAS.csv'),
  delimiter: ',',
  target: { column: 'recidivism', kind: 'mapping', mapping: { '0': 0, '1': 1 } },
  numericalColumns: ['age', 'juv_fel_count', 'juv_misd_count', 'juv_other_count', 'priors_count'],
  categoricalColumns: [
    'race',
    'age_cat_25 - 45',
    'age_cat_Greater than 45',
    'age_cat_Less than 25',
    'c_charge_degree_F',
    'c_charge_degree_M',
    'sex',
  ],
  defaultCategoricalType: 'number',
  categoricalTypes: { race: 'string' },
  sensitiveAttributes: { sex: 1, race: 'African-American', 'sex&race': null },
  expected: { rows: 5_278 },
};

const LAW_SCHOOL: DatasetSpec = {
  name: 'law_school',
  description:
    'LSAC law school admissions (cleaned), 20,798 rows; target pass_bar. fulltime, fam_inc, male and tier ' +
    'are integer codes read as strings (`male: "0"`); race White / Non-White.',
  file: 'law_school_clean.csv',
  urls: virnyData('law_school_clean.csv'),
  delimiter: ',',
  target: { column: 'pass_bar', kind: 'mapping', mapping: { '0': 0, '1': 1 } },
  numericalColumns: ['decile1b', 'decile3', 'lsat', 'ugpa', 'zfygpa', 'zgpa'],
  categoricalColumns: ['fulltime', 'fam_inc', 'male', 'tier', 'race'],
  defaultCategoricalType: 'int_string',
  categoricalTypes: { race: 'string' },
  sensitiveAttributes: { male: '0', race: 'Non-White', 'male&race': null },
  testSetFraction: 0.2,
  expected: { rows: 20_798 },
};

const BANK_CATEGORICAL = ['job', 'marital', 'education', 'default', 'housing', 'loan', 'month'] as const;

const BANK: DatasetSpec = {
  name: 'bank',
  description:
    'UCI bank marketing (Virny version), 40,004 rows; duration (target leak), contact and poutcome dropped; ' +
    '"unknown" read as missing; target y (yes = 1, 4,667 rows). No sensitive attributes by default.',
  file: 'bank-full.csv',
  urls: virnyData('bank-full.csv'),
  delimiter: ',',
  target: { column: 'y', kind: 'mapping', mapping: { no: 0, yes: 1 } },
  numericalColumns: ['age', 'balance', 'day', 'campaign', 'pdays', 'previous'],
  categoricalColumns: BANK_CATEGORICAL,
  dropColumns: ['duration', 'contact', 'poutcome'],
  fixes: BANK_CATEGORICAL.map((column) => ({ kind: 'to_missing' as const, column, values: ['unknown'] })),
  sensitiveAttributes: {},
  testSetFraction: 0.2,
  expected: { rows: 40_004, positives: 4_667 },
};

export const DEMO_DEFAULT_ROWS = 5_000;
export const DEMO_DEFAULT_SEED = 42;

const DEMO: DatasetSpec = {
  name: 'demo',
  description:
    'Synthetic loan-approval data generated on the fly (no file): mixed numeric/categorical features, ' +
    'sensitive attributes sex (female disadvantaged) and race (minority disadvantaged) with a real ' +
    'base-rate gap and a lower rate still for minority women, correlated features and ~3% values missing ' +
    'completely at random in a few columns.',
  generator: { kind: 'demo', rows: DEMO_DEFAULT_ROWS, seed: DEMO_DEFAULT_SEED },
  target: { column: 'approved', kind: 'mapping', mapping: { '0': 0, '1': 1 } },
  numericalColumns: [
    'age',
    'education_years',
    'hours_per_week',
    'income',
    'debt_ratio',
    'credit_history_years',
  ],
  categoricalColumns: ['sex', 'race', 'occupation', 'marital_status', 'region', 'home_owner'],
  sensitiveAttributes: { sex: 'female', race: 'minority', 'sex&race': null },
  testSetFraction: 0.2,
};

const BUILT_IN: readonly DatasetSpec[] = [DIABETES, HEART, FOLK_EMP, GERMAN, COMPAS, LAW_SCHOOL, BANK, DEMO];
const BY_NAME = new Map(BUILT_IN.map((s) => [s.name, s]));

/** Names of the built-in datasets. */
export function datasetNames(): string[] {
  return BUILT_IN.map((s) => s.name);
}

/** All built-in specs, in registry order. */
export function listDatasetSpecs(): readonly DatasetSpec[] {
  return BUILT_IN;
}

/** The built-in spec of `name`; `VF_DATA_UNKNOWN_DATASET` listing the known names otherwise. */
export function getDatasetSpec(name: string): DatasetSpec {
  const spec = BY_NAME.get(name);
  if (!spec) {
    throw dataError(
      DataErrorCode.UnknownDataset,
      `unknown dataset '${name}'; known datasets: ${datasetNames().join(', ')}. For your own CSV, describe it ` +
        `under custom_datasets.${name} (path, target, numerical_columns, categorical_columns)`,
      { dataset: name, known: datasetNames() },
    );
  }
  return spec;
}
