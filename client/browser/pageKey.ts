/**
 * Page identity. A hash route (`#/projects/1`, `#!/projects/1`: Vue's createWebHashHistory,
 * React's HashRouter) is part of the page; its own query and any other fragment are not.
 */
/** The page identity: the pathname plus a hash route's path (`#/x`, `#!/x`), never a query. */
export const pageKey = () => location.pathname + (/^#!?(\/[^?#]*)/.exec(location.hash)?.[0].replace("#!", "#") ?? "");
/** A route template names the hash route, if the page has one: `/app/#/projects/:id`. */
export const routeOf = (key: string, tpl: string) =>
  key.includes("#") && tpl[0] == "/" ? key.slice(0, key.indexOf("#") + 1) + tpl : tpl;
