export type { SampleService, SampleServiceOptions } from "./sample-service.js";
export { startSampleService } from "./sample-service.js";
