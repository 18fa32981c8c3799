import { browserRef } from "../../../schema";
import { instanceKeyHash } from "../../lib/instanceKey";

export interface Identity {
  /** The id's one-way browser reference: events from the installation's console join on it. */
  browserRef: string;
  /** Digest of the installation key the request presented (Authorization), or null (keyless). */
  keyHash: string | null;
}

/**
 * The instance row's identity columns (after toRows). The key itself goes no further than this step:
 * only its digest is compared and stored.
 */
export async function identity(instanceId: string, key: string | null): Promise<Identity> {
  const [ref, keyHash] = await Promise.all([browserRef(instanceId), key === null ? null : instanceKeyHash(key)]);
  return { browserRef: ref, keyHash };
}
