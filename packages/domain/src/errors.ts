/**
 * The base of Kura's errors. The `code` is stable and safe to switch on; the message starts with
 * the package that raised it and the code, then says what was wrong:
 * `[kura/domain] product-name-required: a product needs a name`.
 */
export class KuraError<Code extends string = string> extends Error {
  /**
   * @param scope - The package that raises it, such as `domain` or `store`.
   * @param code - The stable identifier of the problem, in kebab case.
   * @param detail - A sentence for a person: what was wrong and, where it helps, how to fix it.
   */
  constructor(
    scope: string,
    readonly code: Code,
    detail: string,
  ) {
    super(`[kura/${scope}] ${code}: ${detail}`);
  }
}

/**
 * An error raised when input breaks a rule of the domain.
 *
 * @example
 * ```ts
 * try {
 *   validateProductDraft({ name: '' });
 * } catch (error) {
 *   if (error instanceof DomainError && error.code === 'product-name-required') showHint();
 * }
 * ```
 */
export class DomainError<Code extends string = string> extends KuraError<Code> {
  override readonly name = 'DomainError';

  constructor(code: Code, detail: string) {
    super('domain', code, detail);
  }
}
