/** Registered in adapter.ts. */
export const expandContractActions = [] as const;
