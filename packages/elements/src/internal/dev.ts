/** `true` in development builds; bundlers set `import.meta.env.DEV` to `false` for production. */
export const DEV: boolean =
  (import.meta as ImportMeta & { env?: { DEV?: boolean } }).env?.DEV ?? true;

const warned = new Set<string>();

/**
 * Warns once per problem, in development builds only, naming the element, what is wrong and
 * how to fix it. Elements call this instead of throwing on bad attributes.
 *
 * @param tag - The element's tag name.
 * @param problem - What is wrong, such as `workspace "a b" is not a valid id`.
 * @param fix - What to change.
 */
export function warnOnce(tag: string, problem: string, fix: string): void {
  if (!DEV) return;

  const message = `<${tag}>: ${problem}. ${fix}`;
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(message);
}
