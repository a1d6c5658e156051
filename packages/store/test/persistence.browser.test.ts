import { expect } from '@open-wc/testing';

import { ledgerPeriod } from '../src/index.js';
import {
  answersOf,
  dropProjections,
  freshId,
  NOVEMBER,
  OCTOBER,
  persistedQuantRows,
  receiveLateMove,
  reopen,
  seed,
} from './persistence.js';

describe('store in Chromium with IndexedDB', () => {
  it('LED4 writes, closes, reopens from the saved quants, same answers', async () => {
    const id = freshId();
    const { seeded, answers } = await seed(id);
    expect(answers.onHand).to.deep.equal(['25', '25', '380', '380']);
    expect(answers.byName).to.deep.equal(['Arabica coffee beans 1 kg']);
    expect(answers.byBarcode).to.deep.equal(['Arabica coffee beans 1 kg']);
    expect(answers.byReference).to.deep.equal(['Hex bolt M8']);
    expect(answers.lotMoves).to.have.length(2);

    const { workspace, firstAnswer, periods } = await reopen(id, seeded);
    expect(firstAnswer).to.equal('380');
    expect(periods).to.deep.equal([]);
    expect(await answersOf(workspace, seeded)).to.deep.equal(answers);
    await workspace.destroy();
  });

  it('LED5 opens the one period another replica filed a late move in, and counts it', async () => {
    const id = freshId();
    const { seeded } = await seed(id);

    const { workspace, firstAnswer, periods } = await receiveLateMove(id, seeded);
    expect(firstAnswer).to.equal('380');
    expect(periods).to.deep.equal([ledgerPeriod(OCTOBER)]);
    expect(workspace.stock.onHand(seeded.bolts, seeded.view)).to.equal('387');
    await workspace.destroy();

    const restored = await reopen(id, seeded);
    expect(restored.firstAnswer).to.equal('387');
    expect(restored.periods).to.deep.equal([]);
    await restored.workspace.destroy();
  });

  it('LED6 rebuilds the Dexie indexes from the documents, same answers', async () => {
    const id = freshId();
    const { seeded, answers } = await seed(id);
    await dropProjections(id);

    const { workspace, periods } = await reopen(id, seeded);
    expect(periods.sort()).to.deep.equal([ledgerPeriod(OCTOBER), ledgerPeriod(NOVEMBER)]);
    expect(await answersOf(workspace, seeded)).to.deep.equal(answers);
    await workspace.destroy();
    expect(await persistedQuantRows(id)).to.equal(2);

    const restored = await reopen(id, seeded);
    expect(restored.periods).to.deep.equal([]);
    expect(await answersOf(restored.workspace, seeded)).to.deep.equal(answers);
    await restored.workspace.destroy();
  });
});
