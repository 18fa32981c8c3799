import { words } from "./common.ts";

/**
 * Arguments FerretDB names in `command_metrics` (the part of a request that caused an error):
 * "unknown", a MongoDB operator or stage (`$lookup`, optionally followed by FerretDB's kind in
 * parentheses: `$lookup (stage)`), or a command option (`sort`, `collation`). Only these are
 * stored as sent; any other (a user's field name, say) is folded into "other".
 */
export const mongoArguments: ReadonlySet<string> = words(`
  unknown
  # command options
  $db $readPreference allowDiskUse allowPartialResults arrayFilters authorizedCollections
  authorizedDatabases autocommit awaitData background batchSize bypassDocumentValidation capped
  changeStreamPreAndPostImages clusteredIndex collation comment cursor default_language deletes
  documents dropTarget encryptedFields expireAfterSeconds explain fields filter full hidden hint
  idIndex indexes key language_override let limit lsid max maxTimeMS metadata min multi nameOnly
  new noCursorTimeout oplogReplay ordered partialFilterExpression pipeline projection q query
  readConcern remove returnKey scale showRecordId singleBatch size skip sort sparse startTransaction
  storageEngine tailable textIndexVersion timeseries txnNumber u unique update updates upsert
  validationAction validationLevel validator verbose viewOn weights wildcardProjection writeConcern
  # query operators
  $all $and $bitsAllClear $bitsAllSet $bitsAnyClear $bitsAnySet $box $caseSensitive $center
  $centerSphere $comment $diacriticSensitive $elemMatch $eq $exists $expr $geoIntersects $geoWithin
  $geometry $gt $gte $in $jsonSchema $language $lt $lte $maxDistance $meta $minDistance $mod $natural
  $ne $near $nearSphere $nin $nor $not $options $or $polygon $regex $search $size $slice $text $type
  $where
  # update operators
  $addToSet $bit $currentDate $each $inc $max $min $mul $pop $position $pull $pullAll $push $rename
  $set $setOnInsert $sort $unset
  # aggregation stages
  $addFields $bucket $bucketAuto $changeStream $collStats $count $currentOp $densify $documents
  $facet $fill $geoNear $graphLookup $group $indexStats $limit $listLocalSessions $listSearchIndexes
  $listSessions $lookup $match $merge $out $planCacheStats $project $redact $replaceRoot $replaceWith
  $sample $searchMeta $setWindowFields $skip $sortByCount $unionWith $unwind $vectorSearch
  # accumulators and expressions
  $abs $accumulator $add $allElementsTrue $anyElementTrue $arrayElemAt $arrayToObject $avg
  $binarySize $bottom $bottomN $bsonSize $ceil $cmp $concat $concatArrays $cond $convert $cos
  $dateAdd $dateDiff $dateFromParts $dateFromString $dateSubtract $dateToParts $dateToString
  $dateTrunc $dayOfMonth $dayOfWeek $dayOfYear $divide $exp $filter $first $firstN $floor $function
  $getField $hour $ifNull $indexOfArray $indexOfBytes $indexOfCP $isArray $isNumber $isoDayOfWeek
  $isoWeek $isoWeekYear $last $lastN $let $literal $ln $log $log10 $ltrim $map $maxN $median
  $mergeObjects $millisecond $minN $minute $month $multiply $objectToArray $percentile $pow $rand
  $range $reduce $regexFind $regexFindAll $regexMatch $replaceAll $replaceOne $reverseArray $round
  $rtrim $sampleRate $second $setDifference $setEquals $setField $setIntersection $setIsSubset
  $setUnion $sin $sortArray $split $sqrt $stdDevPop $stdDevSamp $strLenBytes $strLenCP $strcasecmp
  $substr $substrBytes $substrCP $subtract $sum $switch $tan $toBool $toDate $toDecimal $toDouble
  $toInt $toLong $toLower $toObjectId $toString $toUpper $top $topN $trim $trunc $tsIncrement
  $tsSecond $unsetField $week $year $zip
`);

/** The kind FerretDB may append to an argument: `$lookup (stage)`. */
export const mongoArgumentKind = /^(\S+) \((stage|operator|accumulator|expression)\)$/;
