import { describe, expect, it } from 'vitest';

import type { Opportunity, Stage } from '../src/crm-model.js';
import {
  needsStage,
  orderedStages,
  PIPELINE_TEMPLATES,
  pipelineFromTemplate,
  pipelineHints,
  stageOf,
  validatePipeline,
  validatePipelineStages,
  validateStage,
  type PipelineLanguage,
  type PipelineTemplateKey,
} from '../src/pipeline.js';
import { codeOf } from './support.js';

function templateNames(key: PipelineTemplateKey, language: PipelineLanguage): string[] {
  const template = PIPELINE_TEMPLATES.find((candidate) => candidate.key === key);
  return template?.stages.map((stage) => stage.name[language]) ?? [];
}

function fromTemplate(key: PipelineTemplateKey, language: PipelineLanguage = 'en') {
  return pipelineFromTemplate(key, {
    pipelineId: 'p1',
    language,
    stageId: (stageKey) => `p1/${stageKey}`,
  });
}

function stage(id: string, sequence: number, fields: Partial<Stage> = {}): Stage {
  return { id, pipelineId: 'p1', name: id, sequence, folded: false, won: false, ...fields };
}

function opportunity(id: string, stageId: string, pipelineId = 'p1'): Opportunity {
  return {
    id,
    pipelineId,
    title: `Deal ${id}`,
    expectedRevenue: '1000',
    currency: 'EUR',
    probability: 50,
    priority: 0,
    tags: [],
    placement: { stageId, position: 'a0' },
    status: 'open',
    createdAt: 1_700_000_000_000,
  };
}

function hintCodes(stages: readonly Stage[]): string[] {
  return pipelineHints(stages).map((hint) => hint.code);
}

describe('pipeline templates', () => {
  it('PIP1 ships the three templates of the guide with their stages in English', () => {
    expect(PIPELINE_TEMPLATES.map((template) => template.key)).toEqual([
      'solution-selling',
      'b2c',
      'b2b',
    ]);
    expect(templateNames('solution-selling', 'en')).toEqual([
      'Territory',
      'Qualified',
      'Qualified sponsor',
      'Proposal',
      'Won',
    ]);
    expect(templateNames('b2c', 'en')).toEqual([
      'Initial contact',
      'Product demo',
      'Proposal',
      'Won',
    ]);
    expect(templateNames('b2b', 'en')).toEqual([
      'New',
      'Qualified',
      'Needs assessment',
      'POC sold',
      'Demo',
      'Proposal',
      'Won',
    ]);
  });

  it('PIP1 names the templates and their stages in the Chinese of the guide', () => {
    expect(PIPELINE_TEMPLATES.map((template) => template.name['zh-CN'])).toEqual([
      '方案销售',
      'B2C',
      'B2B',
    ]);
    expect(templateNames('solution-selling', 'zh-CN')).toEqual([
      '领域',
      '验证',
      '合格的发起人',
      '建议',
      '赢得',
    ]);
    expect(templateNames('b2c', 'zh-CN')).toEqual(['初步联系', '产品演示', '建议', '赢得']);
    expect(templateNames('b2b', 'zh-CN')).toEqual([
      '新建',
      '验证',
      '需求评审',
      '售出的 POC',
      '演示',
      '建议',
      '赢得',
    ]);

    const b2b = PIPELINE_TEMPLATES[2]!;
    expect(b2b.stages.find((s) => s.key === 'needs-assessment')?.requirement['zh-CN']).toBe(
      '与客户进行 GAP 分析',
    );
    expect(PIPELINE_TEMPLATES[0]!.stages[0]!.requirement['zh-CN']).toBe(
      '分配给正确销售人员的新潜在客户',
    );
  });

  it('PIP1 gives every stage a requirement, wins only at the last stage and folds none', () => {
    for (const template of PIPELINE_TEMPLATES) {
      for (const [index, templateStage] of template.stages.entries()) {
        expect(templateStage.requirement.en).not.toBe('');
        expect(templateStage.requirement['zh-CN']).not.toBe('');
        expect(templateStage.won).toBe(index === template.stages.length - 1);
        expect(templateStage.folded).toBe(false);
      }
    }
  });

  it('PIP1 freezes the templates so that no caller can change them', () => {
    const template = PIPELINE_TEMPLATES[0]!;
    expect(Object.isFrozen(PIPELINE_TEMPLATES)).toBe(true);
    expect(Object.isFrozen(template)).toBe(true);
    expect(Object.isFrozen(template.name)).toBe(true);
    expect(Object.isFrozen(template.stages)).toBe(true);
    expect(Object.isFrozen(template.stages[0])).toBe(true);
    expect(Object.isFrozen(template.stages[0]!.requirement)).toBe(true);
  });
});

describe('pipelines from templates', () => {
  it('PIP2 makes the pipeline and its stages in the chosen language, numbered by tens', () => {
    const { pipeline, stages } = fromTemplate('b2c', 'zh-CN');

    expect(pipeline).toEqual({ id: 'p1', name: 'B2C', dailyCost: '500', currency: 'CNY' });
    expect(stages).toEqual([
      {
        id: 'p1/initial-contact',
        pipelineId: 'p1',
        name: '初步联系',
        sequence: 10,
        folded: false,
        won: false,
        requirement: '致电询问客户需求',
      },
      expect.objectContaining({ id: 'p1/product-demo', name: '产品演示', sequence: 20 }),
      expect.objectContaining({ id: 'p1/proposal', name: '建议', sequence: 30, won: false }),
      expect.objectContaining({ id: 'p1/won', name: '赢得', sequence: 40, won: true }),
    ]);
  });

  it('PIP2 takes the daily cost and currency when given, 500 in euros in English otherwise', () => {
    expect(fromTemplate('solution-selling').pipeline).toEqual({
      id: 'p1',
      name: 'Solution selling',
      dailyCost: '500',
      currency: 'EUR',
    });

    const priced = pipelineFromTemplate('b2b', {
      pipelineId: 'p2',
      language: 'en',
      stageId: (stageKey) => stageKey,
      dailyCost: 350.5,
      currency: 'USD',
    });
    expect(priced.pipeline).toMatchObject({ dailyCost: '350.5', currency: 'USD' });
    expect(priced.stages.map((s) => s.sequence)).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(priced.stages.every((s) => s.pipelineId === 'p2')).toBe(true);
  });

  it('PIP2 refuses a template key it does not know', () => {
    expect(codeOf(() => fromTemplate('b2x' as PipelineTemplateKey))).toBe(
      'pipeline-template-unknown',
    );
  });
});

describe('pipeline and stage validation', () => {
  it('PIP3 trims the name, defaults the daily cost to 500 and keeps it canonical', () => {
    expect(validatePipeline({ id: 'p1', name: '  B2B ', currency: ' CNY ' })).toEqual({
      id: 'p1',
      name: 'B2B',
      dailyCost: '500',
      currency: 'CNY',
    });
    expect(validatePipeline({ id: 'p1', name: 'B2B', dailyCost: '0', currency: 'EUR' })).toEqual(
      expect.objectContaining({ dailyCost: '0' }),
    );
    expect(
      validatePipeline({ id: 'p1', name: 'B2B', dailyCost: ' 750.50 ', currency: 'EUR' }).dailyCost,
    ).toBe('750.5');
  });

  it('PIP3 refuses a blank name, a bad daily cost and a currency that is not a code', () => {
    const draft = { id: 'p1', name: 'B2B', currency: 'EUR' };

    expect(codeOf(() => validatePipeline({ ...draft, name: '   ' }))).toBe(
      'pipeline-name-required',
    );
    for (const dailyCost of ['-1', 'five hundred', '500,00', Number.NaN, -0.01]) {
      expect(codeOf(() => validatePipeline({ ...draft, dailyCost }))).toBe(
        'pipeline-daily-cost-invalid',
      );
    }
    for (const currency of ['eur', 'EURO', '€', '']) {
      expect(codeOf(() => validatePipeline({ ...draft, currency }))).toBe(
        'pipeline-currency-invalid',
      );
    }
  });

  it('PIP4 trims a stage, drops a blank requirement and defaults folded and won to false', () => {
    expect(
      validateStage({ id: 's1', pipelineId: 'p1', name: ' Demo ', sequence: -5, requirement: ' ' }),
    ).toEqual({
      id: 's1',
      pipelineId: 'p1',
      name: 'Demo',
      sequence: -5,
      folded: false,
      won: false,
    });
    expect(
      validateStage({
        id: 's2',
        pipelineId: 'p1',
        name: 'Won',
        sequence: 70,
        won: true,
        folded: true,
        requirement: ' Quotation signed ',
      }),
    ).toEqual(
      stage('s2', 70, { name: 'Won', won: true, folded: true, requirement: 'Quotation signed' }),
    );
  });

  it('PIP4 refuses a blank stage name and a sequence that is not a finite integer', () => {
    const draft = { id: 's1', pipelineId: 'p1', name: 'Demo', sequence: 10 };

    expect(codeOf(() => validateStage({ ...draft, name: '' }))).toBe('stage-name-required');
    for (const sequence of [1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(codeOf(() => validateStage({ ...draft, sequence }))).toBe('stage-sequence-invalid');
    }
  });

  it('PIP5 refuses a pipeline with no stage, and one whose last stage is being deleted', () => {
    const stages = [stage('a', 10), stage('other', 10, { pipelineId: 'p2' })];

    expect(codeOf(() => validatePipelineStages('p1', []))).toBe('pipeline-stages-empty');
    expect(codeOf(() => validatePipelineStages('p3', stages))).toBe('pipeline-stages-empty');
    const left = stages.filter((s) => s.id !== 'a');
    expect(codeOf(() => validatePipelineStages('p1', left))).toBe('pipeline-stages-empty');
    expect(validatePipelineStages('p1', stages).map((s) => s.id)).toEqual(['a']);
  });
});

describe('stage order', () => {
  it('PIP6 sorts a pipeline’s stages by sequence, then by id where sequences tie', () => {
    const stages = [
      stage('c', 20),
      stage('b', 10),
      stage('x', 5, { pipelineId: 'p2' }),
      stage('a', 20),
      stage('B', 20),
    ];

    expect(orderedStages('p1', stages).map((s) => s.id)).toEqual(['b', 'B', 'a', 'c']);
    expect(orderedStages('p1', [...stages].reverse()).map((s) => s.id)).toEqual([
      'b',
      'B',
      'a',
      'c',
    ]);
    expect(orderedStages('p2', stages).map((s) => s.id)).toEqual(['x']);
  });
});

describe('pipeline hints', () => {
  it('PIP7 gives B2B, 7 stages from New to won, only the qualification hint', () => {
    expect(hintCodes(fromTemplate('b2b').stages)).toEqual(['stage-looks-like-qualification']);
    expect(hintCodes(fromTemplate('b2b', 'zh-CN').stages)).toEqual([
      'stage-looks-like-qualification',
    ]);
  });

  it('PIP7 tells solution selling that its first stage is not New', () => {
    expect(hintCodes(fromTemplate('solution-selling').stages)).toEqual([
      'first-not-new',
      'stage-looks-like-qualification',
    ]);

    const [firstNotNew] = pipelineHints(fromTemplate('solution-selling', 'zh-CN').stages);
    expect(firstNotNew?.message['zh-CN']).toBe('第一阶段是“领域”；第一阶段通常是“新的”。');
    expect(firstNotNew?.message.en).toContain('“领域”');
  });

  it('PIP7 tells B2C that it has too few stages and does not start with New', () => {
    const hints = pipelineHints(fromTemplate('b2c').stages);

    expect(hints.map((hint) => hint.code)).toEqual(['first-not-new', 'stage-count']);
    expect(hints[1]?.message).toEqual({
      en: 'The pipeline has 4 stages; a good pipeline has 5 to 7.',
      'zh-CN': '该管道有 4 个阶段；优秀的管道应该包含有 5 至 7 个阶段。',
    });
  });

  it('PIP7 reads the first and last stage in board order, New or 新的 in any case', () => {
    const stages = [
      stage('s5', 50, { name: 'Signed', won: true }),
      stage('s2', 20, { name: 'Discovery' }),
      stage('s1', 10, { name: ' NEW ' }),
      stage('s3', 30, { name: 'Demo' }),
      stage('s4', 40, { name: 'Proposal' }),
    ];

    expect(hintCodes(stages)).toEqual([]);
    expect(hintCodes(stages.map((s) => (s.id === 's1' ? { ...s, name: '新的' } : s)))).toEqual([]);
    expect(hintCodes(stages.map((s) => (s.id === 's5' ? { ...s, won: false } : s)))).toEqual([
      'last-not-won',
    ]);
    expect(hintCodes([...stages, stage('s6', 60), stage('s7', 70), stage('s8', 80)])).toEqual([
      'last-not-won',
      'stage-count',
    ]);
  });

  it('PIP7 names every stage that reads like a qualification in one hint', () => {
    const stages = [
      stage('s1', 10, { name: 'New' }),
      stage('s2', 20, { name: 'Hot lead' }),
      stage('s3', 30, { name: 'Photo shoot' }),
      stage('s4', 40, { name: 'VIP' }),
      stage('s5', 50, { name: '冷线索' }),
      stage('s6', 60, { name: 'Won', won: true }),
    ];

    const hints = pipelineHints(stages);
    expect(hints.map((hint) => hint.code)).toEqual(['stage-looks-like-qualification']);
    expect(hints[0]?.message.en).toMatch(/^“Hot lead”, “VIP”, “冷线索” read like/);
    expect(hints[0]?.message['zh-CN']).toMatch(/^“Hot lead”、“VIP”、“冷线索”看起来/);
  });

  it('PIP7 gives a pipeline without stages only the stage-count hint', () => {
    expect(hintCodes([])).toEqual(['stage-count']);
  });
});

describe('cards that need a stage', () => {
  it('PIP8 finds the stage of an opportunity in its own pipeline', () => {
    const stages = [stage('a', 10), stage('b', 20), stage('z', 10, { pipelineId: 'p2' })];

    expect(stageOf(opportunity('o1', 'b'), stages)?.id).toBe('b');
    expect(stageOf(opportunity('o2', 'gone'), stages)).toBeUndefined();
    expect(stageOf(opportunity('o3', 'z'), stages)).toBeUndefined();
  });

  it('PIP8 lists, by id, the cards whose stage was deleted or is in another pipeline', () => {
    // Replica A deleted stage b while replica B moved o2 into it; after the merge o2 is stranded.
    const afterMerge = [stage('a', 10), stage('z', 10, { pipelineId: 'p2' })];
    const opportunities = [
      opportunity('o3', 'z'),
      opportunity('o2', 'b'),
      opportunity('o1', 'a'),
      opportunity('o4', 'z', 'p2'),
    ];

    expect(needsStage(opportunities, afterMerge).map((o) => o.id)).toEqual(['o2', 'o3']);
    expect(needsStage(opportunities, [])).toHaveLength(4);
    expect(needsStage([], afterMerge)).toEqual([]);
  });
});
