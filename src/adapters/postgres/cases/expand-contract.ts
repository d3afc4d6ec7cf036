import type { LifecycleCase } from "./case.js";

export const expandContractCases: LifecycleCase[] = [];
