/**
 * The `virnyflow` command. Every action returns its output as text (printed by `main`) or throws; errors are
 * mapped to exit codes in one place (`reportError`): 0 ok, 2 user error, 1 internal error.
 */
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError, formatConfigError } from '@virnyflow/core';
import { CliError, ExitCode, reportError } from './exit';
import { validateCommand } from './commands/validate';
import { datasetsDescribeCommand, datasetsFetchCommand, datasetsListCommand } from './commands/datasets';
import { profileCommand } from './commands/profile';
import { coordinatorCommand, renderSummary, runCommand, workerCommand } from './commands/run';
import type { CoordinatorFlags, NatsFlags, RunCommandOptions, WorkerFlags } from './commands/run';
import { exportCommand, predictCommand, reportCommand, statusCommand } from './commands/report';
import { workersCommand } from './commands/workers';
import type { WorkersAction, WorkersFlags } from './commands/workers';
import type { ReportFormat } from './commands/report';

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

function integer(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0)
      throw new InvalidArgumentError(`${flag} must be a non-negative integer`);
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

  const runOptions = (c: Command): Command =>
    c
      .option(
        '--store <dir|uri>',
        'store: a directory (embedded SQLite) or mongodb:// URI (default: .virnyflow/<experiment>)',
      )
      .option('--data-dir <dir>', 'directory with the dataset files (default: $VIRNYFLOW_DATA_DIR)')
      .option('--seed-offset <n>', 'added to every run seed (100 + run_num + n)', integer('--seed-offset'))
      .option(
        '--dataset-cache <dir>',
        'also write the prepared dataset here (a directory shared with the workers spares them the NATS ' +
          'transfer; default $VIRNYFLOW_DATASET_CACHE)',
      )
      .option(
        '--components <module...>',
        'modules exporting extra `components` (imputers, interventions, models); in a distributed run the ' +
          'path must exist on every worker',
      )
      .option('--quiet', 'no progress display');

  runOptions(
    program
      .command('run')
      .description('run an experiment in this process (resumes if it was interrupted)')
      .argument('<config>', 'experiment config (VirnyFlow YAML)')
      .option('--workers <n>', 'evaluator threads (default: the core count)', positiveInt('--workers')),
  ).action(async (config: string, o: RunCommandOptions) => {
    io.out(renderSummary(await runCommand(config, o)));
  });

  program
    .command('start')
    .description(`run the main job on the embedded default (${DEMO_CONFIG}) and print its report`)
    .argument('[config]', 'experiment config', DEMO_CONFIG)
    .option('--workers <n>', 'evaluator threads (default: the core count)', positiveInt('--workers'))
    .option('--store <dir|uri>', 'store (default: .virnyflow/<experiment>)')
    .option('--data-dir <dir>', 'data directory')
    .option('--quiet', 'no progress display')
    .action(async (config: string, o: RunCommandOptions) => {
      const summary = await runCommand(config, o);
      io.out(renderSummary(summary));
      if (!summary.stopped)
        io.out('\n' + (await reportCommand(config, { ...(o.store ? { store: o.store } : {}) })));
    });

  const natsOptions = (c: Command): Command =>
    c
      .option(
        '--nats <url>',
        'NATS server(s), comma-separated; user:password@ in the URL (default: $VIRNYFLOW_NATS or nats://127.0.0.1:4222)',
      )
      .option('--nats-creds <file>', 'NATS credentials file')
      .option('--nats-nkey <file>', 'file holding an NKey user seed')
      .option('--nats-token <token>', 'NATS token')
      .option('--nats-tls-ca <file>', 'CA bundle of the NATS server certificate')
      .option('--nats-tls-cert <file>', 'client certificate')
      .option('--nats-tls-key <file>', 'client key')
      .option(
        '--prefix <name>',
        'JetStream stream/bucket prefix shared by the coordinator and its workers',
        'virnyflow',
      );

  runOptions(
    natsOptions(
      program
        .command('coordinator')
        .description('run an experiment as the coordinator of workers joined through NATS JetStream')
        .argument('<config>', 'experiment config (VirnyFlow YAML)')
        .option(
          '--workers <n>',
          'evaluator threads in this process as well (default 0)',
          integer('--workers'),
        )
        .option(
          '--ack-wait <ms>',
          'redeliver a task whose worker went silent for this long (default 30000; workers heartbeat running tasks)',
          positiveInt('--ack-wait'),
        )
        .option(
          '--max-deliveries <n>',
          'deliveries of a task before it is recorded as failed (default 5)',
          positiveInt('--max-deliveries'),
        )
        .option(
          '--max-ack-pending <n>',
          'tasks held by all workers at once (default: the config queue_size)',
          positiveInt('--max-ack-pending'),
        ),
    ),
  ).action(async (config: string, o: RunCommandOptions & NatsFlags & CoordinatorFlags) => {
    io.out(renderSummary(await coordinatorCommand(config, o)));
  });

  natsOptions(
    program
      .command('worker')
      .description(
        'evaluate pipelines for any coordinator on the same NATS server (Ctrl+C drains: running pipelines finish, then it leaves)',
      )
      .option('--threads <n>', 'pipeline threads (default: the core count)', positiveInt('--threads'))
      .option('--name <id>', 'worker id (default: host-pid)')
      .option(
        '--heartbeat <ms>',
        'interval of heartbeats to the coordinator and for running tasks; keep it under a third of the ' +
          "coordinator's --ack-wait (default 5000)",
        positiveInt('--heartbeat'),
      )
      .option(
        '--dataset-cache <dir>',
        'keep fetched datasets here (they survive restarts; a directory the coordinator shares is read ' +
          'first; default $VIRNYFLOW_DATASET_CACHE)',
      )
      .option('--quiet', 'no start-up line'),
  ).action(async (o: NatsFlags & WorkerFlags) => {
    io.out(await workerCommand(o));
  });

  natsOptions(
    program
      .command('workers')
      .description(
        'list the workers joined to the NATS server, or ask them to drain (finish running pipelines, then ' +
          'leave) or stop (abandon them to other workers, then leave)',
      )
      .addArgument(new Argument('[action]', 'what to do').choices(['list', 'drain', 'stop']).default('list'))
      .option('--worker <id>', 'only this worker (default: every worker)')
      .option(
        '--wait <ms>',
        'how long to listen for heartbeats and goodbyes (default 6000)',
        positiveInt('--wait'),
      )
      .addOption(formatOption(['text', 'json'], 'text')),
  ).action(async (action: WorkersAction, o: WorkersFlags) => {
    io.out(await workersCommand(action, o));
  });

  program
    .command('status')
    .description('progress of a stored experiment')
    .argument('<experiment>', 'experiment name (exp_config_name) or its config file')
    .option('--store <dir|uri>', 'store (default: .virnyflow/<experiment>)')
    .addOption(formatOption(['text', 'json'], 'text'))
    .action(async (name: string, o: { store?: string; format: 'text' | 'json' }) => {
      io.out(await statusCommand(name, o));
    });

  program
    .command('report')
    .description('logical pipelines, best pipelines with their metrics per group, Pareto front, observations')
    .argument('<experiment>', 'experiment name (exp_config_name) or its config file')
    .option('--store <dir|uri>', 'store (default: .virnyflow/<experiment>)')
    .option('--run <n>', 'one run only', positiveInt('--run'))
    .addOption(formatOption(['text', 'json', 'csv'], 'text'))
    .action(async (name: string, o: { store?: string; run?: number; format: ReportFormat }) => {
      io.out(await reportCommand(name, o));
    });

  program
    .command('export')
    .description('the best pipeline (preprocessing, imputer, intervention, model) as one JSON artifact')
    .argument('<experiment>', 'experiment name (exp_config_name) or its config file')
    .option('--store <dir|uri>', 'store (default: .virnyflow/<experiment>)')
    .option('--run <n>', 'run number (default: the first)', positiveInt('--run'))
    .addOption(
      new Option('--by <rule>', 'which pipeline').choices(['compound', 'pareto-index']).default('compound'),
    )
    .option('--index <i>', 'entry of the Pareto front with --by pareto-index', integer('--index'))
    .option('--data-dir <dir>', 'data directory (the pipeline is refitted on the training split)')
    .option('--out <file>', 'write the artifact to a file')
    .action(
      async (
        name: string,
        o: {
          store?: string;
          run?: number;
          by: 'compound' | 'pareto-index';
          index?: number;
          out?: string;
          dataDir?: string;
        },
      ) => {
        io.out(await exportCommand(name, o));
      },
    );

  program
    .command('predict')
    .description('probabilities and labels for new rows with an exported pipeline')
    .argument('<artifact>', 'artifact file from virnyflow export')
    .argument('<csv>', 'CSV with the feature (and sensitive-attribute) columns')
    .addOption(formatOption(['csv', 'json'], 'csv'))
    .option('--out <file>', 'write to a file')
    .action(async (artifact: string, csv: string, o: { format: 'csv' | 'json'; out?: string }) => {
      io.out(await predictCommand(artifact, csv, o));
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
    // `pnpm start -- --workers 2` hands the script a literal `--` (after the subcommand the root script
    // adds); it separates pnpm's flags from ours, so it is dropped once.
    const args = [...argv];
    const sep = args.indexOf('--');
    if (sep !== -1 && sep <= 1) args.splice(sep, 1);
    await program.parseAsync(args, { from: 'user' });
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
