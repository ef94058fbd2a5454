/**
 * The versioned durable CIB store: the {@link CibStore} contract and its memory and file
 * backends. Stores hold the serialized CIB and its version; parsing and validation are the
 * service's, above.
 *
 * @module
 */
export type { CibChange, CibStore, CibWatchListener, CibWriteOptions, StoredCib } from "./types.ts";
export { checkVersion, compareVersions, formatVersion, parseVersion, sameVersion } from "./version.ts";
export { MemoryStore, type MemoryStoreOptions } from "./memory_store.ts";
export { FileStore, type FileStoreOptions } from "./file_store.ts";
