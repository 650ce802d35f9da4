import { CfnBudget } from 'aws-cdk-lib/aws-budgets';
import { Construct } from 'constructs';

export interface CostCeilingProps {
  /** The monthly cost, in US dollars, the account is expected to stay under. */
  readonly monthlyUsd: number;
  /** Who is e-mailed at 80 % of actual spend and at 100 % of forecast spend. */
  readonly email: string;
}

/**
 * An AWS Budgets cost budget for the account (Budgets has no per-stack
 * scope without cost allocation tags being activated first): an e-mail at
 * 80 % of actual and at 100 % of forecast monthly spend. A budget watches;
 * the hard ceilings are the functions' reserved concurrency and the app's
 * rate limits and daily tool-call ceiling.
 */
export class CostCeiling extends Construct {
  readonly budget: CfnBudget;

  constructor(scope: Construct, id: string, props: CostCeilingProps) {
    super(scope, id);
    if (!Number.isFinite(props.monthlyUsd) || props.monthlyUsd <= 0) throw new Error(`monthly budget must be a positive amount of US dollars, got ${props.monthlyUsd}`);
    const subscribers = [{ subscriptionType: 'EMAIL', address: props.email }];
    this.budget = new CfnBudget(this, 'Budget', {
      budget: { budgetType: 'COST', timeUnit: 'MONTHLY', budgetLimit: { amount: props.monthlyUsd, unit: 'USD' } },
      notificationsWithSubscribers: [
        { notification: { notificationType: 'ACTUAL', comparisonOperator: 'GREATER_THAN', threshold: 80, thresholdType: 'PERCENTAGE' }, subscribers },
        { notification: { notificationType: 'FORECASTED', comparisonOperator: 'GREATER_THAN', threshold: 100, thresholdType: 'PERCENTAGE' }, subscribers },
      ],
    });
  }
}
