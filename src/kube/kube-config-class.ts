// client-node's KubeConfig alone: imported by name (never the package's namespace) so that the bundler keeps only
// the kubeconfig code and not the ~14 MB of generated API clients, which cost ~0.5 s to load on every run.
export { KubeConfig } from "@kubernetes/client-node";
