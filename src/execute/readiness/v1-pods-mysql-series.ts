import type { KubeObject } from "../../model/kube-object.js";
import { type MysqlSeries, mysqlSeriesOfImage } from "../../model/running-servers.js";
import { failed, type Readiness, ready, waiting } from "./readiness.js";

interface PodShape {
  spec?: { containers?: { name?: string; image?: string }[] };
  status?: { phase?: string };
}

/**
 * The pods of the `mysql` Deployment run the MySQL series the hop moved to: exactly the running (not terminating)
 * pods are checked, and a pod of another series fails at once (an old server left on the data directory).
 */
export function mysqlSeriesReadiness(series: MysqlSeries): (pods: readonly KubeObject[]) => Readiness {
  return (pods) => {
    const live = pods.filter((pod) => pod.metadata.deletionTimestamp == null);
    if (live.length === 0) return waiting("Waiting for a mysql pod");
    if (live.length > 1) {
      return waiting(`Waiting for ${live.length - 1} extra mysql pods to go: one server per data directory`);
    }
    const [pod] = live as [KubeObject];
    const containers = (pod as PodShape).spec?.containers ?? [];
    const container =
      containers.find((c) => c.name === "mysql") ??
      containers.find((c) => c.image !== undefined && mysqlSeriesOfImage(c.image) !== null);
    const image = container?.image ?? "(no image)";
    const running = container?.image ? mysqlSeriesOfImage(container.image) : null;
    if (running !== series) {
      return failed(
        `pod ${pod.metadata.name} runs ${image} (MySQL ${running ?? "of an unknown series"}), not MySQL ${series}`,
      );
    }
    return ready(`pod ${pod.metadata.name} runs ${image} (MySQL ${series})`);
  };
}
