/** The Cognito groups of contract.md §2: the `cognito:groups` claim carries some of these. */
export const GROUPS = ['marketer', 'ops', 'service_rep', 'service_manager', 'admin'] as const;
export type Group = (typeof GROUPS)[number];
