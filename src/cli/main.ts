/**
 * `ngc-gateway <command>`: one dispatcher; each command lives in its own module and is loaded only
 * when used, so `validate` does not pay for the server's dependencies.
 */

type CommandModule = { run(args: string[]): Promise<number> };

const COMMANDS: Record<string, { summary: string; load: () => CommandModule }> = {
  validate: { summary: 'validate FHIR files as submissions or plain resources', load: () => require('./validate') },
  serve: { summary: 'run the gateway (HTTP API, delivery worker)', load: () => require('./serve') },
  submit: { summary: 'get a token and post a Bundle to a gateway', load: () => require('./submit') },
};

export function usage(): string {
  const lines = ['usage: ngc-gateway <command> [options]', '', 'commands:'];
  for (const [name, cmd] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${cmd.summary}`);
  lines.push('', 'Run `ngc-gateway <command> --help` for the options of a command.');
  return lines.join('\n') + '\n';
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`ngc-gateway: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  return command.load().run(rest);
}
