import { words } from "./common.ts";

/**
 * Results FerretDB's `command_metrics` may carry: "ok", its own "error" / "panic" / "unknown",
 * or the `codeName` of a MongoDB error (FerretDB's internal/mongoerrors). Only these, and the
 * numbered `LocationNNNNN` names, are stored as sent; any other is folded into "other".
 */
export const mongoResults: ReadonlySet<string> = words(`
  ok error panic unknown
  AlreadyInitialized AmbiguousIndexKeyPattern AuthenticationFailed BadValue
  BsonObjectTooLarge CannotBackfillArray CannotCreateIndex CanNotBeTypeArray
  ClientMetadataCannotBeMutated CollectionUUIDMismatch CommandNotFound CommandNotSupported
  CommandNotSupportedOnView ConflictingUpdateOperators ConversionFailure CursorNotFound
  DbAlreadyExists DocumentFailedValidation DollarPrefixedFieldName DottedFieldName
  DuplicateKey DurationOverflow EmptyFieldName ExceededMemoryLimit FailedToParse
  GraphContainsCycle IllegalOperation ImmutableField IndexAlreadyExists IndexBuildAborted
  IndexKeySpecsConflict IndexNotFound IndexOptionsConflict InternalError
  InvalidIndexSpecificationOption InvalidLength InvalidNamespace InvalidOptions InvalidUUID
  MaxSubPipelineDepthExceeded MechanismUnavailable NamespaceExists NamespaceNotFound
  NamespaceNotSharded NotExactValueField NotImplemented NotSingleValueField OperationFailed
  OperationNotSupportedInTransaction OptionNotSupportedOnView Overflow PathNotViable
  ProtocolError QueryFeatureNotAllowed RoleNotFound ShardKeyNotFound TypeMismatch
  UnableToFindIndex Unauthorized UnsupportedFormat UnsupportedOpQueryCommand
  UserCountLimitExceeded UserNotFound ViewDepthLimitExceeded
`);

/** MongoDB's numbered error names (`Location15998`): a code, never free text. */
export const mongoLocationResult = /^Location\d{1,6}$/;

/** Wire opcodes FerretDB labels its metrics with (`wire.OpCode.String()`). */
export const mongoOpcodes: ReadonlySet<string> = words(`
  OP_MSG OP_QUERY OP_REPLY OP_COMPRESSED OP_INSERT OP_UPDATE OP_DELETE
  OP_GET_MORE OP_KILL_CURSORS
`);
