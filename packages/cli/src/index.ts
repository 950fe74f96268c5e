export { buildProgram, runCli, CliErrorCode, DEMO_CONFIG } from './program';
export type { CliIo } from './program';
export { ExitCode, CliError, reportError } from './exit';
export {
  validateCommand,
  loadAndCheckDataset,
  summarizeDataset,
  renderDatasetSummary,
  ValidationErrorCode,
} from './commands/validate';
export type { DatasetSummary, GroupSizes, ValidateOptions } from './commands/validate';
