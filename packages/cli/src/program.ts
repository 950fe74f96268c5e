/**
 * The `virnyflow` command. Every action returns its output as text (printed by `main`) or throws; errors are
 * mapped to exit codes in one place (`reportError`): 0 ok, 2 user error, 1 internal error.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError, formatConfigError } from '@virnyflow/core';
import { CliError, ExitCode, reportError } from './exit';
import { validateCommand } from './commands/validate';
import { datasetsDescribeCommand, datasetsFetchCommand, datasetsListCommand } from './commands/datasets';
import { profileCommand } from './commands/profile';

export const CliErrorCode = {
  BadFlag: 'VF_CLI_BAD_FLAG',
  NotImplemented: 'VF_CLI_NOT_AVAILABLE',
} as const;

export const DEMO_CONFIG = 'configs/demo.yaml';

export interface CliIo {
  out(text: string): void;
}

function positiveInt(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag} must be a positive integer`);
    return n;
  };
}

const formatOption = (choices: string[], def: string): Option =>
  new Option('--format <format>', 'output format').choices(choices).default(def);

export function buildProgram(io: CliIo): Command {
  const program = new Command('virnyflow')
    .description('Responsible ML pipeline search: accuracy, fairness, stability and uncertainty objectives')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('validate')
    .description(
      'check a config and its dataset; print the resolved config, logical pipelines and group sizes',
    )
    .argument('<config>', 'experiment config (VirnyFlow YAML)')
    .option('--data-dir <dir>', 'directory with the dataset files (default: $VIRNYFLOW_DATA_DIR)')
    .addOption(formatOption(['text', 'json'], 'text'))
    .action(async (config: string, o: { dataDir?: string; format: 'text' | 'json' }) => {
      io.out(await validateCommand(config, o));
    });

  const datasets = program.command('datasets').description('the dataset registry');
  datasets
    .command('list')
    .description('list the built-in datasets and whether their files are available')
    .option('--data-dir <dir>', 'data directory')
    .addOption(formatOption(['text', 'json'], 'text'))
    .action((o: { dataDir?: string; format: 'text' | 'json' }) => io.out(datasetsListCommand(o)));
  datasets
    .command('describe')
    .description('load a dataset and print its shape, target balance, missing values and groups')
    .argument('<name>', 'dataset name')
    .option('--data-dir <dir>', 'data directory')
    .addOption(formatOption(['text', 'json'], 'text'))
    .action(async (name: string, o: { dataDir?: string; format: 'text' | 'json' }) => {
      io.out(await datasetsDescribeCommand(name, o));
    });
  datasets
    .command('fetch')
    .description('download a dataset from its public source into the data directory')
    .argument('<name>', 'dataset name')
    .option(
      '--data-dir <dir>',
      'where to put the file (default: $VIRNYFLOW_DATA_DIR or ~/.cache/virnyflow/datasets)',
    )
    .option('--timeout <ms>', 'per-URL timeout in milliseconds', positiveInt('--timeout'))
    .action(async (name: string, o: { dataDir?: string; timeout?: number }) => {
      io.out(
        await datasetsFetchCommand(name, {
          ...(o.dataDir !== undefined ? { dataDir: o.dataDir } : {}),
          ...(o.timeout !== undefined ? { timeoutMs: o.timeout } : {}),
        }),
      );
    });

  program
    .command('profile')
    .description("compute Virny's metrics for predictions made elsewhere")
    .requiredOption('--labels <csv>', 'CSV of true labels (header row, one column)')
    .requiredOption(
      '--predictions <csv>',
      'CSV with one column per estimator: probability of the positive class',
    )
    .requiredOption('--sensitive <csv>', 'CSV of the sensitive-attribute columns, aligned row by row')
    .requiredOption('--groups <json|yaml|file>', 'sensitive_attributes_dct, inline or a file')
    .addOption(formatOption(['csv', 'json'], 'json'))
    .option('--out <file>', 'write the result to a file instead of stdout')
    .action(
      async (o: {
        labels: string;
        predictions: string;
        sensitive: string;
        groups: string;
        format: 'csv' | 'json';
        out?: string;
      }) => {
        const text = await profileCommand(o);
        if (o.out) {
          const { writeFile } = await import('node:fs/promises');
          await writeFile(o.out, text);
        } else io.out(text);
      },
    );

  program
    .command('start')
    .description(`run the main job on the embedded default (${DEMO_CONFIG})`)
    .argument('[config]', 'experiment config', DEMO_CONFIG)
    .option('--data-dir <dir>', 'data directory')
    .action(async (config: string, o: { dataDir?: string }) => {
      io.out(await validateCommand(config, o));
    });

  return program;
}

function formatKnownErrors(err: unknown): string | undefined {
  if (err instanceof ConfigError) return formatConfigError(err);
  return undefined;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const program = buildProgram(io);
  program.configureOutput({
    writeOut: (s) => io.out(s),
    writeErr: (s) => process.stderr.write(s),
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.Ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return ExitCode.Ok; // --help, --version
      return ExitCode.User; // commander already printed what was wrong
    }
    return reportError(err, [formatKnownErrors]);
  }
}

export { CliError };
