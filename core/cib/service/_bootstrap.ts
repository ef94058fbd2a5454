/**
 * The CIB a new, empty store starts with: Pacemaker's empty CIB (every configuration section,
 * an empty status) plus the local node in the nodes section. Internal to core/cib/service/.
 */
import { quote } from "../../errors.ts";
import { escapeAttr } from "../xml.ts";

/** The schema a bootstrapped CIB declares (Pacemaker 2.1.5's newest). */
export const BOOTSTRAP_SCHEMA = "pacemaker-3.9";
/** The feature set Pacemaker 2.1.5 writes. */
export const BOOTSTRAP_FEATURE_SET = "3.16.2";

const NODE_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,252}$/;

/**
 * The XML of a minimal CIB with one cluster node (id "1", uname `nodeName`), version 0.1.0.
 *
 * @throws {TypeError} when the node name is not a host name
 */
export function bootstrapCibXml(nodeName: string): string {
  if (typeof nodeName !== "string" || !NODE_RE.test(nodeName)) {
    throw new TypeError(`Cannot bootstrap the CIB with node name ${quote(nodeName)}: expected a host name (letters, digits, "_", "." or "-")`);
  }
  const n = escapeAttr(nodeName);
  return `<cib admin_epoch="0" epoch="1" num_updates="0" validate-with="${BOOTSTRAP_SCHEMA}" crm_feature_set="${BOOTSTRAP_FEATURE_SET}">` +
    `<configuration><crm_config><cluster_property_set id="cib-bootstrap-options"/></crm_config>` +
    `<nodes><node id="1" uname="${n}"/></nodes><resources/><constraints/></configuration><status/></cib>`;
}
