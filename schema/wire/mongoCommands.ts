import { words } from "./common.ts";

/**
 * MongoDB command names (the first key of a request document) that FerretDB's `command_metrics`
 * may carry. The name is client-chosen text, so only these are stored as sent; any other is
 * folded into "other" (worker/pipeline/ferretdb/commands.ts). Sources: MongoDB's database
 * command reference (7.x/8.x, with the lower-case aliases drivers still send) and FerretDB's own
 * debug commands.
 */
export const mongoCommands: ReadonlySet<string> = words(`
  # query and write
  aggregate bulkWrite count delete distinct explain find findAndModify
  findandmodify getLastError getMore getPrevError insert killCursors mapReduce
  resetError update
  # authentication, users and roles
  authenticate createRole createUser dropAllRolesFromDatabase dropAllUsersFromDatabase
  dropRole dropUser getnonce grantPrivilegesToRole grantRolesToRole grantRolesToUser
  invalidateUserCache logout revokePrivilegesFromRole revokeRolesFromRole revokeRolesFromUser
  rolesInfo saslContinue saslStart updateRole updateUser usersInfo
  # handshake, replication and sessions
  abortTransaction appendOplogNote applyOps commitTransaction endSessions hello
  isMaster ismaster killAllSessions killAllSessionsByPattern killSessions refreshSessions
  replSetAbortPrimaryCatchUp replSetFreeze replSetGetConfig replSetGetStatus replSetInitiate
  replSetMaintenance replSetReconfig replSetResizeOplog replSetStepDown replSetSyncFrom
  startSession
  # sharding
  abortReshardCollection addShard addShardToZone analyzeShardKey balancerCollectionStatus
  balancerStart balancerStatus balancerStop checkMetadataConsistency checkShardingIndex
  cleanupOrphaned cleanupReshardCollection clearJumboFlag commitReshardCollection
  configureCollectionBalancing enableSharding flushRouterConfig getShardMap getShardVersion
  isdbgrid listShards mergeChunks moveChunk movePrimary moveRange
  refineCollectionShardKey removeShard removeShardFromZone reshardCollection shardCollection
  shardingState split splitChunk splitVector unshardCollection updateZoneKeyRange
  # administration
  autoCompact cloneCollectionAsCapped collMod compact compactStructuredEncryptionData
  convertToCapped create createIndexes createSearchIndexes currentOp drop
  dropConnections dropDatabase dropIndexes dropSearchIndex filemd5 fsync fsyncUnlock
  getClusterParameter getDefaultRWConcern getParameter killOp listCollections
  listDatabases listIndexes listSearchIndexes logRotate reIndex renameCollection
  rotateCertificates setClusterParameter setDefaultRWConcern setFeatureCompatibilityVersion
  setIndexCommitQuorum setParameter setUserWriteBlockMode shutdown updateSearchIndex
  # diagnostics
  atlasVersion buildInfo buildinfo collStats connPoolStats connectionStatus dataSize
  dbHash dbStats features getCmdLineOpts getDiagnosticData getFreeMonitoringStatus
  getLog hostInfo _isSelf listCommands lockInfo logApplicationMessage netstat ping
  profile serverStatus setFreeMonitoring shardConnPoolStats top validate
  validateDBMetadata whatsmyuri
  # plan cache
  planCacheClear planCacheClearFilters planCacheListFilters planCacheSetFilter
  # FerretDB's own
  debugError debugPanic
`);
