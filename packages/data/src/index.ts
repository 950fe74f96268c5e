export { Table, MISSING_CODE, DataErrorCode } from './table';
export type { Column, NumericColumn, CategoricalColumn } from './table';
