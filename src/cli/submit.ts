// Placeholder until the 'submit' command lands; it refuses rather than pretending to work.
export async function run(_args: string[]): Promise<number> {
  process.stderr.write("ngc-gateway submit: not available in this build yet\n");
  return 2;
}
