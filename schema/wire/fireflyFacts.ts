/**
 * The fact keys Firefly III 5.2.7-5.5.12 records (all `type: "feature"`, values always strings),
 * each with the only values stored for it. A console-command signature (up to 1,418 chars) is
 * reduced to the command name ("command"); a value that does not match its rule, and a key not
 * listed here, is dropped (the batch is still answered 200). Telemetry was removed in 5.6.0, so
 * the list is closed.
 */
export type FireflyValueRule = RegExp | "command";

const identifier = /^[a-z][a-z0-9_]{0,63}$/;
const language = /^[a-z]{2,3}([_-][A-Za-z0-9]{2,8})?$/;

export const fireflyFactKeys: Readonly<Record<string, FireflyValueRule>> = {
  "system.php.version": /^\d{1,2}\.\d{1,3}(\.\d{1,3})?([-+~][0-9A-Za-z.]{1,32})?$/,
  "system.os.version": /^[A-Za-z][A-Za-z0-9_]{0,31}$/, // PHP_OS: Linux, WINNT, Darwin
  "system.database.driver": /^(\(unknown\)|[a-z][a-z0-9_]{0,31})$/,
  "system.os.is_docker": /^(true|false)$/,
  "system.command.executed": "command",
  "system.command.errored": "command",
  "system.users.count": /^\d{1,9}$/,
  "config.firefly.default_language": language,
  "user.preferences.language": language,
  "user.preferences.locale": /^(equal|[a-z]{2,3}([_-][A-Za-z0-9]{2,8}){0,2})$/,
  "admin.update.channel": /^(stable|beta|alpha)$/,
  "admin.update.permission": /^-?[01]$/,
  "rules.triggers.uses_trigger": identifier,
  "rules.actions.uses_action": identifier,
  "search.operators.uses_operator": /^-?[a-z][a-z0-9_]{0,63}$/,
};

/** An artisan command name: the first token of a signature (`firefly-iii:export-data`). */
export const fireflyCommandName = /^[a-z][a-z0-9-]{0,40}(:[a-z0-9-]{1,40}){1,3}$/;
