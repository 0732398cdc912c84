import { Command, CommanderError } from 'commander';
import { CliContext, CliFailure, exitCodes } from './cli-context';
import { registerCertCommands } from './commands/cert';
import { registerFolderSetCommands } from './commands/folder-sets';
import { registerHostKeyCommands } from './commands/hostkeys';
import { registerKeyCommands } from './commands/keys';
import { registerNoticesCommands } from './commands/notices';
import { registerSessionsCommands } from './commands/sessions';
import { registerSettingsCommands } from './commands/settings';
import { registerStatusCommand } from './commands/status';
import { registerUserCommands } from './commands/users';

/** `tessera`: the operator's command line. Every command is a request to a service over NATS. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('tessera')
    .description(
      'Administer Tessera over NATS (NATS_URL, NATS_USER/NATS_PASSWORD or NATS_CREDS_FILE, TESSERA_BUS_PREFIX)',
    )
    .option('--json', 'print results as JSON')
    .hook('preAction', (cmd) => {
      ctx.json = Boolean(cmd.opts().json);
    })
    .exitOverride()
    .showHelpAfterError();
  registerStatusCommand(program, ctx);
  registerUserCommands(program, ctx);
  registerKeyCommands(program, ctx);
  registerFolderSetCommands(program, ctx);
  registerCertCommands(program, ctx);
  registerHostKeyCommands(program, ctx);
  registerSettingsCommands(program, ctx);
  registerSessionsCommands(program, ctx);
  registerNoticesCommands(program, ctx);
  return program;
}

/** Runs one command line and returns the exit code (bin/tessera.js exits with it). */
export async function run(argv: string[]): Promise<number> {
  const ctx = new CliContext();
  try {
    await buildProgram(ctx).parseAsync(argv);
    return exitCodes.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    if (err instanceof CliFailure) {
      process.stderr.write(`tessera: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`tessera: ${err instanceof Error ? err.message : String(err)}\n`);
    return exitCodes.refused;
  } finally {
    await ctx.close();
  }
}
