import type { Command } from 'commander';
import {
  settingFromText,
  settingMeanings,
  settingNames,
  settingsGet,
  settingsUpdate,
  settingText,
  type SettingName,
  type Settings,
} from '@tessera/contracts';
import { CliFailure, exitCodes, operator, table, type CliContext } from '../cli-context';

function settingName(text: string): SettingName {
  if (!(settingNames as readonly string[]).includes(text)) {
    throw new CliFailure(
      `NAME: no setting named ${text}; \`tessera settings show\` lists them`,
      exitCodes.usage,
    );
  }
  return text as SettingName;
}

/** The value as the operator typed it, read as the setting's type ("2223", "false", "none"). */
function settingValue(name: SettingName, text: string): Settings[SettingName] {
  const read = settingFromText(name, text);
  if (!read.success) {
    const expected = read.error.issues.map((i) => i.message.replace(/^Invalid input: /, ''));
    throw new CliFailure(`${name}: expected ${expected.join('; ')}, got ${text}`, exitCodes.usage);
  }
  return read.data;
}

function settingsTable(settings: Settings): string {
  return table(
    ['SETTING', 'VALUE', 'MEANING'],
    settingNames.map((n) => [n, settingText(settings[n]), settingMeanings[n]]),
  );
}

export function registerSettingsCommands(program: Command, ctx: CliContext): void {
  const settings = program
    .command('settings')
    .description('run-time settings: doors on and off, ports, limits, lockouts; applied live');

  settings
    .command('show')
    .description('every setting and its value')
    .action(async () => {
      const { settings: values } = await ctx.call(settingsGet, {});
      ctx.result(values, () => settingsTable(values));
    });

  settings
    .command('set <name> <value>')
    .description('change one setting (true/false, a number, a range such as 50000-50100, none)')
    .action(async (nameText: string, valueText: string) => {
      const name = settingName(nameText);
      const value = settingValue(name, valueText);
      const { settings: values, changed } = await ctx.call(
        settingsUpdate,
        { changes: { [name]: value }, requestedBy: operator() },
        { changes: 'VALUE' },
      );
      ctx.result({ name, value: values[name], changed: changed.includes(name) }, () =>
        changed.includes(name)
          ? `${name} is now ${settingText(values[name])}`
          : `${name} was already ${settingText(values[name])}; nothing changed`,
      );
    });
}
