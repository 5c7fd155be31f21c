/**
 * An option that takes one value refuses to be given twice. Commander keeps the last value, so
 * `recommend -n shop -n kafka` recommended kafka alone and `--engine kubernetes --engine cilium`
 * printed Cilium manifests, where a script meant both or one of them. The CLI cannot tell which,
 * so it says so, naming the option and both values. Options meant to be repeated are variadic
 * (`--family <f...>`) or marked `repeatable` (`collect files --file`); switches (`--shared`) take
 * no value and may repeat harmlessly, but not both ways: `report --shared --no-shared` kept the
 * last one as silently.
 */
import type { Command, Option } from 'commander';
import { CliError } from './io.ts';

const REPEATABLE = new WeakSet<Option>();

/** Marks an option whose parser gathers every occurrence (`argParser((v, previous) => [...previous, v])`). */
export function repeatable(option: Option): Option {
  REPEATABLE.add(option);
  return option;
}

/** Makes every value option of `cmd` and its subcommands refuse a second occurrence on one command line. */
export function refuseRepeatedOptions(cmd: Command): void {
  for (const option of cmd.options as readonly Option[]) {
    if ((!option.required && !option.optional) || option.variadic || REPEATABLE.has(option)) continue;
    let first: string | undefined;
    let seen = false;
    // Emitted once per occurrence on the command line (not for defaults nor environment values).
    cmd.on(`option:${option.name()}`, (value: string | undefined) => {
      if (seen) throw new CliError(`${option.flags} given twice (${show(first)}, then ${show(value)}): give it once`);
      seen = true;
      first = value;
    });
  }
  refuseBothWays(cmd);
  for (const sub of cmd.commands) refuseRepeatedOptions(sub);
}

function show(value: string | undefined): string {
  return value === undefined ? 'without a value' : JSON.stringify(value);
}

/** A switch defined both ways (`--shared`, `--no-shared`) refuses to be given both ways. */
function refuseBothWays(cmd: Command): void {
  const byAttribute = new Map<string, Option[]>();
  for (const option of cmd.options as readonly Option[]) {
    if (option.required || option.optional) continue;
    const group = byAttribute.get(option.attributeName()) ?? [];
    group.push(option);
    byAttribute.set(option.attributeName(), group);
  }
  for (const group of byAttribute.values()) {
    if (group.length < 2) continue;
    let given: Option | undefined;
    for (const option of group) {
      cmd.on(`option:${option.name()}`, () => {
        if (given !== undefined && given !== option) throw new CliError(`${given.long ?? given.flags} and ${option.long ?? option.flags} both given: give one`);
        given = option;
      });
    }
  }
}
