import type { Decimal } from './decimal.js';

// The records of the CRM: pipelines and their stages, opportunities placed in them, and the
// append-only history of their stage changes. Instants are milliseconds since the Unix epoch;
// calendar days are ISO dates (`2026-12-03`).

/** A step of a pipeline, as the buyer moves forward. */
export interface Stage {
  readonly id: string;
  readonly pipelineId: string;
  readonly name: string;
  /** Order among the pipeline's stages; lower first. Ties fall back to the id. */
  readonly sequence: number;
  /** Shown collapsed on the board. */
  readonly folded: boolean;
  /** Reaching it wins the opportunity. */
  readonly won: boolean;
  /** What must be true for an opportunity to be in this stage, in a sentence. */
  readonly requirement?: string | undefined;
}

/** A sales pipeline; its stages are records of their own. */
export interface Pipeline {
  readonly id: string;
  readonly name: string;
  /** What a day of selling costs, for the B2B rule; `'500'` by default. */
  readonly dailyCost: Decimal;
  /** The currency of `dailyCost`, such as `'EUR'` or `'CNY'`. */
  readonly currency: string;
}

/** Where an opportunity stands on the board: written as one value, never field by field. */
export interface Placement {
  readonly stageId: string;
  /** A fractional index: placements in one stage sort by it as plain strings, then by id. */
  readonly position: string;
  /** The stage change that brought the opportunity into its stage, kept with the placement. */
  readonly change?: string | undefined;
}

/** Whether an opportunity is still being worked on. */
export type OpportunityStatus = 'open' | 'won' | 'lost';

/** Stars a salesperson gives an opportunity, from 0 (normal) to 3 (very high). */
export type Priority = 0 | 1 | 2 | 3;

/** The next thing to do about an opportunity. */
export interface Activity {
  readonly summary: string;
  /** The day it is due. */
  readonly due: string;
}

/** A deal being pursued with a customer. */
export interface Opportunity {
  readonly id: string;
  readonly pipelineId: string;
  readonly title: string;
  /** The partner id of the customer. */
  readonly customerId?: string | undefined;
  /** The person to talk to, as typed. */
  readonly contact?: string | undefined;
  /** 0 or more, in `currency`. */
  readonly expectedRevenue: Decimal;
  readonly currency: string;
  /** Percent, 0 to 100. */
  readonly probability: number;
  /** The day it is expected to close. */
  readonly expectedClosing?: string | undefined;
  readonly priority: Priority;
  /** Sorted, without repeats. */
  readonly tags: readonly string[];
  /** The user id of the salesperson. */
  readonly salespersonId?: string | undefined;
  /** Where the lead came from, such as `'website'` or `'trade fair'`. */
  readonly source?: string | undefined;
  readonly placement: Placement;
  readonly nextActivity?: Activity | undefined;
  readonly status: OpportunityStatus;
  /** Why it was lost; present exactly when the status is lost. */
  readonly lostReason?: string | undefined;
  readonly createdAt: number;
  /** When it was won or lost; absent while open. */
  readonly closedAt?: number | undefined;
}

/** A fact of the stage history: an opportunity entered a stage. Never edited, never deleted. */
export interface StageChange {
  readonly id: string;
  readonly opportunityId: string;
  /** The stage left; absent for the creation of the opportunity. */
  readonly from?: string | undefined;
  readonly to: string;
  readonly at: number;
  /** The user who moved it. */
  readonly by: string;
  /**
   * The change whose placement this one replaced; absent for the creation. Two people moving one
   * card at once write two changes with the same `previous`, and the placement kept names one of
   * them: following `previous` back from it gives the history that happened.
   */
  readonly previous?: string | undefined;
}
