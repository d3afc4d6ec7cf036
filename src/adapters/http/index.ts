export { createHttpAdapter, httpAdapter } from "./adapter.js";
export type { HttpConnection } from "./connection.js";
export type { HttpDiscovery } from "./discover.js";
export { httpRequest } from "./request.js";
