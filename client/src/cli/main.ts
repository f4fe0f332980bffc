// The `peregrine` command: parses the command line with Node's own parser (node:util parseArgs,
// so the package keeps no runtime dependency), finds the command, runs it on the SDK and returns
// the exit code: 0 done, 1 the API refused or failed (its code and field printed), 2 a usage or
// configuration error, 3 a waited or followed execution ended in another state than SUCCESS.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { Peregrine } from "../index.ts";
import { type Env, maskKey, requireSettings, resolveConfig, UsageError, writeConfig } from "./config.ts";
import { type Command, type Context, OPTIONS, type Options } from "./context.ts";
import {
  executionsControl,
  executionsGet,
  executionsList,
  executionsResume,
  executionsStart,
  logs,
} from "./executions.ts";
import { flowsApply, flowsGet, flowsList, flowsValidate } from "./flows.ts";
import { EXIT, type Format, type Io, Printer } from "./output.ts";
import { taskRunsGet, taskRunsSearch } from "./taskruns.ts";

const COMMANDS: Record<string, Command> = {
  "flows list": flowsList,
  "flows get": flowsGet,
  "flows validate": flowsValidate,
  "flows apply": flowsApply,
  "executions start": executionsStart,
  run: executionsStart,
  "executions list": executionsList,
  "executions get": executionsGet,
  "executions show": executionsGet,
  "executions kill": executionsControl("kill"),
  "executions restart": executionsControl("restart"),
  "executions replay": executionsControl("replay"),
  "executions resume": executionsResume,
  "executions logs": logs,
  logs,
  "taskruns search": taskRunsSearch,
  "taskruns list": taskRunsSearch,
  "taskruns get": taskRunsGet,
  "taskruns show": taskRunsGet,
};

export const HELP = `peregrine: flows, executions, logs and task runs of a Peregrine server

Usage: peregrine <command> [arguments] [options]

  login [--url URL] [--tenant T]        save URL, tenant and key (from PEREGRINE_API_KEY or stdin) to the config file (0600)
  config                                where the settings come from
  flows list [--namespace ns] [--q text]
  flows get <namespace> <id>            the flow's YAML source
  flows validate <file|dir>...          violations as file:line:col
  flows apply <file|dir>...             validate everything, then save each flow
  executions start <ns> <flowId> [--input k=v] [--input k=@file] [--label k=v] [--wait] [--follow]
  run <ns> <flowId> ...                 the same as executions start
  executions list [--namespace ns] [--flow id] [--state S]... [--label k=v]...
  executions get|show <id>              the execution and its task runs as a tree
  executions kill|restart|resume <id>   (resume takes --input)
  executions replay <id> [--task-run id]
  logs <executionId> [--follow] [--level L] [--task id]
  taskruns search [--namespace --flow --execution --task --state --value --parent --label --start --end
                   --trigger-execution] [--sort duration[:asc|desc]] [--size n] [--page n]
  taskruns get <taskRunId> [--execution id]
  taskruns get <executionId> <taskId> [--value v | --iteration n]

Options: --json (or --output json) for JSON on stdout; --url and --tenant override the settings.
Settings: PEREGRINE_URL, PEREGRINE_TENANT, PEREGRINE_API_KEY, else the file of \`peregrine login\`
($PEREGRINE_CONFIG, else ~/.config/peregrine/config.json).
Exit codes: 0 done, 1 the API refused (code and field printed), 2 usage or configuration,
3 a waited or followed execution did not end in SUCCESS.
`;

export interface MainIo extends Io {
  /** The key for `login` when PEREGRINE_API_KEY is not set. */
  readStdin(): Promise<string>;
}

function formatOf(options: Options): Format {
  if (options.json) return "json";
  const o = options.output ?? "table";
  if (o !== "table" && o !== "json") throw new UsageError(`--output must be table or json, got '${o}'`);
  return o;
}

function overridden(env: Env, options: Options): Env {
  return {
    ...env,
    ...(options.url ? { PEREGRINE_URL: options.url } : {}),
    ...(options.tenant ? { PEREGRINE_TENANT: options.tenant } : {}),
  };
}

async function login(io: MainIo, options: Options, out: Printer): Promise<number> {
  const env = overridden(io.env, options);
  const resolved = resolveConfig(env);
  const apiKey = env.PEREGRINE_API_KEY || (await io.readStdin()).trim();
  const settings = requireSettings({ ...resolved, settings: { ...resolved.settings, apiKey } });
  // Proves the three together before saving them: a wrong key or tenant fails here, not later.
  await new Peregrine(settings).flows.search({ size: 1 });
  writeConfig(resolved.file, settings);
  out.result({ file: resolved.file, url: settings.url, tenant: settings.tenant }, () =>
    out.line(`saved ${settings.url} tenant ${settings.tenant} to ${resolved.file} (mode 0600)`),
  );
  return EXIT.ok;
}

function showConfig(io: Io, options: Options, out: Printer): number {
  const { settings, sources, file } = resolveConfig(overridden(io.env, options));
  const shown = {
    file,
    url: settings.url,
    tenant: settings.tenant ?? null,
    apiKey: settings.apiKey ? maskKey(settings.apiKey) : null,
    sources,
  };
  out.result(shown, () =>
    out.table(
      ["SETTING", "VALUE", "FROM"],
      [
        ["url", shown.url ?? "", sources.url ?? ""],
        ["tenant", shown.tenant ?? "(none)", sources.tenant ?? ""],
        ["apiKey", shown.apiKey ?? "(none)", sources.apiKey ?? ""],
        ["file", file, ""],
      ],
    ),
  );
  return EXIT.ok;
}

export async function main(argv: string[], io: MainIo): Promise<number> {
  let out = new Printer(io, "table");
  try {
    let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
    try {
      parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e));
    }
    const options: Options = parsed.values;
    out = new Printer(io, formatOf(options));
    const words = parsed.positionals;
    if (options.help || words.length === 0) {
      io.stdout.write(HELP);
      return words.length === 0 && !options.help ? EXIT.usage : EXIT.ok;
    }
    if (words[0] === "login") return await login(io, options, out);
    if (words[0] === "config") return showConfig(io, options, out);
    const two = `${words[0]} ${words[1] ?? ""}`;
    const [command, rest] = COMMANDS[two]
      ? [COMMANDS[two], words.slice(2)]
      : [COMMANDS[words[0] ?? ""], words.slice(1)];
    if (!command) throw new UsageError(`unknown command '${words.join(" ")}'; see peregrine --help`);
    const settings = requireSettings(resolveConfig(overridden(io.env, options)));
    const ctx: Context = {
      p: new Peregrine(settings),
      out,
      options,
      args: rest,
      readFile: (file) => readFile(file),
    };
    return await command(ctx);
  } catch (error) {
    return out.failure(error);
  }
}
