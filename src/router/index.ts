export { GenerationMismatchError, RouterStateError } from "./errors.js";
export { startEmbeddedRouter } from "./router.js";
export type {
  EmbeddedRouter,
  EmbeddedRouterOptions,
  MirrorSample,
  MirrorSpec,
  MirrorStats,
  RouterState,
  RouterStats,
  StateChange,
  UpstreamStats,
  Weights,
} from "./types.js";
