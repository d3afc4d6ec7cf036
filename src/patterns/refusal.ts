/**
 * A template that cannot make the change safely as asked says why, instead of writing a plan
 * that would fail or break something (a column a view still reads, a required column without a
 * value for the rows already there). Planners turn it into a refusal with the reason.
 */
export class PlanRefusal extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "PlanRefusal";
  }
}
