export {
  createKubernetesAdapter,
  type KubernetesAdapterOptions,
  kubernetesActions,
  kubernetesAdapter,
} from "./adapter.js";
export type { KubernetesConnection } from "./connection.js";
export type { KubernetesDiscovery } from "./discover.js";
