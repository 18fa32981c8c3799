/** CI services and the env var each sets; the generic `CI` is checked last. */
const VENDORS: Array<[string, string]> = [
  ["github-actions", "GITHUB_ACTIONS"],
  ["gitlab", "GITLAB_CI"],
  ["circleci", "CIRCLECI"],
  ["travis", "TRAVIS"],
  ["buildkite", "BUILDKITE"],
  ["jenkins", "JENKINS_URL"],
  ["teamcity", "TEAMCITY_VERSION"],
  ["azure-pipelines", "TF_BUILD"],
  ["bitbucket", "BITBUCKET_BUILD_NUMBER"],
  ["codebuild", "CODEBUILD_BUILD_ID"],
  ["drone", "DRONE"],
  ["woodpecker", "CI_PIPELINE_ID"],
  ["appveyor", "APPVEYOR"],
  ["vercel", "NOW_BUILDER"],
  ["netlify", "NETLIFY"],
];

/** The CI service this process runs in ("ci" when only `CI` is set), or undefined outside CI. */
export function detectCi(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const [name, key] of VENDORS) if (env[key]) return name;
  const ci = env.CI?.trim().toLowerCase();
  if (ci && ci !== "0" && ci !== "false") return "ci";
  return undefined;
}
