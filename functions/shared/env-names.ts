/** Environment variable names shared by the CDK constructs that set them and the handlers that read them. */
export const ENV = {
  tableName: 'TABLE_NAME',
  busName: 'BUS_NAME',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  feeReviewStateMachineArn: 'FEE_REVIEW_STATE_MACHINE_ARN',
  /** JSON object: workflow name → state machine ARN, for the run visibility routes. */
  workflowStateMachines: 'WORKFLOW_STATE_MACHINES',
} as const;
