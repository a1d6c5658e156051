import { KuraError } from '@kura/domain';

/** An error raised by a store command, with a stable `code`. */
export class StoreError<Code extends string = string> extends KuraError<Code> {
  override readonly name = 'StoreError';

  constructor(code: Code, detail: string) {
    super('store', code, detail);
  }
}
